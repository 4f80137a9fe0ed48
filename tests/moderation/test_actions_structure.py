"""Move, merge and split: counters kept, one audit entry each, and undone exactly."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.community.forums import services
from app.community.forums.counters import recount_forum_counters
from app.community.forums.models import Category, Post, Topic
from app.community.forums.services import structure
from app.core.errors import Invalid, PermissionDenied
from app.moderation.models import AuditEntry
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


@pytest.fixture
def moderator(db):  # type: ignore[no-untyped-def]
    return MemberFactory(role="moderator")


@pytest.fixture
def two_categories(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(), CategoryFactory()


def _topic(category, replies: int = 2, title: str = "A topic to rearrange"):  # type: ignore[no-untyped-def]
    author = MemberFactory(trust_level=2)
    topic = services.create_topic(author, category.id, title, f"First post of {title}")
    for i in range(replies):
        services.reply(MemberFactory(trust_level=2), topic.id, f"Reply {i} in {title}")
    return topic


def _layout(topic_id: int) -> list[tuple[int, int, str]]:
    from app.extensions import db

    return [
        (p.id, p.post_number, p.body)
        for p in db.session.scalars(
            select(Post).where(Post.topic_id == topic_id).order_by(Post.post_number)
        )
    ]


def _audit(db, action: str) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_moving_a_topic_moves_its_counts_and_is_undone(db, moderator, two_categories):  # type: ignore[no-untyped-def]
    first, second = two_categories
    topic = _topic(first)
    change = structure.move_topic(moderator, topic.id, second.id, "Belongs with the stoves")
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).category_id == second.id
    assert (
        db.session.get(Category, first.id).topic_count,
        db.session.get(Category, second.id).post_count,
    ) == (0, 3)
    assert recount_forum_counters() == []
    [entry] = _audit(db, "topic_moved")
    assert entry.actor_id == moderator.id
    assert entry.details["before"] == {"category_id": first.id}
    assert entry.details["after"] == {"category_id": second.id}
    assert entry.details["reason"] == "Belongs with the stoves"

    structure.undo_change(moderator, change.id)
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).category_id == first.id
    assert db.session.get(Category, first.id).post_count == 3
    assert recount_forum_counters() == []
    assert len(_audit(db, "move_undone")) == 1


def test_merging_appends_the_posts_and_undo_gives_back_the_exact_topics(
    db, moderator, two_categories
):  # type: ignore[no-untyped-def]
    first, second = two_categories
    source = _topic(first, 2, "The source topic")
    target = _topic(second, 3, "The target topic")
    before_source, before_target = _layout(source.id), _layout(target.id)

    change = structure.merge_topics(moderator, source.id, target.id, "Same question")
    db.session.expire_all()
    merged = _layout(target.id)
    assert [n for _, n, _ in merged] == [1, 2, 3, 4, 5, 6, 7]
    assert [b for _, _, b in merged] == [b for _, _, b in before_target + before_source]
    assert db.session.get(Topic, source.id).deleted_at is not None
    assert db.session.get(Topic, target.id).post_count == 7
    assert recount_forum_counters() == []
    assert len(_audit(db, "topics_merged")) == 1

    structure.undo_change(moderator, change.id)
    db.session.expire_all()
    assert _layout(source.id) == before_source
    assert _layout(target.id) == before_target
    assert db.session.get(Topic, source.id).deleted_at is None
    assert recount_forum_counters() == []
    with pytest.raises(Invalid):
        structure.undo_change(moderator, change.id)


def test_splitting_replies_makes_a_new_topic_and_undo_puts_them_back(db, moderator, two_categories):  # type: ignore[no-untyped-def]
    first, second = two_categories
    topic = _topic(first, 4)
    before = _layout(topic.id)
    moved = [before[2][0], before[4][0]]
    change = structure.split_posts(
        moderator, topic.id, moved, "A tangent worth its own topic", second.id, "Off topic"
    )
    db.session.expire_all()
    new = db.session.get(Topic, change.target_topic_id)
    assert new.category_id == second.id and new.title == "A tangent worth its own topic"
    assert [(pid, n) for pid, n, _ in _layout(new.id)] == [(moved[0], 1), (moved[1], 2)]
    assert db.session.get(Topic, topic.id).post_count == 3
    assert recount_forum_counters() == []
    assert len(_audit(db, "topic_split")) == 1

    structure.undo_change(moderator, change.id)
    db.session.expire_all()
    assert _layout(topic.id) == before
    assert db.session.get(Topic, new.id).deleted_at is not None
    assert recount_forum_counters() == []


def test_split_refuses_the_first_post_and_a_short_title(db, moderator, two_categories):  # type: ignore[no-untyped-def]
    topic = _topic(two_categories[0], 2)
    posts = _layout(topic.id)
    with pytest.raises(Invalid) as caught:
        structure.split_posts(moderator, topic.id, [posts[0][0]], "A new topic title")
    assert "post_ids" in caught.value.errors
    with pytest.raises(Invalid) as caught:
        structure.split_posts(moderator, topic.id, [posts[1][0]], "Tiny")
    assert "title" in caught.value.errors
    assert _layout(topic.id) == posts


def test_undoing_a_split_whose_topic_has_new_replies_is_refused(db, moderator, two_categories):  # type: ignore[no-untyped-def]
    topic = _topic(two_categories[0], 2)
    posts = _layout(topic.id)
    change = structure.split_posts(moderator, topic.id, [posts[2][0]], "A new topic title")
    services.reply(
        MemberFactory(trust_level=2), change.target_topic_id, "A reply in the split topic"
    )
    with pytest.raises(Invalid):
        structure.undo_change(moderator, change.id)
    assert recount_forum_counters() == []


@pytest.mark.parametrize("action", ["move", "merge", "split"])
def test_members_cannot_change_the_structure(db, two_categories, action):  # type: ignore[no-untyped-def]
    member = MemberFactory()
    topic = _topic(two_categories[0], 2)
    other = _topic(two_categories[1], 1, "Another topic here")
    calls = {
        "move": lambda: structure.move_topic(member, topic.id, two_categories[1].id),
        "merge": lambda: structure.merge_topics(member, topic.id, other.id),
        "split": lambda: structure.split_posts(
            member, topic.id, [_layout(topic.id)[1][0]], "Some new topic"
        ),
    }
    with pytest.raises(PermissionDenied):
        calls[action]()
    assert db.session.scalars(select(AuditEntry)).all() == []


def test_moved_posts_are_indexed_again_for_search(db, moderator, two_categories):  # type: ignore[no-untyped-def]
    from app.search.models import SearchQueueItem
    from tests.conftest import drain_events

    source = _topic(two_categories[0], 1, "The source topic")
    target = _topic(two_categories[1], 1, "The target topic")
    drain_events()
    db.session.execute(SearchQueueItem.__table__.delete())
    structure.merge_topics(moderator, source.id, target.id)
    drain_events()
    queued = set(db.session.scalars(select(SearchQueueItem.doc_key)))
    assert {f"post:{pid}" for pid, _n, _b in _layout(target.id)} <= queued
