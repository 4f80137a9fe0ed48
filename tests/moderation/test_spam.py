"""Spam heuristics: a new account posting the same text or the same links in several
topics, or posting too fast, is held for review."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.community.forums import services
from app.extensions import db
from app.moderation.models import ReviewItem
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


@pytest.fixture
def topics(db):  # type: ignore[no-untyped-def]
    category = CategoryFactory()
    starter = MemberFactory()
    return [
        services.create_topic(starter, category.id, f"Topic number {n}", "Hello.") for n in range(4)
    ]


@pytest.fixture
def newcomer(app, db, monkeypatch):  # type: ignore[no-untyped-def]
    # Only the heuristics under test: a new member's first post is not held here.
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", {"held_posts": 0, "links": 5})
    return MemberFactory(trust_level=0)


def test_the_same_text_in_another_topic_is_held(topics, newcomer) -> None:  # type: ignore[no-untyped-def]
    first = services.reply(newcomer, topics[0].id, "Great deals on boots, message me!")
    assert first.moderation_state == "visible"
    second = services.reply(newcomer, topics[1].id, "great deals on  boots, message me!")
    assert (second.moderation_state, second.moderation_reason) == ("held", "duplicate_text")
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == second.id))
    assert (item.kind, item.details["topics"]) == ("spam", [topics[0].id])


def test_the_same_link_in_another_topic_is_held(topics, newcomer) -> None:  # type: ignore[no-untyped-def]
    services.reply(newcomer, topics[0].id, "Try https://boots.example/sale it is good")
    again = services.reply(newcomer, topics[1].id, "Look at https://boots.example/sale now")
    assert (again.moderation_state, again.moderation_reason) == ("held", "duplicate_links")


def test_an_established_member_may_repeat_a_link(topics) -> None:  # type: ignore[no-untyped-def]
    regular = MemberFactory(trust_level=1)
    services.reply(regular, topics[0].id, "The manual: https://brand.example/manual")
    again = services.reply(regular, topics[1].id, "The manual: https://brand.example/manual")
    assert again.moderation_state == "visible"


def test_posting_too_fast_is_held(app, topics, newcomer, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "SPAM_VELOCITY", (3, 300))
    states = [
        services.reply(newcomer, topics[n % 4].id, f"Message number {n} here").moderation_state
        for n in range(4)
    ]
    assert states == ["visible", "visible", "visible", "held"]
    held = db.session.scalar(select(ReviewItem).where(ReviewItem.reason == "velocity"))
    assert held.details == {"reasons": ["velocity"], "posts": 3, "seconds": 300}
