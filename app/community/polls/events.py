"""Domain events of co-design polls (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class PollCreated(DomainEvent):
    poll_id: int
    author_id: int
    kind: str


@dataclass(frozen=True)
class PollUpdated(DomainEvent):
    poll_id: int
    actor_id: int


@dataclass(frozen=True)
class PollClosed(DomainEvent):
    """Closed early by the product team (a poll reaching its close date emits nothing)."""

    poll_id: int
    actor_id: int


@dataclass(frozen=True)
class PollAnswered(DomainEvent):
    """A member answered a poll (once per member and poll). `tier` is the snapshot."""

    poll_id: int
    answer_id: int
    member_id: int
    tier: str
    topic_id: int | None
    idea_id: int | None
