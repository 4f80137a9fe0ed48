"""Mail leaves after the commit of the action that queued it."""

from __future__ import annotations

from app.core.events import EventBus
from app.notifications.events import MailQueued
from app.notifications.mail import deliver_pending


def _deliver(_evt: MailQueued) -> None:
    deliver_pending(limit=20)


def register(bus: EventBus) -> None:
    bus.subscribe(MailQueued, _deliver)
