"""The engagement log and profile rollups: recorded from domain events, idempotent, and the
incremental fold equals `recompute` (also on random sequences)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.community.forums.services import create_topic, reply, set_like
from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement import rollups
from app.members.engagement.models import EngagementEvent, MemberAffinity, MemberProfile
from app.members.engagement.pipeline import Activity, record
from app.members.loyalty.models import LedgerEntry
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import InterestFactory, MemberFactory


def _profile(member_id: int) -> dict | None:
    db.session.expire_all()
    p = db.session.get(MemberProfile, member_id)
    if p is None:
        return None
    return {f: getattr(p, f) for f in (*rollups.PROFILE_FIELDS, "stage")}


def _affinities(member_id: int) -> dict:
    return dict(
        db.session.execute(
            select(MemberAffinity.interest_id, MemberAffinity.score_base).where(
                MemberAffinity.member_id == member_id
            )
        ).all()
    )


def _types(member_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(EngagementEvent.type)
            .where(EngagementEvent.member_id == member_id)
            .order_by(EngagementEvent.id)
        )
    )


def test_forum_activity_is_logged_for_the_author_and_the_liker(db) -> None:
    interest = InterestFactory()
    category = CategoryFactory(interest_id=interest.id)
    anna, bruno = MemberFactory(), MemberFactory()
    topic = create_topic(anna, category.id, "Which stove for winter?", "Gas or alcohol, friends?")
    post = reply(bruno, topic.id, "Gas, with a canister warmer.")
    set_like(anna, post.id, True)
    drain_events()
    assert _types(anna.id) == ["posted", "liked"]
    assert _types(bruno.id) == ["replied", "like_received"]
    profile = db.session.get(MemberProfile, bruno.id)
    assert profile.counts == {"replied": 1, "like_received": 1}
    assert profile.last_seen_at is not None


def test_a_repeated_domain_event_adds_nothing(db) -> None:
    member = MemberFactory()
    at = utcnow()
    with unit_of_work():
        first = record([Activity("posted", at, "d:1:posted", member_id=member.id, object_id="9")])
    with unit_of_work():
        again = record([Activity("posted", at, "d:1:posted", member_id=member.id, object_id="9")])
    assert (first.inserted, again.inserted, again.duplicates) == (1, 0, 1)
    assert _profile(member.id)["event_count"] == 1
    assert db.session.scalar(select(func.count()).select_from(LedgerEntry)) == 1


def test_incremental_rollup_equals_recompute(db) -> None:
    member = MemberFactory()
    interest = InterestFactory()
    from app.members.privacy import set_consent

    set_consent(member, personalisation=True, marketing_email=False)
    now = utcnow()
    kinds = ["posted", "replied", "topic_viewed", "liked", "purchase", "logged_in"]
    for i in range(12):
        with unit_of_work():
            record(
                [
                    Activity(
                        kinds[i % len(kinds)],
                        now - timedelta(days=40 - 3 * i, minutes=i),
                        f"t:{i}",
                        member_id=member.id,
                        interest_id=interest.id if i % 2 else None,
                        value_cents=1234 * i if kinds[i % len(kinds)] == "purchase" else None,
                    )
                ]
            )
    incremental, inferred = _profile(member.id), _affinities(member.id)
    with unit_of_work():
        rollups.recompute()
    assert _profile(member.id) == incremental
    assert _affinities(member.id) == inferred
    assert inferred  # the test would pass with no inference at all otherwise


TYPES = st.sampled_from(
    ["posted", "replied", "liked", "like_received", "topic_viewed", "purchase", "searched"]
)
EVENT = st.tuples(
    st.integers(0, 2),  # which member
    TYPES,
    st.integers(0, 400),  # days ago
    st.integers(0, 86399),  # seconds into that day
    st.integers(0, 50_000),  # purchase cents
    st.booleans(),  # with an interest
)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(batches=st.lists(st.lists(EVENT, min_size=1, max_size=8), min_size=1, max_size=5))
def test_random_sequences_fold_to_the_recomputed_profile(db, batches) -> None:
    members = [MemberFactory() for _ in range(3)]
    interest = InterestFactory()
    now = utcnow()
    n = 0
    for batch in batches:
        activities = []
        for who, kind, days, seconds, cents, with_interest in batch:
            n += 1
            activities.append(
                Activity(
                    kind,
                    now - timedelta(days=days, seconds=seconds),
                    f"h:{members[0].id}:{n}",
                    member_id=members[who].id,
                    interest_id=interest.id if with_interest else None,
                    value_cents=cents if kind == "purchase" else None,
                )
            )
        with unit_of_work():
            record(activities)
    before = {m.id: _profile(m.id) for m in members}
    with unit_of_work():
        rollups.recompute([m.id for m in members], now=utcnow())
    after = {m.id: _profile(m.id) for m in members}
    assert after == before


def test_a_lapsed_member_who_returns_is_reactivated(db, app) -> None:
    member = MemberFactory()
    now = utcnow()
    with unit_of_work():
        record([Activity("logged_in", now - timedelta(days=200), "r:1", member_id=member.id)])
    assert _profile(member.id)["stage"] == "lapsed"
    with unit_of_work():
        record([Activity("logged_in", now - timedelta(days=60), "r:2", member_id=member.id)])
    assert _profile(member.id)["stage"] == "at_risk"
    with unit_of_work():
        record([Activity("logged_in", now, "r:3", member_id=member.id)])
    assert _profile(member.id)["stage"] == "active"
    with unit_of_work():
        record([Activity("logged_in", now - timedelta(days=400), "r:0", member_id=member.id)])
    # first seen long ago; the return after 140 quiet days was 60 days ago: plain active
    assert _profile(member.id)["stage"] == "active"
    from app.members.engagement.models import LifecycleChange

    stages = list(
        db.session.scalars(
            select(LifecycleChange.new_stage)
            .where(LifecycleChange.member_id == member.id)
            .order_by(LifecycleChange.id)
        )
    )
    assert stages == ["lapsed", "at_risk", "active"]


def test_the_score_decays_by_half_each_half_life(db, app) -> None:
    member = MemberFactory()
    now = utcnow()
    half_life = app.config["ENGAGEMENT_HALF_LIFE_DAYS"]
    weight = app.config["ENGAGEMENT_WEIGHTS"]["posted"]
    with unit_of_work():
        record([Activity("posted", now - timedelta(days=half_life), "s:1", member_id=member.id)])
    base = db.session.get(MemberProfile, member.id).score_base
    assert abs(rollups.score_at(base, now) - weight / 2) < 1e-9
