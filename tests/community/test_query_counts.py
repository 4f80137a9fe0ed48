"""Hot pages run a bounded number of SQL queries, whatever the amount of data.

The session is emptied before each request (as a real request starts with an empty one),
so objects the factories left in it cannot hide a query.
"""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.community.factories import CategoryFactory, topic_with_posts

# Measured: visitor 3, member 7 (session member, topic, posts, their authors, the viewer's
# likes, read state, follow); plus the topic map's participants (members grouped, one
# query), the member's reactions and bookmarks (one UNION) and, on the last page, the
# suggested topics (one query): visitor 5, member 10.
TOPIC_PAGE_MAX = 10
# Visitor 3, member 5 (session member, categories, topics, their authors/last posters,
# read states).
LIST_PAGE_MAX = 5
FORUMS_INDEX_MAX = 3


def count(client, queries, path: str) -> int:  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    with queries() as q:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(q)


@pytest.fixture(params=["visitor", "member", "moderator"])
def viewer(request, login_as):  # type: ignore[no-untyped-def]
    if request.param != "visitor":
        login_as(request.param, tier="gold")
    return request.param


@pytest.mark.parametrize("posts", [25, 60])
def test_topic_page_query_count_is_bounded(client, queries, category, viewer, posts):
    topic = topic_with_posts(posts, category=category)
    path = f"/t/{topic.id}-{topic.slug}"
    assert count(client, queries, path) <= TOPIC_PAGE_MAX
    assert count(client, queries, f"{path}?page={topic.page_count}") <= TOPIC_PAGE_MAX


def test_topic_page_costs_the_same_for_25_and_60_posts(client, queries, category, login_as):
    login_as("member")
    small = topic_with_posts(25, category=category)
    large = topic_with_posts(60, category=category)
    assert count(client, queries, f"/t/{small.id}-{small.slug}?page=2") == count(
        client, queries, f"/t/{large.id}-{large.slug}?page=3"
    )


@pytest.mark.parametrize("topics", [5, 40])
def test_category_page_query_count_is_bounded(client, queries, category, viewer, topics):
    for _ in range(topics):
        topic_with_posts(2, category=category)
    assert count(client, queries, "/forums/tents/") <= LIST_PAGE_MAX
    if topics > 30:
        assert count(client, queries, "/forums/tents/?page=2") <= LIST_PAGE_MAX


@pytest.mark.parametrize("topics", [5, 40])
def test_latest_query_count_is_bounded(client, queries, category, viewer, topics):
    other = CategoryFactory()
    for index in range(topics):
        topic_with_posts(2, category=category if index % 2 else other)
    assert count(client, queries, "/latest") <= LIST_PAGE_MAX


@pytest.mark.parametrize("categories", [2, 12])
def test_forums_index_query_count_is_bounded(client, queries, viewer, categories):
    for _ in range(categories):
        topic_with_posts(2, category=CategoryFactory())
    assert count(client, queries, "/forums/") <= FORUMS_INDEX_MAX
