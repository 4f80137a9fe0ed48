"""Trust levels: computed from activity against configurable thresholds, locked by staff,
and what level 0 may not do (first posts held, links and images held, rate limits)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.community.forums import services
from app.community.forums.models import Post, TopicReadState, TopicViewDay
from app.core.db import unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.extensions import db
from app.moderation import trust
from app.moderation.events import TrustLevelChanged
from app.moderation.models import AuditEntry, ReviewItem, TrustStats
from tests.community.factories import CategoryFactory, TopicFactory
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def hold_first_posts(app, monkeypatch):  # type: ignore[no-untyped-def]
    """A new member's first post waits for approval (TRUST_LEVEL_0_HELD_POSTS=1)."""
    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)


def test_levels_follow_discourses_thresholds_in_order() -> None:
    table = trust.DEFAULT_THRESHOLDS
    assert trust.level_for({}, table) == 0
    assert trust.level_for({"topics_read": 5, "posts_read": 30}, table) == 1
    tl2 = {"days_visited": 15, "topics_read": 20, "posts_read": 100, "posts": 3,
           "likes_received": 1}  # fmt: skip
    assert trust.level_for(tl2, table) == 2
    assert trust.level_for({**tl2, "posts": 2}, table) == 1
    tl3 = {"days_visited": 50, "topics_read": 100, "posts_read": 500, "posts": 10,
           "likes_received": 20, "flags_upheld": 0}  # fmt: skip
    assert trust.level_for(tl3, table) == 3
    assert trust.level_for({**tl3, "flags_upheld": 6}, table) == 2
    # Levels are reached in order: level 2's numbers without level 1's give nothing.
    assert trust.level_for({"days_visited": 99, "posts": 99, "likes_received": 99}, table) == 0


def test_thresholds_are_configurable(app) -> None:  # type: ignore[no-untyped-def]
    app.config["TRUST_LEVEL_THRESHOLDS"] = {1: {"topics_read": 1, "posts_read": 1}}
    try:
        assert trust.level_for({"topics_read": 1, "posts_read": 1}) == 1
        assert trust.thresholds()[2]["days_visited"] == 15
    finally:
        app.config["TRUST_LEVEL_THRESHOLDS"] = {}


def test_flag_weights_grow_with_trust(db) -> None:  # type: ignore[no-untyped-def]
    weights = [trust.flag_weight(MemberFactory(trust_level=level)) for level in (0, 1, 2, 3)]
    assert weights == [0, 1, 1, 2]


def _read(member, topics: int, posts_each: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(topics):
        topic = TopicFactory()
        db.session.add(
            TopicReadState(member_id=member.id, topic_id=topic.id, last_read_post_number=posts_each)
        )
        db.session.add(
            TopicViewDay(topic_id=topic.id, viewer_key=f"m:{member.id}", day=date.today())
        )
    db.session.flush()


def test_recompute_raises_a_member_from_their_reading_and_announces_it(db, published) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(trust_level=0)
    _read(member, topics=5, posts_each=6)
    with unit_of_work():
        assert trust.recompute_members([member.id]) == 1
    assert db.session.get(type(member), member.id).trust_level == 1
    stats = db.session.get(TrustStats, member.id)
    assert (stats.topics_read, stats.posts_read, stats.days_visited) == (5, 30, 1)
    (evt,) = [e for e in published if isinstance(e, TrustLevelChanged)]
    assert (evt.old_level, evt.new_level, evt.actor_id) == (0, 1, None)
    with unit_of_work():
        assert trust.recompute_members([member.id]) == 0  # nothing new
    audit = db.session.scalars(select(AuditEntry).where(AuditEntry.target_id == member.id)).all()
    assert [(a.action, a.actor_id, a.details) for a in audit] == [
        ("trust_level_recomputed", None, {"before": 0, "after": 1})
    ]


def test_the_job_recomputes_members_never_computed(db) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(trust_level=0)
    _read(member, topics=5, posts_each=6)
    db.session.commit()
    assert trust.recompute_due() >= 1
    db.session.expire_all()
    assert db.session.get(type(member), member.id).trust_level == 1


def test_a_locked_level_is_left_alone_by_the_recompute(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    member = MemberFactory(trust_level=0)
    trust.set_trust_level(moderator, member.id, 3, locked=True)
    with unit_of_work():
        trust.recompute_members([member.id])
    member = db.session.get(type(member), member.id)
    assert (member.trust_level, member.trust_level_locked) == (3, True)
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "trust_level_set"))
    assert audit.details["before"] == 0 and audit.details["after"] == 3


def test_only_staff_set_trust_levels_and_only_0_to_3(db) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    with pytest.raises(PermissionDenied):
        trust.set_trust_level(MemberFactory(), member.id, 2)
    with pytest.raises(Invalid):
        trust.set_trust_level(MemberFactory(role="admin"), member.id, 4)


@pytest.fixture
def topic(db):  # type: ignore[no-untyped-def]
    return services.create_topic(MemberFactory(), CategoryFactory().id, "Stoves", "Gas?")


def test_a_new_members_later_posts_are_not_held(topic) -> None:  # type: ignore[no-untyped-def]
    newcomer = MemberFactory(trust_level=0)
    assert services.reply(newcomer, topic.id, "First words").moderation_state == "held"
    assert services.reply(newcomer, topic.id, "Second words").moderation_state == "visible"


def test_a_link_from_a_new_member_is_held_for_review(topic) -> None:  # type: ignore[no-untyped-def]
    newcomer = MemberFactory(trust_level=0)
    services.reply(newcomer, topic.id, "Hello all")
    post = services.reply(newcomer, topic.id, "See https://example.com/deal for it")
    assert (post.moderation_state, post.moderation_reason) == ("held", "link_limit")
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert item.details["links"] == 1


def test_members_of_level_1_post_links_freely(topic) -> None:  # type: ignore[no-untyped-def]
    post = services.reply(MemberFactory(trust_level=1), topic.id, "See https://example.com")
    assert post.moderation_state == "visible"


def test_staff_are_never_held(topic) -> None:  # type: ignore[no-untyped-def]
    post = services.reply(MemberFactory(role="moderator", trust_level=0), topic.id, "https://x.io")
    assert post.moderation_state == "visible"


def test_new_members_have_a_tighter_posting_rate(app, client, login_as, topic, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "NEW_MEMBER_REPLY_RATE_LIMIT", "1 per hour")
    login_as(trust_level=0)
    first = client.post(f"/t/{topic.id}/reply", data={"body": "One reply here."})
    second = client.post(f"/t/{topic.id}/reply", data={"body": "Another reply here."})
    assert first.status_code == 302
    assert second.status_code == 429
    assert "Another reply here." in second.get_data(as_text=True)
    login_as(trust_level=1)
    assert client.post(f"/t/{topic.id}/reply", data={"body": "Trusted."}).status_code == 302


def test_days_visited_come_from_the_view_days(db) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    topic = TopicFactory()
    for days_ago in (0, 1, 1, 5):
        db.session.merge(
            TopicViewDay(
                topic_id=topic.id if days_ago != 1 else TopicFactory().id,
                viewer_key=f"m:{member.id}",
                day=date.today() - timedelta(days=days_ago),
            )
        )
    db.session.flush()
    assert trust.stats_of(member.id)["days_visited"] == 3


def test_a_profile_shows_the_trust_level_and_the_member_their_progress(client, login_as) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(trust_level=1)
    path = f"/members/{member.username}"
    public = client.get(path).get_data(as_text=True)
    assert "Basic member" in public and "Days visited" not in public
    login_as(member=member)
    own = client.get(path).get_data(as_text=True)
    assert "Next: level 2" in own and "Days visited" in own
    assert "Team: trust level and sanctions" not in own


def test_staff_set_a_level_and_sanction_from_the_profile(client, login_as) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(trust_level=0)
    login_as("moderator")
    page = client.get(f"/members/{member.username}").get_data(as_text=True)
    assert "Team: trust level and sanctions" in page
    client.post(f"/members/{member.id}/trust", data={"trust_level": "2", "locked": "1"})
    member = db.session.get(type(member), member.id)
    assert (member.trust_level, member.trust_level_locked) == (2, True)
    done = client.post(
        f"/members/{member.id}/sanctions",
        data={"kind": "silence", "days": "2", "reason": "Calm down"},
        follow_redirects=True,
    )
    assert "Sanction applied" in done.get_data(as_text=True)
    assert "Lift now" in done.get_data(as_text=True)


def test_members_cannot_use_the_teams_controls(client, login_as) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(trust_level=0)
    login_as("member")
    assert client.post(f"/members/{member.id}/trust", data={"trust_level": "3"}).status_code == 403
    refused = client.post(
        f"/members/{member.id}/sanctions", data={"kind": "warning", "reason": "x"}
    )
    assert refused.status_code == 403
    assert db.session.get(type(member), member.id).trust_level == 0


def test_activity_puts_a_member_first_in_line_for_the_recompute(db) -> None:  # type: ignore[no-untyped-def]
    from app.core.time import utcnow
    from tests.conftest import drain_events

    member = MemberFactory(trust_level=1)
    db.session.add(TrustStats(member_id=member.id, days_visited=0, computed_at=utcnow()))
    db.session.flush()
    topic = services.create_topic(member, CategoryFactory().id, "Stove fuel", "Gas?")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert (topic.moderation_state, first.moderation_reason) == ("visible", ""), (
        first.moderation_reason
    )
    services.set_like(
        MemberFactory(), db.session.scalar(select(Post.id).where(Post.topic_id == topic.id)), True
    )
    drain_events()
    db.session.expire_all()
    assert db.session.get(TrustStats, member.id).computed_at is None
