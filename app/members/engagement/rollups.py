"""Profile rollups: a fold over each member's engagement log, in log (id) order.

The same `fold` serves the incremental path (new rows folded into the stored profile as
they arrive) and `recompute` (every profile rebuilt from nothing): both add the same
floating-point terms in the same order, so they land on exactly the same values.

Score: Σ weight(type) × 2^((t − EPOCH) / half-life) is stored (`score_base`); the score
today is `score_base × 2^(−(now − EPOCH) / half-life)` — every event's weight halves each
half-life, and no job has to decay stored numbers. Filtering on a score range is a range
on `score_base`. Stages (new, active, advocate, reactivated, at-risk, lapsed) depend on
the clock as well, so they are derived from the rollup by `stage_for` and stored by
`refresh_stages` (on each fold and daily), which records every change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, delete, insert, select, update

from app.core.events import emit
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.engagement.backfill import announcing
from app.members.engagement.events import LifecycleChanged
from app.members.engagement.models import (
    EngagementEvent,
    LifecycleChange,
    MemberActiveDay,
    MemberAffinity,
    MemberConsent,
    MemberProfile,
)

EPOCH = datetime(2024, 1, 1, tzinfo=UTC)
PROFILE_FIELDS = (
    "score_base",
    "event_count",
    "counts",
    "first_seen_at",
    "last_seen_at",
    "returned_at",
    "purchase_count",
    "monetary_cents",
    "last_purchase_at",
)


@dataclass(frozen=True)
class Row:
    """What the fold needs of one engagement event."""

    id: int
    member_id: int
    type: str
    occurred_at: datetime
    recorded_at: datetime
    interest_id: int | None = None
    value_cents: int | None = None


def row_columns() -> tuple:
    """The engagement log's columns that make a `Row`, in its field order."""
    return (
        EngagementEvent.id,
        EngagementEvent.member_id,
        EngagementEvent.type,
        EngagementEvent.occurred_at,
        EngagementEvent.recorded_at,
        EngagementEvent.interest_id,
        EngagementEvent.value_cents,
    )


def _half_life_seconds() -> float:
    return float(current_app.config["ENGAGEMENT_HALF_LIFE_DAYS"]) * 86400.0


def growth(at: datetime) -> float:
    """2^((at − EPOCH) / half-life): a weight earned at `at`, in `score_base` units."""
    return 2.0 ** ((aware(at) - EPOCH).total_seconds() / _half_life_seconds())


def score_at(score_base: float, now: datetime | None = None) -> float:
    return score_base / growth(now or utcnow())


def empty_profile() -> dict[str, Any]:
    return {
        "score_base": 0.0,
        "event_count": 0,
        "counts": {},
        "first_seen_at": None,
        "last_seen_at": None,
        "returned_at": None,
        "purchase_count": 0,
        "monetary_cents": 0,
        "last_purchase_at": None,
    }


def fold(profile: dict[str, Any], row: Row, weights: dict[str, float], lapsed: timedelta) -> None:
    """Add one event to a profile (in place)."""
    at = aware(row.occurred_at)
    weight = weights.get(row.type, 0.0)
    if weight:
        profile["score_base"] = profile["score_base"] + weight * growth(at)
    profile["event_count"] += 1
    counts = dict(profile["counts"])
    counts[row.type] = counts.get(row.type, 0) + 1
    profile["counts"] = counts
    last = aware(profile["last_seen_at"])
    if last is not None and at - last >= lapsed:
        profile["returned_at"] = at
    if last is None or at > last:
        profile["last_seen_at"] = at
    first = aware(profile["first_seen_at"])
    if first is None or at < first:
        profile["first_seen_at"] = at
    if row.type == "purchase":
        profile["purchase_count"] += 1
        profile["monetary_cents"] += row.value_cents or 0
        last_purchase = aware(profile["last_purchase_at"])
        if last_purchase is None or at > last_purchase:
            profile["last_purchase_at"] = at


def _settings() -> tuple[dict[str, float], dict[str, float], timedelta]:
    config = current_app.config
    return (
        dict(config["ENGAGEMENT_WEIGHTS"]),
        dict(config["AFFINITY_WEIGHTS"]),
        timedelta(days=config["LIFECYCLE_LAPSED_DAYS"]),
    )


def _consents(member_ids: Iterable[int]) -> dict[int, datetime]:
    """Members who consent to personalisation, with the moment they did."""
    ids = list(member_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(MemberConsent.member_id, MemberConsent.personalisation_since).where(
            MemberConsent.member_id.in_(ids), MemberConsent.personalisation.is_(True)
        )
    )
    return {member_id: aware(since) for member_id, since in rows if since is not None}


def _infers(row: Row, consents: dict[int, datetime], affinity_weights: dict[str, float]) -> bool:
    since = consents.get(row.member_id)
    return (
        row.interest_id is not None
        and row.type in affinity_weights
        and since is not None
        and aware(row.recorded_at) >= since
    )


# --- incremental ----------------------------------------------------------------------------


_EMPTY_ROW = {
    "score_base": 0.0,
    "event_count": 0,
    "counts": {},
    "purchase_count": 0,
    "monetary_cents": 0,
    "stage": "new",
}


def _lock_profiles(member_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Create missing profiles and read (PostgreSQL: lock) the batch's, in id order."""
    from app.core.db import dialect_insert

    # Only the members without a profile yet, in one cached executemany (a multi-VALUES
    # statement would be compiled anew per batch).
    have = set(
        db.session.scalars(
            select(MemberProfile.member_id).where(MemberProfile.member_id.in_(member_ids))
        )
    )
    if len(have) < len(member_ids):
        db.session.execute(
            dialect_insert(MemberProfile).on_conflict_do_nothing(index_elements=["member_id"]),
            [{"member_id": m, **_EMPTY_ROW} for m in member_ids if m not in have],
        )
    query = (
        select(
            MemberProfile.member_id,
            MemberProfile.stage,
            *[getattr(MemberProfile, f) for f in PROFILE_FIELDS],
        )
        .where(MemberProfile.member_id.in_(member_ids))
        .order_by(MemberProfile.member_id)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return {
        row.member_id: {f: getattr(row, f) for f in (*PROFILE_FIELDS, "stage")}
        for row in db.session.execute(query)
    }


def lock_profiles(member_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    ids = sorted(set(member_ids))
    return _lock_profiles(ids) if ids else {}


_UPDATE = None


def _update_statement():  # type: ignore[no-untyped-def]
    global _UPDATE
    if _UPDATE is None:
        table = MemberProfile.__table__
        _UPDATE = (
            update(table)
            .where(table.c.member_id == bindparam("b_member_id"))
            .values({f: bindparam(f"b_{f}") for f in PROFILE_FIELDS})
        )
    return _UPDATE


def apply(rows: list[Row], profiles: dict[int, dict[str, Any]]) -> None:
    """Fold new rows (in id order) into the locked profiles and write them back."""
    if not rows:
        return
    weights, affinity_weights, lapsed = _settings()
    touched: set[int] = set()
    for row in sorted(rows, key=lambda r: r.id):
        fold(profiles[row.member_id], row, weights, lapsed)
        touched.add(row.member_id)
    db.session.execute(
        _update_statement(),
        [
            {"b_member_id": m, **{f"b_{f}": profiles[m][f] for f in PROFILE_FIELDS}}
            for m in sorted(touched)
        ],
    )
    _apply_affinities(rows, affinity_weights)
    _add_active_days({(day_of(row.occurred_at), row.member_id) for row in rows})
    refresh_stages(sorted(touched), profiles=profiles)


def day_of(at: datetime) -> date:
    return aware(at).astimezone(UTC).date()


def _add_active_days(pairs: set[tuple[date, int]]) -> None:
    from app.core.db import dialect_insert

    if pairs:
        db.session.execute(
            dialect_insert(MemberActiveDay).on_conflict_do_nothing(
                index_elements=["day", "member_id"]
            ),
            [{"day": d, "member_id": m} for d, m in sorted(pairs)],
        )


def _apply_affinities(rows: list[Row], affinity_weights: dict[str, float]) -> None:
    candidates = [r for r in rows if r.interest_id is not None and r.type in affinity_weights]
    if not candidates:
        return
    consents = _consents({r.member_id for r in candidates})
    inferred = [r for r in candidates if _infers(r, consents, affinity_weights)]
    if not inferred:
        return
    members = {r.member_id for r in inferred}
    current = {
        (a.member_id, a.interest_id): a.score_base
        for a in db.session.execute(
            select(
                MemberAffinity.member_id, MemberAffinity.interest_id, MemberAffinity.score_base
            ).where(MemberAffinity.member_id.in_(members))
        )
    }
    changed: dict[tuple[int, int], float] = {}
    for row in sorted(inferred, key=lambda r: r.id):
        key = (row.member_id, row.interest_id)
        base = changed.get(key, current.get(key, 0.0))
        changed[key] = base + affinity_weights[row.type] * growth(row.occurred_at)
    _write_affinities(changed)


def _write_affinities(values: dict[tuple[int, int], float]) -> None:
    from app.core.db import dialect_insert

    if not values:
        return
    statement = dialect_insert(MemberAffinity)
    statement = statement.on_conflict_do_update(
        index_elements=["member_id", "interest_id"],
        set_={"score_base": statement.excluded.score_base},
    )
    db.session.execute(
        statement,
        [{"member_id": m, "interest_id": i, "score_base": s} for (m, i), s in values.items()],
    )


# --- stages --------------------------------------------------------------------------------


def stage_for(profile: dict[str, Any] | MemberProfile, now: datetime) -> str:
    """The lifecycle stage, first rule that matches (docs/decisions.md lists them)."""
    get = profile.get if isinstance(profile, dict) else lambda k: getattr(profile, k)
    config = current_app.config
    last = aware(get("last_seen_at"))
    if last is None:
        return "new"
    quiet = now - last
    if quiet > timedelta(days=config["LIFECYCLE_LAPSED_DAYS"]):
        return "lapsed"
    if quiet > timedelta(days=config["LIFECYCLE_ACTIVE_DAYS"]):
        return "at_risk"
    if score_at(get("score_base"), now) >= config["ADVOCATE_SCORE"]:
        return "advocate"
    if aware(get("first_seen_at")) >= now - timedelta(days=config["LIFECYCLE_NEW_DAYS"]):
        return "new"
    returned = aware(get("returned_at"))
    if returned is not None and returned >= now - timedelta(days=config["LIFECYCLE_ACTIVE_DAYS"]):
        return "reactivated"
    return "active"


def refresh_stages(
    member_ids: list[int] | None = None,
    now: datetime | None = None,
    profiles: dict[int, dict[str, Any]] | None = None,
) -> int:
    """Store each profile's stage as of `now`; record and announce every change.
    `profiles`: the rollups just folded (with their stored stage), not read again."""
    now = now or utcnow()
    if profiles is not None and member_ids is not None:
        changes = []
        for member_id in member_ids:
            profile = profiles[member_id]
            stage = stage_for(profile, now)
            if stage != profile["stage"]:
                changes.append((member_id, profile["stage"], stage))
                profile["stage"] = stage
        return _store_stages(changes, now)
    query = select(
        MemberProfile.member_id,
        MemberProfile.stage,
        MemberProfile.score_base,
        MemberProfile.first_seen_at,
        MemberProfile.last_seen_at,
        MemberProfile.returned_at,
    )
    if member_ids is not None:
        if not member_ids:
            return 0
        query = query.where(MemberProfile.member_id.in_(member_ids))
    changes = []
    for profile in db.session.execute(query):
        stage = stage_for(dict(profile._mapping), now)
        if stage != profile.stage:
            changes.append((profile.member_id, profile.stage, stage))
    return _store_stages(changes, now)


def _store_stages(changes: list[tuple[int, str, str]], now: datetime) -> int:
    if not changes:
        return 0
    table = MemberProfile.__table__
    db.session.execute(
        update(table)
        .where(table.c.member_id == bindparam("b_member_id"))
        .values(stage=bindparam("b_stage"), stage_changed_at=bindparam("b_at")),
        [{"b_member_id": m, "b_stage": new, "b_at": now} for m, _old, new in changes],
    )
    db.session.execute(
        insert(LifecycleChange),
        [
            {"member_id": m, "old_stage": old, "new_stage": new, "changed_at": now}
            for m, old, new in changes
        ],
    )
    if announcing():
        for member_id, old, new in changes:
            emit(LifecycleChanged(member_id=member_id, old_stage=old, new_stage=new))
    return len(changes)


# --- recompute -----------------------------------------------------------------------------


def recompute(
    member_ids: list[int] | None = None,
    chunk: int = 500,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Rebuild profiles, inferred affinities, active days and the ledger's daily sums from
    the log and the ledger (all members, or these)."""
    from app.members.loyalty import ledger

    weights, affinity_weights, lapsed = _settings()
    if member_ids is None:
        member_ids = list(
            db.session.scalars(
                select(EngagementEvent.member_id)
                .where(EngagementEvent.member_id.is_not(None))
                .distinct()
                .order_by(EngagementEvent.member_id)
            )
        )
    done = 0
    for start in range(0, len(member_ids), chunk):
        ids = member_ids[start : start + chunk]
        profiles = {m: empty_profile() for m in ids}
        affinities: dict[tuple[int, int], float] = {}
        consents = _consents(ids)
        result = db.session.execute(
            select(*row_columns())
            .where(EngagementEvent.member_id.in_(ids))
            .order_by(EngagementEvent.id)
        )
        active_days: set[tuple[date, int]] = set()
        for values in result:
            row = Row(*values)
            fold(profiles[row.member_id], row, weights, lapsed)
            active_days.add((day_of(row.occurred_at), row.member_id))
            if _infers(row, consents, affinity_weights):
                key = (row.member_id, row.interest_id)
                affinities[key] = affinities.get(key, 0.0) + affinity_weights[row.type] * growth(
                    row.occurred_at
                )
        existing = set(
            db.session.scalars(
                select(MemberProfile.member_id).where(MemberProfile.member_id.in_(ids))
            )
        )
        seen = [m for m in ids if profiles[m]["event_count"] or m in existing]
        missing = [m for m in seen if m not in existing]
        if missing:
            db.session.execute(
                insert(MemberProfile),
                [{"member_id": m, "counts": {}, "stage": "new"} for m in missing],
            )
        if seen:
            db.session.execute(
                _update_statement(),
                [
                    {"b_member_id": m, **{f"b_{f}": profiles[m][f] for f in PROFILE_FIELDS}}
                    for m in seen
                ],
            )
        db.session.execute(delete(MemberAffinity).where(MemberAffinity.member_id.in_(ids)))
        _write_affinities(affinities)
        db.session.execute(delete(MemberActiveDay).where(MemberActiveDay.member_id.in_(ids)))
        _add_active_days(active_days)
        refresh_stages(seen, now=now)
        # The loyalty side of the same members: daily sums from the ledger, cached tiers.
        ledger.rebuild_daily(ids)
        ledger.refresh_members(ids, now=now)
        done += len(ids)
        if progress is not None:
            progress(len(ids))
    return done
