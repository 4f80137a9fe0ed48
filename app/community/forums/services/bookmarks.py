"""Bookmarks: a member keeps posts to come back to (a topic's bookmark is its first post).

Set and unset, never toggled: the unique (member, post) row is inserted with ON CONFLICT
DO NOTHING or deleted, and only a real change emits `PostBookmarked`. Bookmarks are
private: nobody else sees them, and no counter is kept.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete

from app.community.forums import access
from app.community.forums.events import PostBookmarked
from app.community.forums.models import Bookmark
from app.community.forums.services.base import require_member
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member


def set_bookmark(actor: Member, post_id: int, bookmarked: bool) -> bool:
    """Bookmark (`bookmarked=True`) or forget a post the member may read; returns the state.
    A deleted post can be un-bookmarked but not bookmarked."""
    require_member(actor)
    bookmarked = bool(bookmarked)
    with unit_of_work():
        post = access.get_post(actor, post_id)
        require_can_write(actor, "bookmark")
        table = Bookmark.__table__
        if bookmarked:
            if post.deleted_at is not None:
                raise Invalid({"bookmark": _("You cannot bookmark a deleted post.")})
            stmt = (
                dialect_insert(table)
                .values(
                    member_id=actor.id,
                    post_id=post.id,
                    topic_id=post.topic_id,
                    post_number=post.post_number,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["member_id", "post_id"])
                .returning(table.c.id)
            )
        else:
            stmt = (
                delete(table)
                .where(table.c.member_id == actor.id, table.c.post_id == post.id)
                .returning(table.c.id)
            )
        if db.session.execute(stmt).all():
            emit(
                PostBookmarked(
                    post_id=post.id,
                    topic_id=post.topic_id,
                    member_id=actor.id,
                    bookmarked=bookmarked,
                )
            )
    return bookmarked
