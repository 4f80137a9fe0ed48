"""Flags: members report a post to the community team, once per post.

A flag weighs what the flagger's trust level gives it (app.moderation.trust.flag_weight);
it opens (or adds to) the post's pending review item. When the item's weight reaches
FLAG_HIDE_THRESHOLD (default 3: three members of trust level 1 or more), or a member of
staff flags, the post is hidden pending review: its content is kept, its author is told
why (a `post_hidden` notice). The flag runs under the topic's row lock, so two flags at
once are counted one after the other, and a second flag by the same member is refused by
a unique (post, member) constraint rather than by a check that could race.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.community.forums import access
from app.community.forums.models import Post
from app.community.forums.services.base import topic_lock_statement
from app.community.forums.services.moderation_state import HIDDEN, VISIBLE, hide_post
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.time import utcnow
from app.extensions import db
from app.moderation import trust
from app.moderation.events import PostFlagged
from app.moderation.models import FLAG_REASONS, Flag
from app.moderation.review import open_item

COMMENT_MAX = 500
REASON_LABELS = {
    "spam": _l("Spam: an advertisement or a link farm"),
    "abusive": _l("Abusive: insulting, hateful or threatening"),
    "off_topic": _l("Off topic: does not belong in this discussion"),
    "other": _l("Something else (tell us what)"),
}


class AlreadyFlagged(Invalid):
    """The member flagged this post before: their first flag stands."""

    def __init__(self, flag: Flag) -> None:
        super().__init__(_("You already flagged this post: the community team will look at it."))
        self.flag = flag


def threshold() -> int:
    return int(current_app.config.get("FLAG_HIDE_THRESHOLD", 3))


def flaggable_post(actor: Any, post_id: int) -> Post:
    """A post `actor` may flag: one they can see, not theirs, not deleted."""
    if not access.is_member(actor):
        raise PermissionDenied(_("Log in to flag a post."))
    post = access.get_post(actor, post_id)
    if post.deleted_at is not None:
        raise NotFound()
    if post.moderation_state != VISIBLE and not actor.is_staff:
        raise NotFound()
    if post.author_id == actor.id:
        raise PermissionDenied(_("You cannot flag your own post."))
    return post


def existing_flag(member_id: int, post_id: int) -> Flag | None:
    return db.session.scalar(
        select(Flag).where(Flag.post_id == post_id, Flag.member_id == member_id)
    )


def flag_post(actor: Any, post_id: int, reason: str, comment: str = "") -> Flag:
    """Flag a post (spam, abusive, off topic, or other with a comment), once per post.

    The flag adds its weight to the post's review item; past the threshold (or flagged by
    staff) the post is hidden pending review and its author told why.
    """
    reason = (reason or "").strip()
    comment = " ".join((comment or "").split())
    errors = {}
    if reason not in FLAG_REASONS:
        errors["reason"] = _("Choose why you flag this post.")
    elif reason == "other" and not comment:
        errors["comment"] = _("Tell the community team what is wrong.")
    if len(comment) > COMMENT_MAX:
        errors["comment"] = _(
            "At most %(n)d characters (you wrote %(m)d).", n=COMMENT_MAX, m=len(comment)
        )
    with unit_of_work():
        require_can_write(actor, "flag")
        post = flaggable_post(actor, post_id)
        if errors:
            raise Invalid(errors)
        # Flags on one topic are counted one after the other (PostgreSQL row lock;
        # SQLite's writing transaction is already exclusive).
        db.session.scalars(topic_lock_statement(post.topic_id)).unique().one()
        weight = threshold() if actor.is_staff else trust.flag_weight(actor)
        inserted = db.session.execute(
            dialect_insert(Flag)
            .values(
                post_id=post.id,
                topic_id=post.topic_id,
                member_id=actor.id,
                reason=reason,
                comment=comment,
                weight=weight,
                status="pending",
                created_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["post_id", "member_id"])
            .returning(Flag.id)
        ).scalar()
        if inserted is None:
            raise AlreadyFlagged(existing_flag(actor.id, post.id))  # type: ignore[arg-type]
        flag = db.session.get(Flag, inserted)
        db.session.refresh(post)
        item = open_item(
            post,
            "flagged",
            "flags",
            details={f"flags_{reason}": 1, "flags": 1},
            weight=weight,
        )
        emit(
            PostFlagged(
                flag_id=inserted,
                post_id=post.id,
                topic_id=post.topic_id,
                member_id=actor.id,
                post_author_id=post.author_id,
                reason=reason,
                weight=weight,
            )
        )
        if post.moderation_state == VISIBLE and (actor.is_staff or item.flag_weight >= threshold()):
            hide_post(post, reason=f"flags:{_top_reason(item.details)}", actor_id=None)
    return flag  # type: ignore[return-value]


def _top_reason(details: dict[str, Any]) -> str:
    counts = {r: int(details.get(f"flags_{r}", 0)) for r in FLAG_REASONS}
    return max(counts, key=lambda r: (counts[r], r == "spam"))


def settle_flags(post_id: int, upheld: bool) -> int:
    """Mark the post's pending flags upheld or rejected (staff decided; inside their unit of
    work). Upheld flags count against the author's trust (flags_upheld)."""
    flags = db.session.scalars(
        select(Flag).where(Flag.post_id == post_id, Flag.status == "pending")
    ).all()
    for flag in flags:
        flag.status = "upheld" if upheld else "rejected"
    return len(flags)


def hidden_reason_label(reason: str) -> str:
    """The reason a hidden post shows its author (`flags:spam` → the spam label)."""
    if reason.startswith("flags:"):
        key = reason.split(":", 1)[1]
        label = REASON_LABELS.get(key)
        if label is not None:
            return _("Flagged by members: %(reason)s", reason=str(label))
        return _("Flagged by members")
    return reason


__all__ = ["HIDDEN", "flag_post", "settle_flags"]
