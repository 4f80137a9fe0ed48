"""Composer drafts: what a member is writing, kept on the server as they type.

One draft per member and key: `topic:<category id>` (a new topic), `reply:<topic id>`,
`edit:<post id>`. The composer saves it every few seconds (rate-limited) and offers it
back when the member returns; posting deletes it (in the posting transaction), and the
member can discard it. A draft for something that went away (a deleted topic or post, a
locked topic) is refused with a message and nothing is written. Drafts are private: no
event is emitted, nothing else reads them. Drafts left alone for 90 days are purged by a
periodic job.
"""

from __future__ import annotations

import contextlib
import re
from datetime import datetime, timedelta
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import DateTime, ForeignKey, String, Text, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from app.community.forums import access
from app.community.forums.events import PostCreated, PostEdited
from app.community.forums.models import Post, Topic
from app.community.forums.services.base import BODY_MAX, TITLE_MAX
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import EventBus
from app.core.guards import require_can_write
from app.core.jobs import add_job
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement.events import MemberErased

KEY = re.compile(r"(topic|reply|edit):([1-9][0-9]{0,17})")


class Draft(db.Model):
    __tablename__ = "drafts"
    __table_args__ = (UniqueConstraint("member_id", "key", name="uq_drafts_member_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def topic_key(category_id: int) -> str:
    return f"topic:{category_id}"


def reply_key(topic_id: int) -> str:
    return f"reply:{topic_id}"


def edit_key(post_id: int) -> str:
    return f"edit:{post_id}"


def _parse(key: str) -> tuple[str, int]:
    match = KEY.fullmatch(key or "")
    if match is None:
        raise Invalid({"key": _("This draft is for nothing we know.")})
    return match[1], int(match[2])


def _require_member(actor: Any) -> None:
    if not access.is_member(actor):
        raise PermissionDenied(_("Log in to take part."))


def _check_target(actor: Any, kind: str, target_id: int) -> None:
    """The thing the draft is for must still take what the member is writing."""
    if kind == "topic":
        access.category_by_id(actor, target_id)
        return
    if kind == "reply":
        topic = db.session.get(Topic, target_id)
        if topic is None or topic.deleted_at is not None:
            raise Invalid({"body": _("This topic was deleted: your draft cannot be kept.")})
        access.visible_topic(actor, topic)
        if topic.locked and not actor.is_staff:
            raise Invalid({"body": _("This topic is locked: your draft cannot be kept.")})
        return
    post = db.session.get(Post, target_id)
    if post is None or post.deleted_at is not None or post.topic.deleted_at is not None:
        raise Invalid({"body": _("This post was deleted: your draft cannot be kept.")})
    access.visible_topic(actor, post.topic)
    if post.author_id != actor.id and not actor.is_staff:
        raise PermissionDenied(_("You can only edit your own posts."))


def save_draft(actor: Any, key: str, body: str | None, title: str | None = None) -> Draft | None:
    """Keep the member's text under `key` (one draft per member and key, the last wins);
    an empty composer deletes the draft. Refused when the target went away."""
    _require_member(actor)
    kind, target_id = _parse(key)
    body = (body or "").replace("\x00", "").replace("\r\n", "\n")
    title = " ".join((title or "").replace("\x00", "").split()) if kind == "topic" else ""
    if len(body) > BODY_MAX:
        raise Invalid({"body": _("A post has at most %(n)s characters.", n=f"{BODY_MAX:,}")})
    if len(title) > TITLE_MAX:
        raise Invalid({"title": _("A title has at most %(n)d characters.", n=TITLE_MAX)})
    with unit_of_work():
        require_can_write(actor, "draft")
        _check_target(actor, kind, target_id)
        if not body.strip() and not title:
            _delete(actor.id, key)
            return None
        now = utcnow()
        statement = dialect_insert(Draft).values(
            member_id=actor.id, key=key, title=title, body=body, updated_at=now
        )
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id", "key"],
                set_={"title": title, "body": body, "updated_at": now},
            )
        )
        draft = db.session.scalars(
            select(Draft)
            .where(Draft.member_id == actor.id, Draft.key == key)
            .execution_options(populate_existing=True)
        ).one()
    return draft


def get_draft(actor: Any, key: str) -> Draft | None:
    """The member's draft under `key`, if any (visitors have none)."""
    if not access.is_member(actor):
        return None
    return db.session.scalar(select(Draft).where(Draft.member_id == actor.id, Draft.key == key))


def _delete(member_id: int, key: str) -> None:
    db.session.execute(delete(Draft).where(Draft.member_id == member_id, Draft.key == key))


def discard_draft(actor: Any, key: str) -> None:
    """Delete the member's draft under `key`; nothing to delete is fine (a double click)."""
    _require_member(actor)
    _parse(key)
    with unit_of_work():
        _delete(actor.id, key)


def discard_quietly(actor: Any, key: str) -> None:
    """After a post was made: delete its draft; a failure here never fails the post."""
    with contextlib.suppress(Invalid, NotFound, PermissionDenied):
        discard_draft(actor, key)


def _forget_draft_of_post(event: PostCreated) -> None:
    """The post is made: its draft goes in the same transaction (a new topic's first post
    clears the category's new-topic draft)."""
    key = topic_key(event.category_id) if event.post_number == 1 else reply_key(event.topic_id)
    _delete(event.author_id, key)


def _forget_draft_of_edit(event: PostEdited) -> None:
    _delete(event.editor_id, edit_key(event.post_id))


def _forget_drafts_of_erased(event: MemberErased) -> None:
    """An erased account's unfinished texts are personal data: they go with the erasure."""
    db.session.execute(delete(Draft).where(Draft.member_id == event.member_id))


def register(bus: EventBus) -> None:
    """In-transaction subscribers: a post and the end of its draft commit together."""
    bus.subscribe_in_transaction(PostCreated, _forget_draft_of_post)
    bus.subscribe_in_transaction(PostEdited, _forget_draft_of_edit)
    bus.subscribe_in_transaction(MemberErased, _forget_drafts_of_erased)


# Drafts untouched this long are forgotten (Discourse keeps them 180 days; a forum reply
# three months old is rarely finished).
DRAFT_MAX_AGE = timedelta(days=90)
PURGE_SECONDS = 3600.0


def purge_stale_drafts() -> int:
    """Delete the drafts not saved for DRAFT_MAX_AGE; returns how many went."""
    with unit_of_work():
        result = db.session.execute(
            delete(Draft).where(Draft.updated_at < utcnow() - DRAFT_MAX_AGE),
            execution_options={"synchronize_session": False},
        )
    return result.rowcount or 0


def register_jobs(app: Flask) -> None:
    add_job(app, "purge_stale_drafts", purge_stale_drafts, PURGE_SECONDS)
