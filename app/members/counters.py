"""Members' activity counters (topics, posts, likes received), kept from forum events.

Each event adds or takes one with a single `UPDATE ... SET x = x + 1`, so concurrent events
never lose a count and the forums never import members' code.
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
from app.core.db import unit_of_work
from app.core.events import EventBus
from app.extensions import db
from app.members.models import Member


def _add(member_id: int, **deltas: int) -> None:
    values = {name: getattr(Member, name) + delta for name, delta in deltas.items() if delta}
    if not values:
        return
    with unit_of_work():
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
    bus.subscribe(TopicCreated, _topic_created)
    bus.subscribe(PostCreated, _post_created)
    bus.subscribe(PostDeleted, _post_deleted)
    bus.subscribe(PostRestored, _post_restored)
    bus.subscribe(PostLiked, _post_liked)
    bus.subscribe(PostUnliked, _post_unliked)
