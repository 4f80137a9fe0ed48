"""Domain events of the search area (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class Searched(DomainEvent):
    """Someone ran a search: for engagement ("searched"), never for the index."""

    member_id: int | None
    visitor_id: str | None
    query: str
    result_count: int
