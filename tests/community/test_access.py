"""Who reads which category: one rule, applied to every list and count."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from app.community.forums import access, queries
from tests.community.factories import CategoryFactory, topic_with_posts
from tests.factories import MemberFactory


@pytest.fixture
def scene(category, gold_category, staff_category):  # type: ignore[no-untyped-def]
    return {
        "open": category.id,
        "gold": gold_category.id,
        "staff": staff_category.id,
    }


def test_visitor_reads_only_unrestricted_categories(scene):
    assert access.readable_category_ids(AnonymousUserMixin()) == {scene["open"]}


def test_bronze_member_does_not_read_a_gold_category(scene):
    assert access.readable_category_ids(MemberFactory(tier="bronze")) == {scene["open"]}


def test_gold_and_platinum_members_read_a_gold_category(scene):
    for tier in ("gold", "platinum"):
        ids = access.readable_category_ids(MemberFactory(tier=tier))
        assert ids == {scene["open"], scene["gold"]}


def test_role_restricted_category_is_read_only_by_those_roles_and_staff(scene):
    product = MemberFactory(role="product", tier="platinum")
    assert scene["staff"] not in access.readable_category_ids(product)
    assert scene["staff"] in access.readable_category_ids(MemberFactory(role="moderator"))


def test_staff_read_every_category_whatever_their_tier(scene):
    admin = MemberFactory(role="admin", tier="bronze")
    assert access.readable_category_ids(admin) == set(scene.values())


def test_both_rules_must_hold_when_a_category_has_roles_and_a_tier(db):
    both = CategoryFactory(allowed_roles="product", min_tier_rank=1)
    assert not access.can_read(MemberFactory(role="product", tier="bronze"), both)
    assert access.can_read(MemberFactory(role="product", tier="silver"), both)


def test_gold_topics_never_reach_a_bronze_members_lists(scene, gold_category, app):
    topic_with_posts(2, category=gold_category)
    bronze = MemberFactory(tier="bronze")
    with app.test_request_context():
        assert queries.latest_topics(bronze, 10) == []
        overview = queries.categories_overview(bronze)
    assert [c.name for c in overview] == ["Tents"]


def test_categories_are_loaded_once_per_request(scene, app, queries):
    member = MemberFactory()
    with app.test_request_context(), queries() as q:
        access.readable_category_ids(member)
        access.readable_category_ids(AnonymousUserMixin())
        access.category_by_slug(member, "tents")
    assert len(q) == 1
