"""Likes, reactions and follows: set and unset, never toggles.

A caller says which state it wants, so a double click, a retried request or two requests
racing end in that state, not in its opposite. The unique constraints on (post, member)
and (topic, member) decide which request actually changed something: the row is written
with INSERT ... ON CONFLICT DO NOTHING or removed with DELETE, and only a row actually
inserted or deleted moves a counter and emits an event.

Reactions (a small set of emoji, `FORUM_REACTIONS`) sit beside the like: one row per
member, post and emoji; their counts are stored on the post (`Post.reaction_counts`),
updated under the topic's row lock, so a page shows them without counting.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from app.community.forums import access
from app.community.forums.events import PostLiked, PostReacted, PostUnliked, TopicFollowed
from app.community.forums.models import Post, PostLike, PostReaction, Topic, TopicFollow
from app.community.forums.services.base import post_for_write, require_member
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member

DEFAULT_REACTIONS = ("👍", "🎉", "😂", "😮", "🙏")


def reaction_set() -> tuple[str, ...]:
    """The configured reactions, in display order (`FORUM_REACTIONS`)."""
    configured = current_app.config.get("FORUM_REACTIONS") or DEFAULT_REACTIONS
    if isinstance(configured, str):
        configured = configured.split()
    return tuple(configured)


def _set_row(model: Any, present: bool, **keys: Any) -> int:
    """Insert (ON CONFLICT DO NOTHING) or delete the row with these unique keys; returns
    how many rows this call really changed (0 when it was already in the asked state)."""
    table = model.__table__
    if present:
        stmt = (
            dialect_insert(table)
            .values(**keys, created_at=utcnow())
            .on_conflict_do_nothing(index_elements=list(keys))
            .returning(table.c.id)
        )
    else:
        stmt = (
            delete(table)
            .where(*(table.c[name] == value for name, value in keys.items()))
            .returning(table.c.id)
        )
    return len(db.session.execute(stmt).all())


def set_like(actor: Member, post_id: int, liked: bool) -> tuple[bool, int]:
    """The member likes (`liked=True`) or stops liking a visible post: one like per member
    and post, never on one's own or a deleted post. Returns (liked, the post's like count).

    The topic row is locked first (as every topic write does), so a like cannot slip in
    between a delete of the post and the topic's like count losing the post's likes.
    """
    require_member(actor)
    liked = bool(liked)
    with unit_of_work():
        require_can_write(actor, "like")
        post, topic = post_for_write(actor, post_id)
        if post.deleted_at is not None or topic.deleted_at is not None:
            raise Invalid(_("You cannot like a deleted post."))
        if post.author_id == actor.id:
            raise Invalid(_("You cannot like your own post."))
        changed = _set_row(PostLike, liked, post_id=post.id, member_id=actor.id)
        if changed:
            delta = changed if liked else -changed
            # Topic before post: the order delete_post takes them in (no lock cycle).
            db.session.execute(
                update(Topic)
                .where(Topic.id == topic.id)
                .values(like_count=Topic.like_count + delta),
                execution_options={"synchronize_session": False},
            )
            db.session.execute(
                update(Post).where(Post.id == post.id).values(like_count=Post.like_count + delta),
                execution_options={"synchronize_session": False},
            )
            event = PostLiked if liked else PostUnliked
            emit(
                event(
                    post_id=post.id,
                    topic_id=topic.id,
                    member_id=actor.id,
                    post_author_id=post.author_id,
                )
            )
        count = db.session.scalar(select(Post.like_count).where(Post.id == post.id))
        # The ORM objects still hold the counts read before the UPDATEs.
        db.session.expire(post, ["like_count"])
        db.session.expire(topic, ["like_count"])
    return liked, int(count or 0)


def set_reaction(
    actor: Member, post_id: int, reaction: str, present: bool
) -> tuple[bool, dict[str, int]]:
    """The member adds (`present=True`) or removes one reaction of `FORUM_REACTIONS` on a
    visible post that is not their own. Returns (present, the post's reaction counts)."""
    require_member(actor)
    present = bool(present)
    if reaction not in reaction_set():
        raise Invalid({"reaction": _("Choose one of the reactions offered.")})
    with unit_of_work():
        post, topic = post_for_write(actor, post_id)
        if post.deleted_at is not None or topic.deleted_at is not None:
            raise Invalid({"reaction": _("You cannot react to a deleted post.")})
        if post.author_id == actor.id:
            raise Invalid({"reaction": _("You cannot react to your own post.")})
        require_can_write(actor, "like")
        changed = _set_row(
            PostReaction, present, post_id=post.id, member_id=actor.id, reaction=reaction
        )
        counts = dict(post.reaction_counts or {})
        if changed:
            # Read after the topic's row lock: no other writer moves these counts meanwhile.
            counts[reaction] = max(0, counts.get(reaction, 0) + (1 if present else -1))
            post.reaction_counts = {k: v for k, v in counts.items() if v > 0}
            counts = dict(post.reaction_counts)
            emit(
                PostReacted(
                    post_id=post.id,
                    topic_id=topic.id,
                    member_id=actor.id,
                    post_author_id=post.author_id,
                    reaction=reaction,
                    reacted=present,
                )
            )
    return present, counts


def set_follow(actor: Member, topic_id: int, following: bool) -> bool:
    """The member follows (`following=True`) or stops following a topic they may read.
    Returns `following`; TopicFollowed is emitted only when the state changed."""
    require_member(actor)
    following = bool(following)
    with unit_of_work():
        require_can_write(actor, "follow")
        topic = access.get_topic(actor, topic_id)
        if _set_row(TopicFollow, following, topic_id=topic.id, member_id=actor.id):
            emit(TopicFollowed(topic_id=topic.id, member_id=actor.id, following=following))
    return following
