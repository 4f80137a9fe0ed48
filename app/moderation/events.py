"""Domain events of moderation (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class ReviewItemOpened(DomainEvent):
    """A post entered the review queue, or a pending item gained a new reason (a flag)."""

    item_id: int
    post_id: int
    topic_id: int
    category_id: int
    kind: str
    reason: str


@dataclass(frozen=True)
class PostFlagged(DomainEvent):
    """A member flagged a post (`weight`: what their trust level gives the flag)."""

    flag_id: int
    post_id: int
    topic_id: int
    member_id: int
    post_author_id: int
    reason: str
    weight: int


@dataclass(frozen=True)
class TrustLevelChanged(DomainEvent):
    """A member's trust level changed (`actor_id` None: recomputed from activity)."""

    member_id: int
    old_level: int
    new_level: int
    locked: bool
    actor_id: int | None


@dataclass(frozen=True)
class SanctionApplied(DomainEvent):
    """Staff warned, silenced or suspended a member (`ends_at` ISO 8601 or None)."""

    sanction_id: int
    member_id: int
    kind: str
    actor_id: int
    ends_at: str | None


@dataclass(frozen=True)
class SanctionLifted(DomainEvent):
    """Staff lifted a silence or suspension before its end."""

    sanction_id: int
    member_id: int
    kind: str
    actor_id: int
