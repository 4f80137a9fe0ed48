"""Members' activity counters (topics, posts, likes received), kept from forum events.

A durable subscriber (`member_counters`): the worker runs these handlers in its own
transaction together with the subscriber's position, so each event counts exactly once
even if the worker dies mid-batch. Each adds or takes one with a single
`UPDATE ... SET x = x + 1`, and the forums never import members' code.
`flask counters recount` repairs them from the forum tables (app/members/recount.py).
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, update

from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostHidden,
    PostLiked,
    PostMadeVisible,
    PostRestored,
    PostUnliked,
    TopicCreated,
)
from app.core.events import EventBus
from app.extensions import db
from app.members.models import Member


@cache
def _statement(names: tuple[str, ...]):  # type: ignore[no-untyped-def]
    """One Core UPDATE per set of columns, built once: the worker runs thousands a second."""
    table = Member.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("member_id"))
        .values({name: table.c[name] + bindparam(f"d_{name}") for name in names})
    )


def _add(member_id: int, **deltas: int) -> None:
    changes = {name: delta for name, delta in deltas.items() if delta}
    if not changes:
        return
    params = {"member_id": member_id, **{f"d_{name}": d for name, d in changes.items()}}
    db.session.execute(_statement(tuple(sorted(changes))), params)


def _topic_created(evt: TopicCreated) -> None:
    _add(evt.author_id, topic_count=1)


def _post_created(evt: PostCreated) -> None:
    _add(evt.author_id, post_count=1)


def _post_deleted(evt: PostDeleted) -> None:
    if evt.counted:  # a held or hidden post was never counted
        _add(evt.author_id, post_count=-1, topic_count=-1 if evt.topic_deleted else 0)


def _post_restored(evt: PostRestored) -> None:
    if evt.counted:
        _add(evt.author_id, post_count=1, topic_count=1 if evt.topic_restored else 0)


def _post_hidden(evt: PostHidden) -> None:
    """Moderation hid a visible post: it leaves the counts as a deleted one does."""
    if evt.was_counted:
        _add(evt.author_id, post_count=-1, topic_count=-1 if evt.topic_hidden else 0)


def _post_made_visible(evt: PostMadeVisible) -> None:
    """A hidden post shown again counts again; a held post shown for the first time is
    counted by the PostCreated (and TopicCreated) that follow it."""
    if not evt.first_time:
        _add(evt.author_id, post_count=1, topic_count=1 if evt.topic_shown else 0)


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
            PostHidden: _post_hidden,
            PostMadeVisible: _post_made_visible,
            PostLiked: _post_liked,
            PostUnliked: _post_unliked,
        },
    )
