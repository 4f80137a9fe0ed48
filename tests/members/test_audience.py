"""The one audience rule: categories, idea boards and polls all ask `matches`."""

from __future__ import annotations

from flask_login import AnonymousUserMixin

from app.community.forums import access
from app.members import audience
from app.members.audience import Audience
from app.members.engagement.models import STAGES, MemberProfile
from app.members.models import MemberInterest
from tests.community.factories import CategoryFactory
from tests.factories import InterestFactory, MemberFactory


def _interested(member, *interests):  # type: ignore[no-untyped-def]
    from app.extensions import db

    for interest in interests:
        db.session.add(MemberInterest(member_id=member.id, interest_id=interest.id))
    db.session.flush()
    return member


def _stage(member, stage: str):  # type: ignore[no-untyped-def]
    from app.extensions import db

    db.session.add(MemberProfile(member_id=member.id, stage=stage))
    db.session.flush()
    return member


def test_an_empty_audience_is_everyone_visitors_included(db):
    assert Audience().is_everyone()
    assert audience.matches(AnonymousUserMixin(), Audience())
    assert audience.matches(None, Audience())
    assert audience.matches(MemberFactory(), Audience())


def test_a_bronze_minimum_is_still_everyone(db):
    assert Audience(min_tier="bronze").is_everyone()


def test_visitors_never_match_a_restricted_audience(db):
    assert not audience.matches(AnonymousUserMixin(), Audience(members_only=True))
    assert not audience.matches(None, Audience(min_tier="silver"))


def test_min_tier_means_that_tier_and_above(db):
    gold = Audience(min_tier="gold")
    assert not audience.matches(MemberFactory(tier="silver"), gold)
    assert audience.matches(MemberFactory(tier="gold"), gold)
    assert audience.matches(MemberFactory(tier="platinum"), gold)


def test_criteria_combine_with_and_values_with_or(db):
    trail, climbing, cooking = InterestFactory(), InterestFactory(), InterestFactory()
    rule = Audience(min_tier="gold", interests=frozenset({trail.slug, climbing.slug}))
    gold_trail = _interested(MemberFactory(tier="gold"), trail)
    gold_climbing = _interested(MemberFactory(tier="gold"), climbing)
    gold_cooking = _interested(MemberFactory(tier="gold"), cooking)
    silver_trail = _interested(MemberFactory(tier="silver"), trail)
    assert audience.matches(gold_trail, rule)
    assert audience.matches(gold_climbing, rule)
    assert not audience.matches(gold_cooking, rule)
    assert not audience.matches(silver_trail, rule)


def test_stages_roles_and_trust(db):
    advocate = _stage(MemberFactory(), "advocate")
    newcomer = MemberFactory()  # no profile yet: stage "new"
    assert audience.matches(advocate, Audience(stages=frozenset({"advocate", "active"})))
    assert not audience.matches(newcomer, Audience(stages=frozenset({"advocate"})))
    assert audience.matches(newcomer, Audience(stages=frozenset({"new"})))
    product = MemberFactory(role="product")
    assert audience.matches(product, Audience(roles=frozenset({"product"})))
    assert not audience.matches(MemberFactory(), Audience(roles=frozenset({"product"})))
    trusted = MemberFactory()
    trusted.trust_level = 2
    assert audience.matches(trusted, Audience(min_trust_level=2))
    untrusted = MemberFactory()
    untrusted.trust_level = 1
    assert not audience.matches(untrusted, Audience(min_trust_level=2))


def test_staff_always_match(db):
    rule = Audience(min_tier="platinum", stages=frozenset({"advocate"}))
    assert audience.matches(MemberFactory(role="moderator", tier="bronze"), rule)
    assert audience.matches(MemberFactory(role="admin", tier="bronze"), rule)
    assert not audience.matches(MemberFactory(role="product", tier="bronze"), rule)


def test_json_round_trip_is_stable(db):
    rule = Audience(
        roles=frozenset({"product", "member"}),
        min_tier="silver",
        interests=frozenset({"b", "a"}),
        stages=frozenset({"lapsed"}),
        min_trust_level=1,
        members_only=True,
    )
    data = rule.to_json()
    assert data == {
        "roles": ["member", "product"],
        "min_tier": "silver",
        "interests": ["a", "b"],
        "stages": ["lapsed"],
        "min_trust_level": 1,
        "members_only": True,
    }
    assert Audience.from_json(data) == rule
    assert Audience().to_json() == {}
    assert Audience.from_json(None) == Audience()


def test_validate_names_each_unknown_value(db):
    errors = audience.validate(
        {
            "roles": ["pirate"],
            "min_tier": "diamond",
            "interests": ["nope"],
            "stages": ["x"],
            "min_trust_level": 9,
        }
    )
    assert set(errors) == {"roles", "min_tier", "interests", "stages", "min_trust_level"}
    trail = InterestFactory()
    assert audience.validate(Audience(min_tier="gold", interests=frozenset({trail.slug}))) == {}


def test_describe_reads_like_a_sentence(app, db):
    trail = InterestFactory(name_en="Trail running", name_fr="Trail")
    with app.test_request_context():
        assert audience.describe(Audience()) == "Everyone"
        text = audience.describe(Audience(min_tier="gold", interests=frozenset({trail.slug})))
    assert text == "Gold and above, interested in Trail running"


def test_the_stage_list_matches_the_engagement_model():
    assert audience.STAGES == STAGES


def test_viewer_facts_are_read_once_per_request(app, db, queries):
    trail = InterestFactory()
    member = _stage(_interested(MemberFactory(tier="gold"), trail), "active")
    rules = [
        Audience(interests=frozenset({trail.slug}), stages=frozenset({"active"})) for _ in range(20)
    ]
    with app.test_request_context(), queries() as q:
        assert all(audience.matches(member, rule) for rule in rules)
    assert len(q) == 2


def test_a_category_audience_adds_interests_to_the_old_columns(db):
    trail = InterestFactory()
    category = CategoryFactory(min_tier_rank=2, audience={"interests": [trail.slug]})
    gold = MemberFactory(tier="gold")
    assert not access.can_read(gold, category)
    _interested(gold, trail)
    assert access.can_read(gold, category)
    assert not access.can_read(_interested(MemberFactory(tier="silver"), trail), category)


def test_snapshot_records_tier_stage_value_band_and_interests(db):
    from app.extensions import db as _db

    trail = InterestFactory(slug="trail")
    member = _interested(MemberFactory(tier="silver"), trail)
    _db.session.add(MemberProfile(member_id=member.id, stage="advocate", monetary_cents=20_000))
    _db.session.flush()
    assert audience.snapshot(member) == {
        "tier": "silver",
        "stage": "advocate",
        "value_band": "medium",
        "interests": ["trail"],
    }


def test_admin_sets_interests_stages_and_trust_on_a_category(client, login_as, db):
    from sqlalchemy import select

    from app.community.forums.models import Category

    trail = InterestFactory(slug="trail-running")
    login_as("admin")
    response = client.post(
        "/admin/categories/new",
        data={
            "slug": "trail-club",
            "name_en": "Trail club",
            "name_fr": "Club trail",
            "colour": "#3d7a4f",
            "min_tier_rank": "2",
            "interest_id": "None",
            "audience_interests": [trail.slug],
            "audience_stages": ["advocate", "active"],
            "audience_min_trust_level": "1",
        },
    )
    assert response.status_code == 302
    category = db.session.scalar(select(Category).where(Category.slug == "trail-club"))
    assert category.audience == {
        "interests": ["trail-running"],
        "stages": ["active", "advocate"],
        "min_trust_level": 1,
    }
    rule = access.category_audience(category)
    assert rule.min_tier == "gold" and rule.interests == frozenset({"trail-running"})
    page = client.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert 'name="audience_interests" type="checkbox" value="trail-running"' in page
    assert '<input checked id="audience_interests-' in page


def test_admin_category_form_refuses_an_unknown_stage(client, login_as, db):
    login_as("admin")
    response = client.post(
        "/admin/categories/new",
        data={
            "slug": "odd",
            "name_en": "Odd",
            "name_fr": "Bizarre",
            "colour": "#3d7a4f",
            "min_tier_rank": "0",
            "interest_id": "None",
            "audience_stages": ["sleepy"],
            "audience_min_trust_level": "0",
        },
    )
    assert response.status_code == 400
    assert "Unknown lifecycle stage" in response.get_data(as_text=True)
