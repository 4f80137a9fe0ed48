"""Notifications react to no other area's events yet: mail leaves through the worker's
`deliver_mail` job (app/notifications/jobs.py), woken by the commit that queued it."""

from __future__ import annotations

from app.core.events import EventBus


def register(bus: EventBus) -> None:
    return None
