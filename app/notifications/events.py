"""Domain events of the notifications area."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class MailQueued(DomainEvent):
    message_id: int


@dataclass(frozen=True)
class NotificationCreated(DomainEvent):
    """A notice was written (or a grouped one grew) for a member: pushed live to their tabs."""

    member_id: int
    notification_id: int
