"""A profile's activity counts include only the categories its viewer may read."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.community.forums import queries, services
from app.community.forums.models import Post
from app.extensions import db
from app.members.recount import recount_member_counters
from tests.conftest import count_queries
from tests.factories import MemberFactory


@pytest.fixture
def gold_author(db, category, gold_category):  # type: ignore[no-untyped-def]
    """A Gold member with one topic and a liked reply in the open category, and two topics
    (one liked twice) in the Gold lounge."""
    author = MemberFactory(username="goldie", tier="gold")
    fans = [MemberFactory(tier="gold") for _ in range(2)]
    open_topic = services.create_topic(author, category.id, "Open topic here", "Hello all")
    reply = services.reply(author, open_topic.id, "And a reply")
    services.set_like(fans[0], reply.id, True)
    lounge = services.create_topic(author, gold_category.id, "Lounge topic one", "Secret")
    services.create_topic(author, gold_category.id, "Lounge topic two", "Secret too")
    lounge_first = db.session.scalar(select(Post.id).where(Post.topic_id == lounge.id))
    for fan in fans:
        services.set_like(fan, lounge_first, True)
    # The stored counters follow events through the worker: set them from the rows here.
    recount_member_counters()
    return author


def _stats(html: str) -> dict[str, int]:
    pairs = re.findall(r"<dt>([^<]+)</dt><dd>([\d,]+)</dd>", html)
    return {name: int(value.replace(",", "")) for name, value in pairs}


def test_a_visitor_sees_no_count_from_the_gold_lounge(client, gold_author):
    response = client.get("/members/goldie")
    assert response.status_code == 200
    stats = _stats(response.get_data(as_text=True))
    assert (stats["Topics"], stats["Posts"], stats["Likes received"]) == (1, 2, 1)


def test_a_gold_member_sees_every_count(client, login_as, gold_author):
    login_as("member", tier="gold")
    response = client.get("/members/goldie")
    assert response.status_code == 200
    stats = _stats(response.get_data(as_text=True))
    assert (stats["Topics"], stats["Posts"], stats["Likes received"]) == (3, 4, 3)


def test_a_reader_of_every_category_gets_the_stored_counters_without_a_query(
    app, gold_author, moderator
):
    gold_author.topic_count, gold_author.post_count, gold_author.likes_received = 30, 40, 50
    with app.test_request_context(), count_queries(db.engine) as statements:
        queries.access.all_categories()  # the page loads the category list anyway
        statements.clear()
        counts = queries.activity_counts(gold_author, moderator)
    assert (counts.topics, counts.posts, counts.likes_received) == (30, 40, 50)
    assert statements == []


def test_a_restricted_viewer_costs_one_query(app, gold_author):
    visitor = None
    db.session.refresh(gold_author)
    with app.test_request_context(), count_queries(db.engine) as statements:
        queries.access.all_categories()
        statements.clear()
        counts = queries.activity_counts(gold_author, visitor)
    assert (counts.topics, counts.posts, counts.likes_received) == (1, 2, 1)
    assert len(statements) == 1


def test_deleted_posts_and_topics_leave_the_counts(client, category, gold_author):
    topic = services.create_topic(gold_author, category.id, "Soon deleted", "Going away")
    first = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    services.delete_post(gold_author, first)
    response = client.get("/members/goldie")
    assert response.status_code == 200
    stats = _stats(response.get_data(as_text=True))
    assert (stats["Topics"], stats["Posts"]) == (1, 2)
