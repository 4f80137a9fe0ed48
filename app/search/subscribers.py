"""Search follows the areas' events durably: each handler only queues document keys.

The queue row is written in the worker's transaction with the subscriber's position, so
no update is lost and a repeated event only bumps a version; the index itself is written
by the drain job (app/search/jobs.py), outside the database transaction.
"""

from __future__ import annotations

from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostEdited,
    PostHidden,
    PostMadeVisible,
    PostRestored,
    TopicCreated,
    TopicMoved,
    TopicsMerged,
    TopicSplit,
    TopicStructureUndone,
)
from app.core.events import EventBus
from app.members.engagement.events import MemberErased
from app.search.indexing import enqueue
from app.search.sources import forums


def _post(evt: PostCreated | PostEdited | TopicCreated) -> None:
    enqueue([f"{forums.NAME}:{evt.post_id}"])


def _deleted(evt: PostDeleted) -> None:
    if evt.topic_deleted:
        enqueue(forums.topic_keys(evt.topic_id))
    else:
        enqueue([f"{forums.NAME}:{evt.post_id}"])


def _restored(evt: PostRestored) -> None:
    if evt.topic_restored:
        enqueue(forums.topic_keys(evt.topic_id))
    else:
        enqueue([f"{forums.NAME}:{evt.post_id}"])


def _moderated(evt: PostHidden | PostMadeVisible) -> None:
    """Hidden or shown again by moderation: the post (or its whole topic) is built again;
    the source leaves out what is not visible to everyone."""
    whole = evt.topic_hidden if isinstance(evt, PostHidden) else evt.topic_shown
    enqueue(forums.topic_keys(evt.topic_id) if whole else [f"{forums.NAME}:{evt.post_id}"])


def _restructured(evt: TopicMoved | TopicsMerged | TopicSplit | TopicStructureUndone) -> None:
    """Posts moved to another topic or category: each topic's posts are built again."""
    if isinstance(evt, TopicMoved):
        topics = [evt.topic_id]
    elif isinstance(evt, TopicsMerged):
        topics = [evt.source_topic_id, evt.target_topic_id]
    elif isinstance(evt, TopicSplit):
        topics = [evt.source_topic_id, evt.new_topic_id]
    else:
        topics = list(evt.topic_ids)
    enqueue([key for topic_id in topics for key in forums.topic_keys(topic_id)])


def _erased(evt: MemberErased) -> None:
    """An erased member's posts are indexed again under their new, anonymous name."""
    enqueue(forums.author_keys(evt.member_id))


def register(bus: EventBus) -> None:
    bus.subscribe_durable(
        "search_index",
        {
            TopicCreated: _post,
            PostCreated: _post,
            PostEdited: _post,
            PostDeleted: _deleted,
            PostRestored: _restored,
            PostHidden: _moderated,
            PostMadeVisible: _moderated,
            TopicMoved: _restructured,
            TopicsMerged: _restructured,
            TopicSplit: _restructured,
            TopicStructureUndone: _restructured,
            MemberErased: _erased,
        },
    )
