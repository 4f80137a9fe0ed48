"""What the forum services share: limits, input cleaning, row locks and counter updates.

Nothing here commits: each helper runs inside the calling service's `unit_of_work()`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select, update

from app.community.forums import access
from app.community.forums.models import Category, Post, Topic
from app.core.errors import NotFound, PermissionDenied, ServiceError
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.models import Member

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MIN, BODY_MAX = 2, 32_000
LOCK_REASON_MAX = 280
DUPLICATE_WINDOW = timedelta(seconds=60)
SLUG_MAX = 80


class DuplicateSubmission(ServiceError):
    """The same member sent the same text again within a minute: the first one stands."""

    def __init__(self, post: Post) -> None:
        super().__init__(_("You already posted this; here it is."))
        self.post = post


def slugify(title: str) -> str:
    """ASCII, lower-case, dash-separated; `topic` when nothing is left."""
    text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:SLUG_MAX].rstrip("-") or "topic"


def clean_title(title: str | None) -> str:
    return " ".join((title or "").replace("\x00", "").split())


def clean_body(body: str | None) -> str:
    # NUL bytes: nothing a member means, and PostgreSQL refuses them in text (a 500).
    return (body or "").replace("\x00", "").replace("\r\n", "\n").strip()


def title_error(title: str) -> str | None:
    if len(title) < TITLE_MIN:
        return _("Give your topic a title of at least %(n)d characters.", n=TITLE_MIN)
    if len(title) > TITLE_MAX:
        return _(
            "A title has at most %(n)d characters (yours has %(m)d).", n=TITLE_MAX, m=len(title)
        )
    return None


def body_error(body: str) -> str | None:
    if len(body) < BODY_MIN:
        return _("Write at least %(n)d characters.", n=BODY_MIN)
    if len(body) > BODY_MAX:
        return _(
            "A post has at most %(n)s characters (yours has %(m)s).",
            n=f"{BODY_MAX:,}",
            m=f"{len(body):,}",
        )
    return None


def require_member(actor: Any) -> None:
    if not access.is_member(actor):
        raise PermissionDenied(_("Log in to take part."))


def require_staff(actor: Any, message: str) -> None:
    require_member(actor)
    if not actor.is_staff:
        raise PermissionDenied(message)


def topic_lock_statement(topic_id: int) -> Select:
    """SELECT the topic FOR UPDATE OF the topics row only (PostgreSQL; SQLite ignores it).

    Topic eager-loads its category with a join: a bare FOR UPDATE would lock the category
    row too, serialising every write of a whole category behind one topic's.
    """
    return (
        select(Topic)
        .where(Topic.id == topic_id)
        .with_for_update(of=Topic)
        .execution_options(populate_existing=True)
    )


def topic_for_write(actor: Any, topic_id: int) -> Topic:
    """The topic, row-locked so post numbers and counters stay consistent; 404 if unseen."""
    topic = db.session.scalars(topic_lock_statement(topic_id)).unique().one_or_none()
    return access.visible_topic(actor, topic)


def post_for_write(actor: Any, post_id: int) -> tuple[Post, Topic]:
    """The post and its locked topic; the post is read again once the topic lock is held,
    so a concurrent delete or restore that committed meanwhile is seen."""
    topic_id = db.session.scalar(select(Post.topic_id).where(Post.id == post_id))
    if topic_id is None:
        raise NotFound()
    topic = topic_for_write(actor, topic_id)
    post = db.session.get(Post, post_id, populate_existing=True)
    if post is None or not access.sees_post(actor, post):
        raise NotFound()
    return post, topic


def bump_category(category_id: int, **deltas: Any) -> None:
    """Add to the category's `*_count` columns, set its other columns, in one UPDATE."""
    values = {}
    for name, value in deltas.items():
        column = getattr(Category, name)
        values[name] = column + value if name.endswith("_count") else value
    db.session.execute(
        update(Category).where(Category.id == category_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def refresh_category_last(category_id: int) -> None:
    """Point the category's "latest" at its most recently active visible topic."""
    row = db.session.execute(
        select(Topic.id, Topic.last_posted_at)
        .where(
            Topic.category_id == category_id,
            Topic.deleted_at.is_(None),
            Topic.moderation_state == "visible",
        )
        .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        .limit(1)
    ).first()
    bump_category(
        category_id,
        last_topic_id=row.id if row else None,
        last_posted_at=row.last_posted_at if row else None,
    )


def recount_category(category_id: int, **deltas: Any) -> None:
    """Apply count changes, then re-point "latest" (after a delete or a restore)."""
    bump_category(category_id, **deltas)
    db.session.flush()
    refresh_category_last(category_id)


def refresh_topic_last(topic: Topic) -> None:
    """Last activity = the newest visible post (after one was deleted or restored)."""
    row = db.session.execute(
        select(Post.created_at, Post.author_id)
        .where(
            Post.topic_id == topic.id,
            Post.deleted_at.is_(None),
            Post.moderation_state == "visible",
        )
        .order_by(Post.post_number.desc())
        .limit(1)
    ).first()
    if row is not None:
        topic.last_posted_at = row.created_at
        topic.last_poster_id = row.author_id


def duplicate_of(actor: Member, body: str, topic_id: int | None = None) -> Post | None:
    """The member's latest post, if it has this body (and topic) and is under a minute old."""
    last = db.session.scalar(
        select(Post)
        .where(Post.author_id == actor.id, Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    )
    if last is None or last.body != body:
        return None
    if topic_id is not None and last.topic_id != topic_id:
        return None
    if utcnow() - aware(last.created_at) > DUPLICATE_WINDOW:
        return None
    return last
