"""Points: earning rules applied to new engagement, reversals, tiers from the ledger.

Every entry has its source (`source_key`, unique: a repeated event awards nothing more)
and a `reference` to what it was for, so a reversal (a post deleted, a like taken back)
takes back exactly what that thing earned. A rule's daily cap bounds what one member
earns from it per UTC day of the activity. The balance is the sum of the member's
entries; the tier follows the points earned in the last LOYALTY_WINDOW_DAYS and is
cached on `Member.tier` (what the forums' category gates read) with `Member.points`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import bindparam, case, delete, func, select, update

from app.core.events import emit
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.engagement.backfill import announcing
from app.members.events import TierChanged
from app.members.loyalty.models import EarningRule, LedgerEntry, PointsDaily, Tier
from app.members.models import TIERS, Member

if TYPE_CHECKING:
    from app.members.engagement.pipeline import Activity
    from app.members.engagement.rollups import Row


def reference_for(activity: Activity) -> str | None:
    if activity.type in ("posted", "replied"):
        return f"post:{activity.object_id}"
    if activity.type == "like_received":
        return f"like:{activity.object_id}:{activity.properties.get('liker_id')}"
    if activity.object_type and activity.object_id:
        return f"{activity.object_type}:{activity.object_id}"[:100]
    return None


def active_rules() -> dict[str, EarningRule]:
    return {
        rule.event_type: rule
        for rule in db.session.scalars(select(EarningRule).where(EarningRule.active.is_(True)))
    }


def day_of(at: datetime) -> date:
    """The UTC day an entry counts on (caps, the daily sums, the rolling window)."""
    return aware(at).astimezone(UTC).date()


def _earned_today(pairs: list[tuple[Row, Activity, EarningRule]]) -> dict[tuple, int]:
    """Points already earned per (member, rule, day) for the capped rules of a batch."""
    capped = [(row, rule) for row, _a, rule in pairs if rule.daily_cap is not None]
    if not capped:
        return {}
    members = {row.member_id for row, _rule in capped}
    types = {rule.event_type for _row, rule in capped}
    days = {day_of(row.occurred_at) for row, _rule in capped}
    totals: dict[tuple, int] = defaultdict(int)
    for member_id, source_type, day, points in db.session.execute(
        select(
            PointsDaily.member_id, PointsDaily.source_type, PointsDaily.day, PointsDaily.points
        ).where(
            PointsDaily.member_id.in_(members),
            PointsDaily.day.in_(days),
            PointsDaily.source_type.in_(types),
        )
    ):
        totals[(member_id, source_type, day)] += points
    return totals


def award(pairs: list[tuple[Row, Activity]]) -> None:
    """Apply the earning rules to newly recorded rows (in id order), caps included."""
    if not pairs:
        return
    rules = active_rules()
    ruled = [(row, a, rules[row.type]) for row, a in pairs if row.type in rules]
    if not ruled:
        return
    earned = _earned_today(ruled)
    entries = []
    for row, activity, rule in ruled:
        points = rule.points * ((row.value_cents or 0) // 100) if rule.per_unit else rule.points
        if rule.daily_cap is not None:
            key = (row.member_id, rule.event_type, day_of(row.occurred_at))
            points = max(0, min(points, rule.daily_cap - earned[key]))
            earned[key] += points
        if points <= 0:
            continue
        entries.append(
            {
                "member_id": row.member_id,
                "points": points,
                "source_type": rule.event_type,
                "source_key": f"e:{row.id}",
                "reference": reference_for(activity),
                "engagement_id": row.id,
                "earned_at": row.occurred_at,
                "note": "",
            }
        )
    if entries:
        _insert(entries)
        refresh_members({e["member_id"] for e in entries})


def _insert(entries: list[dict[str, Any]]) -> None:
    """Append entries once each; add the ones really inserted to the daily sums."""
    from app.core.db import dialect_insert

    table = LedgerEntry.__table__
    now = utcnow()
    inserted = db.session.execute(
        dialect_insert(table)
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(table.c.member_id, table.c.earned_at, table.c.source_type, table.c.points),
        [{**e, "created_at": now} for e in entries],
    ).all()
    _add_daily(inserted)


def _sum_daily(rows: Iterable[Any]) -> dict[tuple[int, date, str], int]:
    sums: dict[tuple[int, date, str], int] = defaultdict(int)
    for member_id, earned_at, source_type, points in rows:
        sums[(member_id, day_of(earned_at), source_type)] += points
    return sums


def _add_daily(rows: Iterable[Any]) -> None:
    from app.core.db import dialect_insert

    sums = _sum_daily(rows)
    if not sums:
        return
    statement = dialect_insert(PointsDaily)
    statement = statement.on_conflict_do_update(
        index_elements=["member_id", "day", "source_type"],
        set_={"points": PointsDaily.__table__.c.points + statement.excluded.points},
    )
    db.session.execute(
        statement,
        [
            {"member_id": m, "day": d, "source_type": t, "points": p}
            for (m, d, t), p in sorted(sums.items())
        ],
    )


def rebuild_daily(member_ids: list[int]) -> None:
    """Sum these members' ledger again into the daily rows (`flask profiles recompute`)."""
    if not member_ids:
        return
    db.session.execute(delete(PointsDaily).where(PointsDaily.member_id.in_(member_ids)))
    _add_daily(
        db.session.execute(
            select(
                LedgerEntry.member_id,
                LedgerEntry.earned_at,
                LedgerEntry.source_type,
                LedgerEntry.points,
            ).where(LedgerEntry.member_id.in_(member_ids))
        )
    )


def reverse(member_id: int, reference: str, source_key: str, at: datetime, note: str = "") -> int:
    """Take back what `reference` earned so far (nothing if it earned nothing)."""
    held = db.session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.points), 0)).where(
            LedgerEntry.member_id == member_id, LedgerEntry.reference == reference
        )
    )
    if held <= 0:
        return 0
    _insert(
        [
            {
                "member_id": member_id,
                "points": -held,
                "source_type": "reversal",
                "source_key": source_key,
                "reference": reference,
                "engagement_id": None,
                "earned_at": at,
                "note": note,
            }
        ]
    )
    refresh_members({member_id})
    return held


def adjust(
    member_id: int, points: int, source_key: str, note: str, reference: str | None = None
) -> None:
    """A manual correction by staff: an entry of its own, never an edit."""
    _insert(
        [
            {
                "member_id": member_id,
                "points": points,
                "source_type": "adjustment",
                "source_key": source_key,
                "reference": reference,
                "engagement_id": None,
                "earned_at": utcnow(),
                "note": note[:200],
            }
        ]
    )
    refresh_members({member_id})


# --- tiers ---------------------------------------------------------------------------------


def thresholds() -> list[tuple[str, int]]:
    """(tier, rolling points needed), lowest first; the tiers table overrides the config."""
    stored = {t.key: t.threshold for t in db.session.scalars(select(Tier))}
    configured = current_app.config["TIER_THRESHOLDS"]
    values = [(key, stored.get(key, configured.get(key, 0))) for key in TIERS]
    return sorted(values, key=lambda kv: (kv[1], TIERS.index(kv[0])))


def tier_for(points: int, levels: list[tuple[str, int]]) -> str:
    tier = levels[0][0]
    for key, needed in levels:
        if points >= needed:
            tier = key
    return tier


def window_start(now: datetime | None = None) -> date:
    """The first UTC day of the rolling window (that day counts whole)."""
    return day_of((now or utcnow()) - timedelta(days=current_app.config["LOYALTY_WINDOW_DAYS"]))


def standing(member_ids: Iterable[int], now: datetime | None = None) -> dict[int, tuple[int, int]]:
    """(balance, rolling points) per member, from the daily sums."""
    ids = list(member_ids)
    since = window_start(now)
    rows = db.session.execute(
        select(
            PointsDaily.member_id,
            func.sum(PointsDaily.points),
            func.sum(case((PointsDaily.day >= since, PointsDaily.points), else_=0)),
        )
        .where(PointsDaily.member_id.in_(ids))
        .group_by(PointsDaily.member_id)
    )
    out = dict.fromkeys(ids, (0, 0))
    out.update({m: (int(b or 0), int(r or 0)) for m, b, r in rows})
    return out


def refresh_members(member_ids: Iterable[int] | None = None, now: datetime | None = None) -> int:
    """Cache balance and tier on the members; announce each tier change. None: everyone
    with points or above Bronze (the daily job: points leave the rolling window)."""
    if member_ids is None:
        with_entries = select(PointsDaily.member_id).distinct()
        member_ids = set(db.session.scalars(with_entries)) | set(
            db.session.scalars(select(Member.id).where(Member.tier != TIERS[0]))
        )
    ids = sorted(set(member_ids))
    if not ids:
        return 0
    levels = thresholds()
    changed = 0
    updates = []
    for chunk_start in range(0, len(ids), 1000):
        chunk = ids[chunk_start : chunk_start + 1000]
        points = standing(chunk, now)
        for member_id, tier, cached in db.session.execute(
            select(Member.id, Member.tier, Member.points).where(Member.id.in_(chunk))
        ):
            balance, rolling = points[member_id]
            new_tier = tier_for(rolling, levels)
            if new_tier != tier or balance != cached:
                updates.append({"b_id": member_id, "b_tier": new_tier, "b_points": balance})
            if new_tier != tier:
                changed += 1
            if new_tier != tier and announcing():
                emit(
                    TierChanged(
                        member_id=member_id, old_tier=tier, new_tier=new_tier, points=rolling
                    )
                )
    if updates:
        table = Member.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(tier=bindparam("b_tier"), points=bindparam("b_points")),
            updates,
        )
        # Member objects already loaded in this session must not show the old tier.
        for entry in updates:
            member = db.session.identity_map.get((Member, (entry["b_id"],), None))
            if member is not None:
                db.session.expire(member, ["tier", "points"])
    return changed
