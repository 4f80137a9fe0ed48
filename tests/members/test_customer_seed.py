"""The customer view's demo data looks like a brand's after a year: every stage and tier
present, lifecycle history spread over the year, and stored sums equal to a recompute."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.community.forums.seed import seed_forums
from app.core.db import unit_of_work
from app.core.time import aware, utcnow
from app.members.customer_seed import seed_demo
from app.members.engagement import rollups
from app.members.engagement.models import LifecycleChange, MemberProfile
from app.members.loyalty.models import LedgerEntry, PointsDaily
from app.members.models import Member
from app.members.seed import seed_members


def test_the_demo_brand_after_a_year(db) -> None:
    seed_members()
    seed_forums()
    seed_demo()
    stages = dict(
        db.session.execute(
            select(MemberProfile.stage, func.count()).group_by(MemberProfile.stage)
        ).all()
    )
    assert {"new", "active", "advocate", "at_risk", "lapsed"} <= set(stages)
    tiers = set(db.session.scalars(select(Member.tier).distinct()))
    assert tiers == {"bronze", "silver", "gold", "platinum"}
    oldest = db.session.scalar(select(func.min(LifecycleChange.changed_at)))
    assert aware(oldest) < utcnow() - timedelta(days=300)
    # The ledger and its daily sums agree, and a recompute changes nothing.
    assert db.session.scalar(select(func.sum(LedgerEntry.points))) == db.session.scalar(
        select(func.sum(PointsDaily.points))
    )
    before = dict(db.session.execute(select(Member.id, Member.tier)).all())
    with unit_of_work():
        rollups.recompute()
    assert dict(db.session.execute(select(Member.id, Member.tier)).all()) == before
    assert seed_demo().startswith("0 events")  # a second run adds nothing
