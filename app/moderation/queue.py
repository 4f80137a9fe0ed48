"""The review queue: what waits for a moderator, and who is handling what.

Reading: one page of items with their posts, topics and authors in one query, keyset
paginated on (created_at, id) through the (status, created_at) indexes, so the page costs
the same with ten or ten thousand items waiting. Claims: a moderator claims an item with
one conditional UPDATE (free, already theirs, or claimed longer ago than the claim time),
so two moderators never hold it at once; every decision takes the claim the same way first.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import aliased

from app.community.forums.models import Category, Post, Topic
from app.core.errors import Invalid, NotFound, PermissionDenied, ServiceError
from app.core.events import DomainEvent
from app.core.templating import request_cache
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation.models import Flag, ReviewItem

PER_PAGE = 25
CLAIM_MINUTES = 10

KIND_LABELS = {
    "held": _l("Held for approval"),
    "flagged": _l("Flagged"),
    "rule": _l("Rule hit"),
    "spam": _l("Spam check"),
}
REASON_LABELS = {
    "new_member": _l("New member"),
    "link_limit": _l("Too many links"),
    "image_limit": _l("Too many images"),
    "watched_word": _l("Watched word"),
    "duplicate_text": _l("Same text in several places"),
    "duplicate_links": _l("Same links in several places"),
    "velocity": _l("Posting too fast"),
    "flags": _l("Flags"),
    "staff_flag": _l("Flagged by staff"),
}
FLAG_REASON_LABELS = {
    "spam": _l("Spam"),
    "abusive": _l("Abusive"),
    "off_topic": _l("Off topic"),
    "other": _l("Other"),
}
STATUS_LABELS = {
    "pending": _l("Waiting"),
    "approved": _l("Approved"),
    "hidden": _l("Hidden"),
    "deleted": _l("Deleted"),
    "dismissed": _l("Dismissed"),
}
# Age filter: items waiting at least this long.
AGES = {
    "1h": (timedelta(hours=1), _l("Older than an hour")),
    "24h": (timedelta(hours=24), _l("Older than a day")),
    "7d": (timedelta(days=7), _l("Older than a week")),
}


def reason_label(code: str) -> str:
    label = REASON_LABELS.get(code)
    return str(label) if label else code.replace("_", " ")


class ClaimedByAnother(ServiceError):
    """Another moderator holds the item (HTTP 409): the message names them."""


@dataclass(frozen=True)
class ReviewItemClaimed(DomainEvent):
    """A moderator claimed (`claimed=True`) or released a review item."""

    item_id: int
    actor_id: int
    claimed: bool


@dataclass(frozen=True)
class ReviewItemResolved(DomainEvent):
    """A moderator decided on a review item: `decision` is approved, hidden, deleted,
    dismissed or restored (an earlier decision undone); `reason` is told to the author."""

    item_id: int
    post_id: int
    topic_id: int
    author_id: int | None
    actor_id: int
    decision: str
    reason: str


def claim_time() -> timedelta:
    return timedelta(minutes=int(current_app.config.get("MOD_CLAIM_MINUTES", CLAIM_MINUTES)))


def require_staff(actor: Any) -> None:
    if not (getattr(actor, "is_authenticated", False) and getattr(actor, "is_staff", False)):
        raise PermissionDenied(_("Only the community team can do this."))


# --- claims ---------------------------------------------------------------------------


def take(actor: Member, item_id: int, now: datetime | None = None) -> ReviewItem:
    """Inside a unit of work: claim the item for `actor` (one conditional UPDATE) and return
    it row-locked. Refused when it is decided already or another moderator holds it."""
    now = now or utcnow()
    stale = now - claim_time()
    claimed = db.session.execute(
        update(ReviewItem)
        .where(
            ReviewItem.id == item_id,
            ReviewItem.status == "pending",
            or_(
                ReviewItem.claimed_by_id.is_(None),
                ReviewItem.claimed_by_id == actor.id,
                ReviewItem.claimed_at < stale,
            ),
        )
        .values(
            claimed_by_id=actor.id,
            claimed_at=now,
            first_action_at=func.coalesce(ReviewItem.first_action_at, now),
        ),
        execution_options={"synchronize_session": False},
    ).rowcount
    item = db.session.get(ReviewItem, item_id, populate_existing=True, with_for_update=True)
    if item is None:
        raise NotFound()
    if claimed != 1:
        raise refusal(item)
    return item


def refusal(item: ReviewItem) -> ServiceError:
    """Why `item` cannot be taken: decided already, or held by another moderator."""
    if item.status != "pending":
        who = db.session.get(Member, item.resolved_by_id) if item.resolved_by_id else None
        return Invalid(
            _(
                "Already handled by %(name)s: %(status)s.",
                name=who.name if who else _("someone"),
                status=STATUS_LABELS.get(item.status, item.status),
            )
        )
    who = db.session.get(Member, item.claimed_by_id) if item.claimed_by_id else None
    free_at = aware(item.claimed_at) + claim_time() if item.claimed_at else utcnow()
    minutes = max(1, int((free_at - utcnow()).total_seconds() // 60) + 1)
    return ClaimedByAnother(
        _(
            "%(name)s is handling this item. It is free again if they leave it for "
            "%(minutes)d more minutes.",
            name=who.name if who else _("Another moderator"),
            minutes=minutes,
        )
    )


def claim(actor: Member, item_id: int) -> ReviewItem:
    """A moderator takes an item so that nobody else acts on it (for CLAIM_MINUTES)."""
    from app.core.db import unit_of_work
    from app.core.events import emit

    require_staff(actor)
    with unit_of_work():
        item = take(actor, item_id)
        emit(ReviewItemClaimed(item_id=item.id, actor_id=actor.id, claimed=True))
    return item


def release(actor: Member, item_id: int) -> ReviewItem:
    """A moderator gives back an item they hold (others' claims are left alone)."""
    from app.core.db import unit_of_work
    from app.core.events import emit

    require_staff(actor)
    with unit_of_work():
        released = db.session.execute(
            update(ReviewItem)
            .where(ReviewItem.id == item_id, ReviewItem.claimed_by_id == actor.id)
            .values(claimed_by_id=None, claimed_at=None),
            execution_options={"synchronize_session": False},
        ).rowcount
        item = db.session.get(ReviewItem, item_id, populate_existing=True)
        if item is None:
            raise NotFound()
        if released:
            emit(ReviewItemClaimed(item_id=item.id, actor_id=actor.id, claimed=False))
    return item


# --- reading --------------------------------------------------------------------------


@dataclass
class Filters:
    status: str = "pending"
    kind: str = ""
    reason: str = ""
    category_id: int | None = None
    age: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        status = args.get("status", "pending")
        kind = args.get("kind", "")
        try:
            category_id = int(args.get("category") or 0) or None
        except ValueError:
            category_id = None
        return cls(
            status=status if status in ("pending", "handled") else "pending",
            kind=kind if kind in KIND_LABELS else "",
            reason=(args.get("reason") or "")[:32],
            category_id=category_id,
            age=args.get("age") if args.get("age") in AGES else "",
        )

    def args(self) -> dict[str, Any]:
        out = {
            "status": self.status if self.status != "pending" else None,
            "kind": self.kind or None,
            "reason": self.reason or None,
            "category": self.category_id,
            "age": self.age or None,
        }
        return {k: v for k, v in out.items() if v}

    def conditions(self) -> list[Any]:
        if self.status == "pending":
            conds = [ReviewItem.status == "pending"]
        else:
            conds = [ReviewItem.status != "pending"]
        if self.kind:
            conds.append(ReviewItem.kind == self.kind)
        if self.reason:
            conds.append(ReviewItem.reason == self.reason)
        if self.category_id:
            conds.append(ReviewItem.category_id == self.category_id)
        if self.age:
            conds.append(ReviewItem.created_at <= utcnow() - AGES[self.age][0])
        return conds


@dataclass
class Row:
    item: ReviewItem
    post: Post
    topic: Topic
    author: Member | None
    claimer: Member | None
    resolver: Member | None
    flags: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)

    def claimed_by_other(self, viewer: Any, now: datetime) -> bool:
        item = self.item
        return (
            item.status == "pending"
            and item.claimed_by_id is not None
            and item.claimed_by_id != getattr(viewer, "id", None)
            and item.claimed_at is not None
            and aware(item.claimed_at) > now - claim_time()
        )

    def claimed_by_me(self, viewer: Any, now: datetime) -> bool:
        item = self.item
        return (
            item.status == "pending"
            and item.claimed_by_id == getattr(viewer, "id", None)
            and item.claimed_at is not None
            and aware(item.claimed_at) > now - claim_time()
        )


@dataclass
class QueuePage:
    rows: list[Row]
    total: int
    next_cursor: str | None
    filters: Filters
    first: bool


def _cursor(item: ReviewItem) -> str:
    return f"{aware(item.created_at).isoformat()}~{item.id}"


def _parse_cursor(raw: str | None) -> tuple[datetime, int] | None:
    if not raw or "~" not in raw:
        return None
    stamp, _sep, ident = raw.rpartition("~")
    try:
        return aware(datetime.fromisoformat(stamp)), int(ident)
    except ValueError:
        return None


def _rows_statement() -> Any:
    claimer = aliased(Member)
    resolver = aliased(Member)
    author = aliased(Member)
    return (
        select(ReviewItem, Post, Topic, author, claimer, resolver)
        .join(Post, Post.id == ReviewItem.post_id)
        .join(Topic, Topic.id == ReviewItem.topic_id)
        .outerjoin(author, author.id == ReviewItem.author_id)
        .outerjoin(claimer, claimer.id == ReviewItem.claimed_by_id)
        .outerjoin(resolver, resolver.id == ReviewItem.resolved_by_id)
    )


def _with_flags(rows: list[Row]) -> list[Row]:
    """The flags of the rows' posts, by reason, in one query."""
    if not rows:
        return rows
    by_post = {r.post.id: r for r in rows}
    for post_id, reason, comment in db.session.execute(
        select(Flag.post_id, Flag.reason, Flag.comment)
        .where(Flag.post_id.in_(by_post))
        .order_by(Flag.id)
    ):
        row = by_post[post_id]
        row.flags[reason] = row.flags.get(reason, 0) + 1
        if comment and len(row.comments) < 3:
            row.comments.append(comment)
    return rows


def queue_page(viewer: Any, filters: Filters, cursor: str | None = None) -> QueuePage:
    """One page of the queue: waiting items oldest first (handled ones newest first)."""
    require_staff(viewer)
    conds = filters.conditions()
    total = db.session.scalar(select(func.count()).select_from(ReviewItem).where(*conds)) or 0
    pending = filters.status == "pending"
    order = (
        (ReviewItem.created_at, ReviewItem.id)
        if pending
        else (ReviewItem.created_at.desc(), ReviewItem.id.desc())
    )
    stmt = _rows_statement().where(*conds)
    after = _parse_cursor(cursor)
    if after is not None:
        at, ident = after
        if pending:
            stmt = stmt.where(
                or_(
                    ReviewItem.created_at > at,
                    and_(ReviewItem.created_at == at, ReviewItem.id > ident),
                )
            )
        else:
            stmt = stmt.where(
                or_(
                    ReviewItem.created_at < at,
                    and_(ReviewItem.created_at == at, ReviewItem.id < ident),
                )
            )
    result = db.session.execute(stmt.order_by(*order).limit(PER_PAGE + 1)).all()
    rows = [Row(*r) for r in result[:PER_PAGE]]
    next_cursor = _cursor(rows[-1].item) if len(result) > PER_PAGE else None
    return QueuePage(_with_flags(rows), total, next_cursor, filters, after is None)


def row_for(viewer: Any, item_id: int) -> Row:
    """One item as the queue shows it (the live queue fetches new rows one by one)."""
    require_staff(viewer)
    found = db.session.execute(_rows_statement().where(ReviewItem.id == item_id)).first()
    if found is None:
        raise NotFound()
    return _with_flags([Row(*found)])[0]


_PENDING_KEY = "cercle.mod_pending"
PENDING_FRESH_SECONDS = 30.0


def pending_count() -> int:
    """Items waiting, counted (once per request); the process remembers it for the nav."""
    cache = request_cache(_PENDING_KEY)
    if "n" not in cache:
        cache["n"] = (
            db.session.scalar(
                select(func.count()).select_from(ReviewItem).where(ReviewItem.status == "pending")
            )
            or 0
        )
        current_app.extensions[_PENDING_KEY] = (cache["n"], time.monotonic())
    return cache["n"]


def remembered_pending_count() -> int | None:
    """The count a /mod/ page or /mod/count made in the last 30 s, or None: the nav of every
    other page shows it without a query (its script asks /mod/count when it is unknown)."""
    remembered = current_app.extensions.get(_PENDING_KEY)
    if remembered is None or time.monotonic() - remembered[1] > PENDING_FRESH_SECONDS:
        return None
    return remembered[0]


def forget_pending_count() -> None:
    current_app.extensions.pop(_PENDING_KEY, None)


def filter_choices() -> dict[str, Sequence[tuple[str, str]]]:
    """The reasons seen in the queue (a short grouped query) and the categories."""
    reasons = db.session.scalars(
        select(ReviewItem.reason).where(ReviewItem.status == "pending").group_by(ReviewItem.reason)
    ).all()
    known = sorted(set(reasons) | {"new_member", "flags", "watched_word", "link_limit"})
    categories = db.session.execute(
        select(Category.id, Category.name_en, Category.name_fr).order_by(
            Category.position, Category.id
        )
    ).all()
    return {"reasons": [(r, reason_label(r)) for r in known], "categories": categories}


POST_STATE_LABELS = {
    "visible": _l("Visible"),
    "held": _l("Awaiting approval"),
    "hidden": _l("Hidden"),
}


def post_state_label(post: Post) -> str:
    if post.deleted_at is not None:
        return str(_l("Deleted"))
    return str(POST_STATE_LABELS.get(post.moderation_state, post.moderation_state))


def template_context() -> dict[str, Any]:
    """What the queue's templates use (the pages and the live queue's pushed rows)."""
    return {
        "kind_labels": KIND_LABELS,
        "reason_label": reason_label,
        "flag_labels": FLAG_REASON_LABELS,
        "status_labels": STATUS_LABELS,
        "ages": AGES,
        "post_state_label": post_state_label,
        "utcnow": utcnow,
    }
