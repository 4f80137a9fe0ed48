"""`recount_forum_counters` and `recount_member_counters`: the services' counters agree with
the rows after any mix of operations, and a wrong counter is reported and repaired."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from sqlalchemy import select, update

from app.community.forums import services
from app.community.forums.counters import recount_forum_counters
from app.community.forums.models import Category, Post, PostLike, Topic
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.members.models import Member
from app.members.recount import recount_member_counters
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


def _random_forum_life(seed: int, steps: int = 80) -> Counter[str]:
    """Run a seeded random sequence of create, reply, like, unlike, delete and restore
    through the services; return how many operations of each kind were accepted."""
    rng = random.Random(seed)
    categories = [CategoryFactory(), CategoryFactory()]
    members = [MemberFactory() for _ in range(4)]
    moderator = MemberFactory(role="moderator")
    people = [*members, moderator]
    topics: list[int] = []
    posts: list[int] = []
    accepted: Counter[str] = Counter()
    for step in range(steps):
        action = rng.choice(
            ["create", "reply", "reply", "like", "like", "unlike", "delete", "restore"]
        )
        if not topics:
            action = "create"
        actor = rng.choice(people)
        try:
            if action == "create":
                topic = services.create_topic(
                    actor, rng.choice(categories).id, f"Topic at step {step}", f"Body {step}"
                )
                topics.append(topic.id)
                posts.append(db.session.scalar(select(Post.id).where(Post.topic_id == topic.id)))
            elif action == "reply":
                posts.append(services.reply(actor, rng.choice(topics), f"Reply {step}").id)
            elif action in ("like", "unlike"):
                services.set_like(actor, rng.choice(posts), action == "like")
            elif action == "delete":
                services.delete_post(moderator if rng.random() < 0.5 else actor, rng.choice(posts))
            else:
                deleted = db.session.scalars(
                    select(Post.id).where(Post.deleted_at.is_not(None)).order_by(Post.id)
                ).all()
                services.restore_post(moderator, rng.choice(deleted or posts))
        except (Invalid, NotFound, PermissionDenied, services.DuplicateSubmission):
            continue
        accepted[action] += 1
    return accepted


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_counters_agree_with_the_rows_after_any_mix_of_operations(db, seed):  # type: ignore[no-untyped-def]
    accepted = _random_forum_life(seed)
    # The sequence really exercised every service it names.
    assert set(accepted) == {"create", "reply", "like", "unlike", "delete", "restore"}
    assert db.session.scalar(select(PostLike.id).limit(1))
    assert recount_forum_counters() == []


def test_member_counters_are_recounted_from_the_rows(db):  # type: ignore[no-untyped-def]
    _random_forum_life(7, steps=40)
    recount_member_counters()
    assert recount_member_counters() == []


def test_a_corrupted_topic_counter_is_reported_and_repaired(db, member, other, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which?")
    reply = services.reply(other, topic.id, "The long ones.")
    services.set_like(member, reply.id, True)
    db.session.execute(update(Topic).where(Topic.id == topic.id).values(post_count=5, like_count=0))
    db.session.execute(update(Post).where(Post.id == reply.id).values(like_count=3))
    db.session.execute(update(Category).where(Category.id == category.id).values(topic_count=9))
    report = recount_forum_counters()
    assert sorted(report) == sorted(
        [
            f"post {reply.id} like_count: 3 → 1",
            f"topic {topic.id} post_count: 5 → 2",
            f"topic {topic.id} like_count: 0 → 1",
            f"category {category.id} topic_count: 9 → 1",
        ]
    )
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 2
    assert db.session.get(Topic, topic.id).like_count == 1
    assert db.session.get(Post, reply.id).like_count == 1
    assert db.session.get(Category, category.id).topic_count == 1
    assert recount_forum_counters() == []


def test_a_wrong_latest_topic_is_repaired(db, member, category):  # type: ignore[no-untyped-def]
    older = services.create_topic(member, category.id, "The older topic", "First")
    newer = services.create_topic(member, category.id, "The newer topic", "Second")
    db.session.execute(
        update(Category).where(Category.id == category.id).values(last_topic_id=older.id)
    )
    assert recount_forum_counters() == [
        f"category {category.id} last_topic_id: {older.id} → {newer.id}"
    ]
    db.session.expire_all()
    assert db.session.get(Category, category.id).last_topic_id == newer.id


def test_a_corrupted_member_counter_is_reported_and_repaired(db, member, other, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which?")
    reply = services.reply(member, topic.id, "And more.")
    services.set_like(other, reply.id, True)
    recount_member_counters()
    db.session.execute(update(Member).where(Member.id == member.id).values(post_count=7))
    assert recount_member_counters() == [f"member {member.id} post_count: 7 → 2"]
    db.session.expire_all()
    stored = db.session.get(Member, member.id)
    assert (stored.topic_count, stored.post_count, stored.likes_received) == (1, 2, 1)
