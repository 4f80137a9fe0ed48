"""Staff reading of the single customer view: a member's 360, the directory, the dashboard.

Every function is for staff (community managers and admins) and checks it. Queries are
bounded: a page of the timeline, a page of the directory, aggregates for the dashboard.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from app.core.db import unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.core.pagination import Page
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.engagement.models import (
    STAGES,
    EngagementEvent,
    LifecycleChange,
    MemberActiveDay,
    MemberProfile,
    StaffNote,
)
from app.members.engagement.rollups import growth
from app.members.models import TIERS, Member, MemberInterest

TIMELINE_PER_PAGE = 30
DIRECTORY_PER_PAGE = 50


def require_staff(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied(_("Only community managers can see customer profiles."))


def timeline(actor: Any, member_id: int, page: int) -> Page[EngagementEvent]:
    """Every interaction across channels, newest first, one page."""
    require_staff(actor)
    total = db.session.scalar(
        select(func.count())
        .select_from(EngagementEvent)
        .where(EngagementEvent.member_id == member_id)
    )
    items = db.session.scalars(
        select(EngagementEvent)
        .where(EngagementEvent.member_id == member_id)
        .order_by(EngagementEvent.occurred_at.desc(), EngagementEvent.id.desc())
        .limit(TIMELINE_PER_PAGE)
        .offset((page - 1) * TIMELINE_PER_PAGE)
    ).all()
    return Page(items, page, TIMELINE_PER_PAGE, total)


def topic_titles(actor: Any, events: list[EngagementEvent]) -> dict[int, str]:
    """Titles of the topics a timeline page mentions, those the actor may read (one
    query, under the forums' readability rule)."""
    from app.community.forums import access
    from app.community.forums.models import Topic

    require_staff(actor)
    ids = set()
    for e in events:
        raw = (e.properties or {}).get("topic_id") or (
            e.object_id if e.object_type == "topic" else None
        )
        if raw is not None and str(raw).isdigit():
            ids.add(int(raw))
    readable = access.readable_category_ids(actor)
    if not ids or not readable:
        return {}
    return dict(
        db.session.execute(
            select(Topic.id, Topic.title).where(
                Topic.id.in_(ids), Topic.category_id.in_(readable), Topic.deleted_at.is_(None)
            )
        ).all()
    )


def lifecycle_history(actor: Any, member_id: int) -> list[LifecycleChange]:
    require_staff(actor)
    return list(
        db.session.scalars(
            select(LifecycleChange)
            .where(LifecycleChange.member_id == member_id)
            .order_by(LifecycleChange.id.desc())
            .limit(20)
        )
    )


def notes(actor: Any, member_id: int) -> list[tuple[StaffNote, str | None]]:
    require_staff(actor)
    return db.session.execute(
        select(StaffNote, Member.username)
        .outerjoin(Member, Member.id == StaffNote.author_id)
        .where(StaffNote.member_id == member_id)
        .order_by(StaffNote.id.desc())
        .limit(50)
    ).all()


def add_note(actor: Any, member_id: int, body: str) -> StaffNote:
    """Staff write a private note on a member."""
    body = (body or "").strip()
    if not body or len(body) > 2000:
        raise Invalid({"body": _("Write a note of 1 to 2,000 characters.")})
    with unit_of_work():
        require_staff(actor)
        note = StaffNote(member_id=member_id, author_id=actor.id, body=body)
        db.session.add(note)
    return note


# --- directory -----------------------------------------------------------------------------


@dataclass
class Filters:
    tier: str = ""
    stage: str = ""
    interest: int | None = None
    score_min: float | None = None
    score_max: float | None = None
    value_min: float | None = None
    seen_days: int | None = None
    q: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        f = cls()
        f.tier = args.get("tier", "") if args.get("tier", "") in TIERS else ""
        f.stage = args.get("stage", "") if args.get("stage", "") in STAGES else ""
        f.q = (args.get("q") or "").strip()[:60]
        for name, kind in (
            ("interest", int),
            ("score_min", float),
            ("score_max", float),
            ("value_min", float),
            ("seen_days", int),
        ):
            raw = (args.get(name) or "").strip()
            if not raw:
                continue
            try:
                value = kind(raw)
                if value < 0:
                    raise ValueError
                setattr(f, name, value)
            except ValueError:
                f.errors[name] = _("Enter a number of 0 or more.")
        return f

    def query_args(self) -> dict[str, Any]:
        keys = (
            "tier",
            "stage",
            "interest",
            "score_min",
            "score_max",
            "value_min",
            "seen_days",
            "q",
        )
        return {k: getattr(self, k) for k in keys if getattr(self, k) not in (None, "")}


def _directory_query(f: Filters, now: datetime) -> Select:
    query = (
        select(Member, MemberProfile)
        .outerjoin(MemberProfile, MemberProfile.member_id == Member.id)
        .where(Member.erased_at.is_(None))
    )
    if f.tier:
        query = query.where(Member.tier == f.tier)
    if f.stage:
        query = query.where(MemberProfile.stage == f.stage)
    if f.q:
        query = query.where(Member.username_lower.like(f"%{f.q.lower()}%"))
    if f.interest is not None:
        query = query.where(
            Member.id.in_(
                select(MemberInterest.member_id).where(MemberInterest.interest_id == f.interest)
            )
        )
    scale = growth(now)
    if f.score_min is not None:
        query = query.where(MemberProfile.score_base >= f.score_min * scale)
    if f.score_max is not None:
        query = query.where(MemberProfile.score_base <= f.score_max * scale)
    if f.value_min is not None:
        query = query.where(MemberProfile.monetary_cents >= round(f.value_min * 100))
    if f.seen_days is not None:
        query = query.where(MemberProfile.last_seen_at >= now - timedelta(days=f.seen_days))
    return query


def directory(actor: Any, f: Filters, page: int) -> Page[tuple[Member, MemberProfile | None]]:
    require_staff(actor)
    now = utcnow()
    query = _directory_query(f, now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(MemberProfile.score_base.desc().nulls_last(), Member.id)
        .limit(DIRECTORY_PER_PAGE)
        .offset((page - 1) * DIRECTORY_PER_PAGE)
    ).all()
    return Page(rows, page, DIRECTORY_PER_PAGE, total)


def directory_rows(actor: Any, f: Filters, chunk: int = 1000) -> Iterator[list[tuple[Member, Any]]]:
    """Every matching member, in chunks by id (the CSV export streams them)."""
    require_staff(actor)
    now = utcnow()
    after = 0
    while True:
        rows = db.session.execute(
            _directory_query(f, now).where(Member.id > after).order_by(Member.id).limit(chunk)
        ).all()
        if not rows:
            return
        yield rows
        after = rows[-1][0].id


# --- dashboard -----------------------------------------------------------------------------


@dataclass
class Dashboard:
    by_tier: dict[str, int]
    by_stage: dict[str, int]
    active: dict[str, int]  # day, week, month
    daily_active: list[tuple[str, int]]
    new_members: list[tuple[str, int]]
    top: list[tuple[Member, MemberProfile]]
    top_share: float | None  # share of value from the top 20% of buyers
    buyers: int
    value_cents: int


def dashboard(actor: Any, now: datetime | None = None, days: int = 30) -> Dashboard:
    require_staff(actor)
    now = now or utcnow()
    live = Member.erased_at.is_(None)
    by_tier = dict(
        db.session.execute(
            select(Member.tier, func.count()).where(live).group_by(Member.tier)
        ).all()
    )
    by_stage = dict(
        db.session.execute(
            select(MemberProfile.stage, func.count()).group_by(MemberProfile.stage)
        ).all()
    )
    active = {}
    for label, span in (("day", 1), ("week", 7), ("month", 30)):
        active[label] = db.session.scalar(
            select(func.count())
            .select_from(MemberProfile)
            .where(MemberProfile.last_seen_at >= now - timedelta(days=span))
        )
    since = (now - timedelta(days=days - 1)).replace(hour=0, minute=0, second=0, microsecond=0)
    # The stored (day, member) rows, not the period's events: ~active members × days.
    per_day = {
        d.isoformat(): n
        for d, n in db.session.execute(
            select(MemberActiveDay.day, func.count())
            .where(MemberActiveDay.day >= since.date())
            .group_by(MemberActiveDay.day)
        )
    }
    daily = [((since + timedelta(days=i)).date().isoformat(), 0) for i in range(days)]
    daily = [(d, per_day.get(d, 0)) for d, _n in daily]
    weeks = 12
    start = now - timedelta(weeks=weeks)
    joined = Counter(
        (aware(created).date() - start.date()).days // 7
        for created in db.session.scalars(
            select(Member.created_at).where(Member.created_at >= start, live)
        )
    )
    new_members = [
        ((start + timedelta(weeks=i)).date().isoformat(), joined.get(i, 0)) for i in range(weeks)
    ]
    top = db.session.execute(
        select(Member, MemberProfile)
        .join(MemberProfile, MemberProfile.member_id == Member.id)
        .where(live)
        .order_by(MemberProfile.score_base.desc())
        .limit(10)
    ).all()
    values = list(
        db.session.scalars(
            select(MemberProfile.monetary_cents)
            .where(MemberProfile.monetary_cents > 0)
            .order_by(MemberProfile.monetary_cents.desc())
        )
    )
    total = sum(values)
    share = None
    if total:
        head = max(1, round(len(values) * 0.2))
        share = sum(values[:head]) / total
    return Dashboard(
        by_tier={t: by_tier.get(t, 0) for t in TIERS},
        by_stage={s: by_stage.get(s, 0) for s in STAGES},
        active=active,
        daily_active=daily,
        new_members=new_members,
        top=top,
        top_share=share,
        buyers=len(values),
        value_cents=total,
    )
