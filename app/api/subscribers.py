"""How the API reacts to other areas' events: webhooks for tier and lifecycle changes."""

from __future__ import annotations

from app.core.events import EventBus


def register(bus: EventBus) -> None:
    from app.api import webhooks

    webhooks.register(bus)
