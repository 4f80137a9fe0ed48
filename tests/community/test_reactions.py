"""Likes and follows are set and unset: asking twice for a state ends in that state, and
only a real change moves a counter or emits an event."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import services
from app.community.forums.events import PostLiked, PostUnliked, TopicFollowed
from app.community.forums.models import Post, PostLike, Topic, TopicFollow
from app.core.errors import Invalid, NotFound
from app.extensions import db
from tests.factories import MemberFactory

BODY = "Which tent pegs hold best in sand?"


def _fresh(model, id_):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def topic(member, category):  # type: ignore[no-untyped-def]
    return services.create_topic(member, category.id, "Pegs for sandy ground", BODY)


@pytest.fixture
def first(topic):  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id))


def _likes() -> int:
    return db.session.scalar(select(func.count()).select_from(PostLike))


# --- likes ------------------------------------------------------------------------------


def test_like_then_unlike_keeps_post_and_topic_counts(other, topic, first):
    assert services.set_like(other, first.id, True) == (True, 1)
    assert _fresh(Topic, topic.id).like_count == 1
    assert services.set_like(other, first.id, False) == (False, 0)
    assert _fresh(Topic, topic.id).like_count == 0
    assert _likes() == 0


def test_liking_twice_keeps_one_like(other, topic, first):
    assert services.set_like(other, first.id, True) == (True, 1)
    assert services.set_like(other, first.id, True) == (True, 1)
    assert _likes() == 1
    assert _fresh(Post, first.id).like_count == 1
    assert _fresh(Topic, topic.id).like_count == 1


def test_unliking_a_post_never_liked_changes_nothing(other, topic, first):
    assert services.set_like(other, first.id, False) == (False, 0)
    assert _fresh(Post, first.id).like_count == 0
    assert _fresh(Topic, topic.id).like_count == 0


def test_likes_of_two_members_add_up(other, topic, first, moderator):
    services.set_like(other, first.id, True)
    assert services.set_like(moderator, first.id, True) == (True, 2)
    assert services.set_like(other, first.id, False) == (False, 1)
    assert _fresh(Topic, topic.id).like_count == 1


def test_only_a_real_change_emits_an_event(member, other, first, received):
    received.clear()
    services.set_like(other, first.id, True)
    services.set_like(other, first.id, True)
    services.set_like(other, first.id, False)
    services.set_like(other, first.id, False)
    assert [type(e) for e in received] == [PostLiked, PostUnliked]
    assert received[0].post_author_id == member.id and received[0].member_id == other.id


def test_cannot_like_your_own_post(member, first):
    with pytest.raises(Invalid):
        services.set_like(member, first.id, True)
    assert _likes() == 0


def test_cannot_like_a_deleted_post(member, other, topic):
    post = services.reply(member, topic.id, "Second post")
    services.delete_post(member, post.id)
    with pytest.raises(Invalid) as error:
        services.set_like(other, post.id, True)
    assert "deleted" in str(error.value)
    assert _likes() == 0


def test_cannot_like_a_post_of_a_category_one_cannot_read(other, gold_category):
    gold = MemberFactory(tier="gold")
    topic = services.create_topic(gold, gold_category.id, "Gold members only", BODY)
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    with pytest.raises(NotFound):
        services.set_like(other, post_id, True)
    assert _likes() == 0


def test_a_failed_like_emits_nothing(member, other, first, received):
    received.clear()
    with pytest.raises(Invalid):
        services.set_like(member, first.id, True)
    assert received == []
    services.set_like(other, first.id, True)  # a real change, to prove we listen
    assert [type(e) for e in received] == [PostLiked]


# --- follows ----------------------------------------------------------------------------


def _follows(member_id: int, topic_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(TopicFollow)
        .where(TopicFollow.member_id == member_id, TopicFollow.topic_id == topic_id)
    )


def test_follow_then_unfollow(other, topic):
    assert services.set_follow(other, topic.id, True) is True
    assert _follows(other.id, topic.id) == 1
    assert services.set_follow(other, topic.id, False) is False
    assert _follows(other.id, topic.id) == 0


def test_following_twice_keeps_one_follow(other, topic):
    services.set_follow(other, topic.id, True)
    assert services.set_follow(other, topic.id, True) is True
    assert _follows(other.id, topic.id) == 1


def test_the_author_already_follows_and_following_again_changes_nothing(member, topic, received):
    received.clear()
    assert services.set_follow(member, topic.id, True) is True
    assert _follows(member.id, topic.id) == 1
    services.set_follow(member, topic.id, False)  # a real change, to prove we listen
    assert [e.following for e in received] == [False]


def test_follow_events_only_for_real_changes(other, topic, received):
    received.clear()
    services.set_follow(other, topic.id, True)
    services.set_follow(other, topic.id, True)
    services.set_follow(other, topic.id, False)
    services.set_follow(other, topic.id, False)
    assert received == [
        TopicFollowed(topic_id=topic.id, member_id=other.id, following=True),
        TopicFollowed(topic_id=topic.id, member_id=other.id, following=False),
    ]
