"""Numbers for the community manager: the queue, how fast it is handled, what is flagged.

Weeks are ISO weeks (Monday first), the last WEEKS of them; grouping by week is done over
the window's timestamps in Python, the same on SQLite and PostgreSQL; counts by reason and
category are grouped in SQL on indexed columns.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import format_date
from sqlalchemy import func, select

from app.community.forums.models import Category, Topic
from app.core.time import aware, utcnow
from app.extensions import db
from app.moderation.models import Flag, ReviewItem
from app.moderation.queue import FLAG_REASON_LABELS, require_staff

WEEKS = 12


@dataclass
class Metrics:
    pending: int
    oldest_pending_at: datetime | None
    median_first_action_hours: float | None
    handled_in_window: int
    opened_weekly: list[tuple[str, int]]
    handled_weekly: list[tuple[str, int]]
    median_weekly: list[tuple[str, float]]
    flags_weekly: list[tuple[str, int]]
    flags_by_reason: list[tuple[str, int]]
    flags_by_category: list[tuple[str, int]]
    by_status: dict[str, int]


def _monday(moment: datetime) -> date:
    day = aware(moment).date()
    return day - timedelta(days=day.weekday())


def _weeks(now: datetime) -> list[date]:
    this = _monday(now)
    return [this - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _label(week: date) -> str:
    return format_date(week, "d MMM")


def _bucket(stamps: list[datetime], weeks: list[date]) -> list[tuple[str, int]]:
    counts = dict.fromkeys(weeks, 0)
    for stamp in stamps:
        week = _monday(stamp)
        if week in counts:
            counts[week] += 1
    return [(_label(w), counts[w]) for w in weeks]


def _hours(start: datetime, end: datetime) -> float:
    return max(0.0, (aware(end) - aware(start)).total_seconds() / 3600)


def compute(viewer: Any, locale: str = "en") -> Metrics:
    """Every number of /mod/metrics, in a handful of bounded queries."""
    require_staff(viewer)
    now = utcnow()
    weeks = _weeks(now)
    since = aware(datetime.combine(weeks[0], datetime.min.time()))
    pending, oldest = db.session.execute(
        select(func.count(), func.min(ReviewItem.created_at)).where(ReviewItem.status == "pending")
    ).one()
    by_status = dict(
        db.session.execute(
            select(ReviewItem.status, func.count())
            .where(ReviewItem.created_at >= since)
            .group_by(ReviewItem.status)
        ).all()
    )
    items = db.session.execute(
        select(ReviewItem.created_at, ReviewItem.first_action_at, ReviewItem.resolved_at).where(
            ReviewItem.created_at >= since
        )
    ).all()
    opened = [r.created_at for r in items]
    handled = [r.resolved_at for r in items if r.resolved_at is not None]
    waits = [
        (r.created_at, _hours(r.created_at, r.first_action_at)) for r in items if r.first_action_at
    ]
    by_week: dict[date, list[float]] = {w: [] for w in weeks}
    for created, hours in waits:
        week = _monday(created)
        if week in by_week:
            by_week[week].append(hours)
    median_weekly = [
        (_label(w), round(statistics.median(by_week[w]), 1) if by_week[w] else 0.0) for w in weeks
    ]
    flag_stamps = list(db.session.scalars(select(Flag.created_at).where(Flag.created_at >= since)))
    reasons = dict(
        db.session.execute(
            select(Flag.reason, func.count()).where(Flag.created_at >= since).group_by(Flag.reason)
        ).all()
    )
    categories = db.session.execute(
        select(Category.name_en, Category.name_fr, func.count(Flag.id))
        .join(Topic, Topic.id == Flag.topic_id)
        .join(Category, Category.id == Topic.category_id)
        .where(Flag.created_at >= since)
        .group_by(Category.id, Category.name_en, Category.name_fr)
        .order_by(func.count(Flag.id).desc())
    ).all()
    return Metrics(
        pending=pending or 0,
        oldest_pending_at=oldest,
        median_first_action_hours=(
            round(statistics.median(h for _c, h in waits), 1) if waits else None
        ),
        handled_in_window=len(handled),
        opened_weekly=_bucket(opened, weeks),
        handled_weekly=_bucket(handled, weeks),
        median_weekly=median_weekly,
        flags_weekly=_bucket(flag_stamps, weeks),
        flags_by_reason=[
            (str(label), reasons.get(code, 0)) for code, label in FLAG_REASON_LABELS.items()
        ],
        flags_by_category=[((fr if locale == "fr" and fr else en), n) for en, fr, n in categories],
        by_status=by_status,
    )
