"""Domain events of the notifications area."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class MailQueued(DomainEvent):
    message_id: int
