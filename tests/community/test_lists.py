"""Top (day, week, month, year), Unread and New lists, with per-topic unread counts from
the read states; each a bounded number of queries whatever the number of topics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.community.forums.read_state import mark_read
from app.core.time import utcnow
from app.extensions import db
from tests.community.factories import CategoryFactory, topic_with_posts

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def _topic(category, title: str, posts: int = 2, days_ago: float = 0, likes: int = 0):  # type: ignore[no-untyped-def]
    when = utcnow() - timedelta(days=days_ago)
    topic = topic_with_posts(posts, category=category, title=title, created_at=when)
    topic.like_count = likes
    db.session.flush()
    return topic


def _page(client, path: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


# --- Top --------------------------------------------------------------------------------


def test_top_orders_by_likes_within_the_period(client, category):
    _topic(category, "Quiet thread of the week", days_ago=2, likes=1)
    _topic(category, "Loved thread of the week", days_ago=3, likes=9)
    _topic(category, "Loved thread of last year", days_ago=200, likes=50)
    page = _page(client, "/top?period=week")
    assert page.index("Loved thread of the week") < page.index("Quiet thread of the week")
    assert "Loved thread of last year" not in page
    assert "Loved thread of last year" in _page(client, "/top?period=year")


@pytest.mark.parametrize("period,shown", [("day", False), ("week", True), ("month", True)])
def test_each_period_has_its_window(client, category, period, shown):
    _topic(category, "Started four days ago", days_ago=4)
    assert ("Started four days ago" in _page(client, f"/top?period={period}")) is shown


def test_an_unknown_period_is_not_found(client):
    assert client.get("/top?period=decade").status_code == 404


def test_top_never_shows_a_category_the_viewer_cannot_read(client, login_as, gold_category):
    _topic(gold_category, "Gold lounge secrets", likes=30)
    assert "Gold lounge secrets" not in _page(client, "/top")
    login_as("member", tier="gold")
    assert "Gold lounge secrets" in _page(client, "/top")


# --- Unread and New -----------------------------------------------------------------------


def test_unread_lists_read_topics_with_new_posts_and_their_counts(client, login_as, category):
    reader = login_as("member")
    behind = _topic(category, "Topic with three new posts", posts=5)
    caught_up = _topic(category, "Topic read to the end", posts=3)
    _topic(category, "Topic never opened", posts=2)
    mark_read(reader.id, behind.id, 2)
    mark_read(reader.id, caught_up.id, 3)
    page = _page(client, "/unread")
    assert "Topic with three new posts" in page
    assert "3 new" in page
    assert "Topic read to the end" not in page
    assert "Topic never opened" not in page


def test_new_lists_recent_topics_never_opened(client, login_as, category):
    reader = login_as("member", created_at=utcnow() - timedelta(days=30))
    opened = _topic(category, "Recent and opened")
    _topic(category, "Recent and never opened")
    _topic(category, "Old and never opened", days_ago=20)
    mark_read(reader.id, opened.id, 1)
    page = _page(client, "/new")
    assert "Recent and never opened" in page
    assert "Recent and opened" not in page
    assert "Old and never opened" not in page


@pytest.mark.parametrize("path", ["/unread", "/new", "/bookmarks"])
def test_visitors_are_asked_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
@pytest.mark.parametrize("path", ["/top", "/unread", "/new"])
def test_every_role_sees_the_lists(client, login_as, role, path):
    login_as(role)
    page = _page(client, path)
    assert 'aria-label="Topic lists"' in page


def test_tabs_show_the_current_list(client, login_as):
    login_as("member")
    assert 'href="/unread" aria-current="page"' in _page(client, "/unread")
    assert 'href="/top" aria-current="page"' in _page(client, "/top")
    assert 'href="/latest" aria-current="page"' in _page(client, "/latest")


def test_lists_in_french(client, login_as, category):
    login_as("member")
    _topic(category, "Un sujet bien aimé", likes=3)
    assert "Meilleurs sujets" in _page(client, "/top", headers=FR)
    assert "Cette année" in _page(client, "/top", headers=FR)
    assert "Sujets non lus" in _page(client, "/unread", headers=FR)
    assert "Nouveaux sujets" in _page(client, "/new", headers=FR)


# --- bounded queries ------------------------------------------------------------------------


def _count(client, queries, path: str) -> int:  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    with queries() as q:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(q)


@pytest.mark.parametrize("path", ["/top?period=year", "/unread", "/new", "/latest?status=solved"])
def test_lists_cost_the_same_for_5_and_45_topics(client, queries, login_as, path):
    reader = login_as("member", created_at=utcnow() - timedelta(days=30))
    category = CategoryFactory(qa=True)

    def add(n: int) -> None:
        for index in range(n):
            topic = _topic(category, f"Topic {index}", posts=3, likes=index)
            topic.solved = True
            if index % 3:
                mark_read(reader.id, topic.id, 1 if index % 2 else 0)

    add(5)
    small = _count(client, queries, path)
    add(40)
    large = _count(client, queries, path)
    assert small == large
    if "?" in path:  # 45 topics in these lists: a second page
        assert _count(client, queries, path + "&page=2") == large


def test_the_lists_own_statements_are_two(client, queries, login_as, category):
    """A list reads topics in two statements (COUNT, page) plus the rows' members and the
    viewer's read states, as /latest does."""
    login_as("member")
    for index in range(4):
        _topic(category, f"Topic {index}")
    db.session.expunge_all()
    with queries() as q:
        client.get("/top")
    topic_statements = [s for s in q if "FROM topics" in s and "topic_read_states" not in s]
    assert len(topic_statements) == 2


def test_dismissing_unread_marks_each_topic_read_to_its_end(client, login_as, category):
    from app.community.forums.models import TopicReadState

    reader = login_as("member")
    behind = _topic(category, "Topic with new posts", posts=5)
    mark_read(reader.id, behind.id, 2)
    page = _page(client, "/unread")
    assert "Dismiss: mark all read" in page
    response = client.post("/unread/dismiss")
    assert response.headers["Location"].endswith("/unread")
    db.session.expire_all()
    state = db.session.scalar(
        select(TopicReadState).where(
            TopicReadState.member_id == reader.id, TopicReadState.topic_id == behind.id
        )
    )
    assert state.last_read_post_number == 5
    page = _page(client, "/unread")
    assert "Topic with new posts" not in page and "You are all caught up" in page


def test_dismissing_new_empties_the_new_list_and_is_idempotent(client, login_as, category):
    login_as("member", created_at=utcnow() - timedelta(days=30))
    _topic(category, "A brand new topic")
    assert "A brand new topic" in _page(client, "/new")
    client.post("/new/dismiss")
    client.post("/new/dismiss")
    page = _page(client, "/new", headers=FR)
    assert "A brand new topic" not in page and "Aucun nouveau sujet" in page


def test_dismiss_needs_a_member_and_a_known_list(client, login_as):
    assert "/auth/login" in client.post("/unread/dismiss").headers["Location"]
    login_as("member")
    assert client.post("/top/dismiss").status_code in (404, 405)
