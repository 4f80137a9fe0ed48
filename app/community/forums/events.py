"""Domain events of the forums (payloads documented in docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from app.core.events import DomainEvent


@dataclass(frozen=True)
class TopicViewed(DomainEvent):
    """A member or visitor viewed a topic for the first time today (counted once a day)."""

    topic_id: int
    member_id: int | None
    viewer_key: str


@dataclass(frozen=True)
class TopicCreated(DomainEvent):
    """A member started a topic (its first post also emits PostCreated)."""

    topic_id: int
    category_id: int
    author_id: int
    post_id: int
    title: str


@dataclass(frozen=True)
class PostCreated(DomainEvent):
    post_id: int
    topic_id: int
    category_id: int
    author_id: int
    post_number: int
    reply_to_post_id: int | None


@dataclass(frozen=True)
class PostEdited(DomainEvent):
    post_id: int
    topic_id: int
    editor_id: int
    author_id: int
    revision_number: int
    title_changed: bool


@dataclass(frozen=True)
class PostDeleted(DomainEvent):
    """Soft delete; `topic_deleted` when the post was the first one (the topic went too)."""

    post_id: int
    topic_id: int
    actor_id: int
    author_id: int
    topic_deleted: bool


@dataclass(frozen=True)
class PostRestored(DomainEvent):
    post_id: int
    topic_id: int
    actor_id: int
    author_id: int
    topic_restored: bool


@dataclass(frozen=True)
class PostLiked(DomainEvent):
    post_id: int
    topic_id: int
    member_id: int
    post_author_id: int


@dataclass(frozen=True)
class PostUnliked(DomainEvent):
    post_id: int
    topic_id: int
    member_id: int
    post_author_id: int


@dataclass(frozen=True)
class TopicFollowed(DomainEvent):
    """A member started (`following=True`) or stopped following a topic."""

    topic_id: int
    member_id: int
    following: bool


@dataclass(frozen=True)
class TopicPinned(DomainEvent):
    """Staff pinned (`pinned=True`) or unpinned a topic."""

    topic_id: int
    category_id: int
    actor_id: int
    pinned: bool


@dataclass(frozen=True)
class TopicLocked(DomainEvent):
    """Staff locked (`locked=True`, with the reason shown to members) or unlocked a topic."""

    topic_id: int
    category_id: int
    actor_id: int
    locked: bool
    reason: str
