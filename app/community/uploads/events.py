"""Domain events of uploads (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class ImageUploaded(DomainEvent):
    """A member stored a new image (not emitted when the same image is sent again)."""

    upload_id: int
    member_id: int
    byte_size: int
