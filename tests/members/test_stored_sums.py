"""The stored sums kept beside the log and the ledger (daily points per member and source,
active days) always equal what the log and the ledger say, and `recompute` rebuilds the
same rows; caps and the rolling tier read them."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement import rollups
from app.members.engagement.models import EngagementEvent, MemberActiveDay
from app.members.engagement.pipeline import Activity, record
from app.members.loyalty import ledger
from app.members.loyalty.models import LedgerEntry, PointsDaily
from app.members.models import Member
from tests.factories import MemberFactory


def _daily(ids: list[int]) -> dict:
    return {
        (m, d, t): p
        for m, d, t, p in db.session.execute(
            select(
                PointsDaily.member_id, PointsDaily.day, PointsDaily.source_type, PointsDaily.points
            ).where(PointsDaily.member_id.in_(ids), PointsDaily.points != 0)
        )
    }


def _ledger_by_day(ids: list[int]) -> dict:
    sums: dict = defaultdict(int)
    for m, at, t, p in db.session.execute(
        select(
            LedgerEntry.member_id,
            LedgerEntry.earned_at,
            LedgerEntry.source_type,
            LedgerEntry.points,
        ).where(LedgerEntry.member_id.in_(ids))
    ):
        sums[(m, ledger.day_of(at), t)] += p
    return {k: v for k, v in sums.items() if v}


def _active_days(ids: list[int]) -> set:
    return set(
        db.session.execute(
            select(MemberActiveDay.day, MemberActiveDay.member_id).where(
                MemberActiveDay.member_id.in_(ids)
            )
        ).all()
    )


def _log_days(ids: list[int]) -> set:
    return {
        (rollups.day_of(at), m)
        for m, at in db.session.execute(
            select(EngagementEvent.member_id, EngagementEvent.occurred_at).where(
                EngagementEvent.member_id.in_(ids)
            )
        )
    }


EVENT = st.tuples(
    st.integers(0, 1),  # which member
    st.sampled_from(["replied", "store_visit", "purchase", "newsletter_click", "searched"]),
    st.integers(0, 400),  # days ago
    st.integers(0, 3),  # hour slot: several events on one day hit the caps
    st.integers(100, 90_000),  # purchase cents
    st.booleans(),  # take back what the event earned afterwards
)


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(EVENT, min_size=1, max_size=10), min_size=1, max_size=4))
def test_daily_sums_and_active_days_equal_the_ledger_and_the_log(db, batches) -> None:
    members = [MemberFactory(), MemberFactory()]
    ids = [m.id for m in members]
    now = utcnow().replace(hour=20)
    n = 0
    for batch in batches:
        activities, reversals = [], []
        for who, kind, days, slot, cents, take_back in batch:
            n += 1
            at = now - timedelta(days=days, hours=slot)
            activities.append(
                Activity(
                    kind,
                    at,
                    f"sum:{ids[0]}:{n}",
                    member_id=ids[who],
                    object_type="thing",
                    object_id=str(n),
                    value_cents=cents if kind == "purchase" else None,
                )
            )
            if take_back:
                reversals.append((ids[who], f"thing:{n}", f"rev:{ids[0]}:{n}", at))
        with unit_of_work():
            record(activities)
            for member_id, reference, key, at in reversals:
                ledger.reverse(member_id, reference, key, at)
    incremental = _daily(ids)
    assert incremental == _ledger_by_day(ids)
    assert _active_days(ids) == _log_days(ids)
    standing = ledger.standing(ids)
    cached = {
        m.id: (m.points, m.tier)
        for m in db.session.scalars(select(Member).where(Member.id.in_(ids)))
    }
    with unit_of_work():
        rollups.recompute(ids, now=utcnow())
    assert _daily(ids) == incremental
    assert _active_days(ids) == _log_days(ids)
    assert ledger.standing(ids) == standing
    db.session.expire_all()
    after = {
        m.id: (m.points, m.tier)
        for m in db.session.scalars(select(Member).where(Member.id.in_(ids)))
    }
    assert after == cached


def test_a_cap_counts_what_was_earned_earlier_that_day_in_another_batch(db) -> None:
    member = MemberFactory()
    day = utcnow().replace(hour=9) - timedelta(days=3)
    for i in range(3):  # store visits: 15 points, capped at 15 a day by default
        with unit_of_work():
            record(
                [Activity("store_visit", day + timedelta(hours=i), f"cap:{i}", member_id=member.id)]
            )
    assert sum(_daily([member.id]).values()) == 15
    with unit_of_work():
        record([Activity("store_visit", day + timedelta(days=1), "cap:next", member_id=member.id)])
    assert sum(_daily([member.id]).values()) == 30


def test_a_backfill_stores_tiers_and_stages_without_announcing_them(db) -> None:
    from app.core.event_store import DomainEventRecord
    from app.members.engagement.backfill import backfill
    from app.members.engagement.models import LifecycleChange

    member = MemberFactory()
    with backfill(), unit_of_work():
        record(
            [
                Activity(
                    "purchase",
                    utcnow() - timedelta(days=200),
                    "bf:1",
                    member_id=member.id,
                    value_cents=90_000,
                )
            ]
        )
    db.session.refresh(member)
    assert member.tier == "silver"
    assert db.session.scalar(
        select(LifecycleChange.new_stage).where(LifecycleChange.member_id == member.id)
    )
    announced = db.session.scalars(
        select(DomainEventRecord.type).where(
            DomainEventRecord.type.in_(["tier_changed", "lifecycle_changed"])
        )
    ).all()
    assert announced == []
