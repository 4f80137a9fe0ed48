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
    # Why staff changed someone else's post ("" for an author's own edit).
    reason: str = ""


@dataclass(frozen=True)
class PostDeleted(DomainEvent):
    """Soft delete; `topic_deleted` when the post was the first one (the topic went too)."""

    post_id: int
    topic_id: int
    actor_id: int
    author_id: int
    topic_deleted: bool
    # Why staff did it, shown to its author; "" for an author's own.
    reason: str = ""
    # False for a held or hidden post: the counters never had it (nothing to take away).
    counted: bool = True


@dataclass(frozen=True)
class PostRestored(DomainEvent):
    post_id: int
    topic_id: int
    actor_id: int
    author_id: int
    topic_restored: bool
    # Why staff did it, shown to its author; "" for an author's own.
    reason: str = ""
    counted: bool = True


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


@dataclass(frozen=True)
class SolutionMarked(DomainEvent):
    """The asker or staff marked a reply as the topic's solution (`replaced_post_id`: the
    reply that was the solution before, if any)."""

    topic_id: int
    category_id: int
    post_id: int
    actor_id: int
    post_author_id: int
    replaced_post_id: int | None


@dataclass(frozen=True)
class SolutionUnmarked(DomainEvent):
    """The asker or staff took the solution mark off a reply (the topic is unsolved)."""

    topic_id: int
    category_id: int
    post_id: int
    actor_id: int
    post_author_id: int


@dataclass(frozen=True)
class PostReacted(DomainEvent):
    """A member added (`reacted=True`) or removed one reaction (an emoji) on a post."""

    post_id: int
    topic_id: int
    member_id: int
    post_author_id: int
    reaction: str
    reacted: bool


@dataclass(frozen=True)
class PostBookmarked(DomainEvent):
    """A member bookmarked (`bookmarked=True`) or stopped bookmarking a post."""

    post_id: int
    topic_id: int
    member_id: int
    bookmarked: bool


@dataclass(frozen=True)
class TopicMoved(DomainEvent):
    """Staff moved a topic to another category (`change_id`: its undoable record)."""

    topic_id: int
    from_category_id: int
    to_category_id: int
    actor_id: int
    change_id: int
    reason: str


@dataclass(frozen=True)
class TopicsMerged(DomainEvent):
    """Staff merged a topic into another: its posts now follow the target's."""

    source_topic_id: int
    target_topic_id: int
    actor_id: int
    change_id: int
    post_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class TopicSplit(DomainEvent):
    """Staff moved replies of a topic into a new topic."""

    source_topic_id: int
    new_topic_id: int
    category_id: int
    actor_id: int
    change_id: int
    post_ids: tuple[int, ...]
    reason: str


@dataclass(frozen=True)
class TopicStructureUndone(DomainEvent):
    """Staff undid a move, merge or split (`kind`); the posts are back where they were."""

    change_id: int
    kind: str
    actor_id: int
    topic_ids: tuple[int, ...]


@dataclass(frozen=True)
class PostHeld(DomainEvent):
    """A new post waits for approval (`reason`: a short code such as `new_member`); held
    first posts hold their topic (`topic_held`). No PostCreated until it is approved."""

    post_id: int
    topic_id: int
    category_id: int
    author_id: int
    post_number: int
    reason: str
    topic_held: bool


@dataclass(frozen=True)
class PostHidden(DomainEvent):
    """A post was hidden (by flags or staff; `actor_id` None for flags), content kept.
    `was_counted`: it was visible, so the counters lost it; `topic_hidden`: it was the
    first post, the topic went with it."""

    post_id: int
    topic_id: int
    category_id: int
    author_id: int
    actor_id: int | None
    reason: str
    was_counted: bool
    topic_hidden: bool


@dataclass(frozen=True)
class PostMadeVisible(DomainEvent):
    """A held or hidden post is visible to everyone again (approved or restored by staff).
    `first_time`: it had never been visible (PostCreated, and TopicCreated for a first
    post, follow it as for a new post); `topic_shown`: its topic became visible with it."""

    post_id: int
    topic_id: int
    category_id: int
    author_id: int
    actor_id: int | None
    previous_state: str
    first_time: bool
    topic_shown: bool
