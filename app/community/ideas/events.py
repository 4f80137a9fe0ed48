"""Domain events of ideas (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class IdeaCreated(DomainEvent):
    idea_id: int
    board_id: int
    author_id: int
    title: str


@dataclass(frozen=True)
class IdeaVoted(DomainEvent):
    """A member voted, or changed the importance of their vote (`changed`)."""

    idea_id: int
    board_id: int
    member_id: int
    importance: int
    changed: bool = False


@dataclass(frozen=True)
class IdeaVoteWithdrawn(DomainEvent):
    idea_id: int
    board_id: int
    member_id: int


@dataclass(frozen=True)
class IdeaStatusChanged(DomainEvent):
    """Staff or product moved an idea; `change_id` is its entry on the public timeline."""

    idea_id: int
    board_id: int
    actor_id: int
    change_id: int
    old_status: str
    new_status: str
    title: str
    has_response: bool


@dataclass(frozen=True)
class IdeaShipped(DomainEvent):
    """The loop closes: everything a later campaign needs to reach who asked for it.

    `voter_ids` are the members with a vote when it shipped (also queryable: the idea's
    IdeaVote rows); `product` is the board's product name in English.
    """

    idea_id: int
    board_id: int
    product: str
    product_interest_id: int | None
    author_id: int
    actor_id: int
    change_id: int
    title: str
    response: str
    voter_ids: tuple[int, ...]


@dataclass(frozen=True)
class IdeasMerged(DomainEvent):
    """`source_id` (B) was merged into `target_id` (A); `moved_votes` moved to A."""

    source_id: int
    target_id: int
    actor_id: int
    moved_votes: int


@dataclass(frozen=True)
class IdeasUnmerged(DomainEvent):
    source_id: int
    target_id: int
    actor_id: int
    returned_votes: int
