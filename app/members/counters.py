"""Members' activity counters (topics, posts, likes received), kept from forum events.

A durable subscriber (`member_counters`): the worker runs these handlers in its own
transaction together with the subscriber's position, so each event counts exactly once
even if the worker dies mid-batch. Each adds or takes one with a single
`UPDATE ... SET x = x + 1`, and the forums never import members' code.
`flask counters recount` repairs them from the forum tables (app/members/recount.py).
"""

from __future__ import annotations

from sqlalchemy import update

from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostLiked,
    PostRestored,
    PostUnliked,
    TopicCreated,
)
from app.core.events import EventBus
from app.extensions import db
from app.members.models import Member


def _add(member_id: int, **deltas: int) -> None:
    values = {name: getattr(Member, name) + delta for name, delta in deltas.items() if delta}
    if not values:
        return
    db.session.execute(
        update(Member).where(Member.id == member_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def _topic_created(evt: TopicCreated) -> None:
    _add(evt.author_id, topic_count=1)


def _post_created(evt: PostCreated) -> None:
    _add(evt.author_id, post_count=1)


def _post_deleted(evt: PostDeleted) -> None:
    _add(evt.author_id, post_count=-1, topic_count=-1 if evt.topic_deleted else 0)


def _post_restored(evt: PostRestored) -> None:
    _add(evt.author_id, post_count=1, topic_count=1 if evt.topic_restored else 0)


def _post_liked(evt: PostLiked) -> None:
    _add(evt.post_author_id, likes_received=1)


def _post_unliked(evt: PostUnliked) -> None:
    _add(evt.post_author_id, likes_received=-1)


def register(bus: EventBus) -> None:
    bus.subscribe_durable(
        "member_counters",
        {
            TopicCreated: _topic_created,
            PostCreated: _post_created,
            PostDeleted: _post_deleted,
            PostRestored: _post_restored,
            PostLiked: _post_liked,
            PostUnliked: _post_unliked,
        },
    )
