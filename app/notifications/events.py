"""Domain events of the notifications area."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MailQueued:
    message_id: int
