"""Bookmarks: private, set and unset, listed on /bookmarks newest first, a bounded page
whatever the number of bookmarks, never showing what the member may no longer read."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import queries, services
from app.community.forums.models import Bookmark, Post
from app.core.errors import Invalid, NotFound
from app.extensions import db
from tests.community.factories import CategoryFactory, topic_with_posts

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
# The count, then the rows (bookmark, post, topic and author joined).
BOOKMARK_STATEMENTS = 2


@pytest.fixture
def topic(member, category):  # type: ignore[no-untyped-def]
    return services.create_topic(member, category.id, "Pegs for sandy ground", "Which ones?")


@pytest.fixture
def first(topic):  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id))


def _bookmarks(member) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(func.count()).select_from(Bookmark).where(Bookmark.member_id == member.id)
    )


def test_bookmark_then_forget(other, first):
    assert services.set_bookmark(other, first.id, True) is True
    assert _bookmarks(other) == 1
    assert services.set_bookmark(other, first.id, False) is False
    assert _bookmarks(other) == 0


def test_bookmarking_twice_keeps_one(other, first):
    services.set_bookmark(other, first.id, True)
    services.set_bookmark(other, first.id, True)
    assert _bookmarks(other) == 1


def test_one_may_bookmark_ones_own_post(member, first):
    services.set_bookmark(member, first.id, True)
    assert _bookmarks(member) == 1


def test_a_deleted_post_cannot_be_bookmarked(member, other, topic):
    post = services.reply(member, topic.id, "Soon gone.")
    services.delete_post(member, post.id)
    with pytest.raises(Invalid):
        services.set_bookmark(other, post.id, True)
    assert _bookmarks(other) == 0


def test_a_post_one_cannot_read_cannot_be_bookmarked(other, gold_category):
    topic = topic_with_posts(1, category=gold_category)
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    with pytest.raises(NotFound):
        services.set_bookmark(other, post_id, True)


def test_bookmarks_page_lists_newest_first_and_is_private(client, login_as, category):
    reader = login_as("member")
    older = topic_with_posts(2, category=category)
    newer = topic_with_posts(2, category=category)
    for t in (older, newer):
        services.set_bookmark(reader, _post(t, 1), True)
    page = client.get("/bookmarks").get_data(as_text=True)
    assert page.index(newer.title) < page.index(older.title)
    login_as("member")
    assert newer.title not in client.get("/bookmarks").get_data(as_text=True)


def test_bookmarks_page_leaves_out_deleted_and_unreadable(client, login_as, category):
    reader = login_as("member")
    kept = topic_with_posts(2, category=category)
    gone = topic_with_posts(2, category=category)
    services.set_bookmark(reader, _post(kept, 2), True)
    services.set_bookmark(reader, _post(gone, 2), True)
    staff = login_as("moderator")
    services.delete_post(staff, _post(gone, 2))
    login_as("member", member=reader)
    page = client.get("/bookmarks").get_data(as_text=True)
    assert kept.title in page and gone.title not in page


def test_remove_from_the_bookmarks_page(client, login_as, other, first):
    login_as("member", member=other)
    services.set_bookmark(other, first.id, True)
    response = client.post(
        f"/posts/{first.id}/bookmark", data={"state": "off", "next": "bookmarks"}
    )
    assert response.headers["Location"].endswith("/bookmarks")
    assert _bookmarks(other) == 0


def test_topic_page_offers_the_topic_bookmark(client, login_as, topic, first):
    reader = login_as("member")
    page = client.get(queries.topic_url(topic)).get_data(as_text=True)
    assert "Bookmark topic" in page
    client.post(f"/posts/{first.id}/bookmark", data={"state": "on"})
    assert _bookmarks(reader) == 1
    page = client.get(queries.topic_url(topic)).get_data(as_text=True)
    assert "Bookmarked" in page


def test_bookmark_route_answers_json(client, login_as, first):
    login_as("member")
    response = client.post(
        f"/posts/{first.id}/bookmark",
        data={"state": "on"},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"bookmarked": True}


def test_visitors_have_no_bookmarks(client, topic):
    assert client.get("/bookmarks").status_code == 302
    assert "Bookmark topic" not in client.get(queries.topic_url(topic)).get_data(as_text=True)


@pytest.mark.parametrize("role", ["member", "moderator", "admin"])
def test_every_role_has_a_bookmarks_page(client, login_as, role):
    login_as(role)
    page = client.get("/bookmarks")
    assert page.status_code == 200
    assert "No bookmarks yet" in page.get_data(as_text=True)


def test_bookmarks_page_in_french(client, login_as):
    login_as("member")
    page = client.get("/bookmarks", headers=FR).get_data(as_text=True)
    assert "Signets" in page and "Aucun signet" in page


def _page_queries(client, queries, path: str) -> list[str]:  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    with queries() as q:
        response = client.get(path)
    assert response.status_code == 200
    return list(q)


def test_bookmarks_page_query_count_is_bounded(client, queries, login_as):
    """Two statements read bookmarks (the count, the joined rows), whatever their number:
    3 bookmarks on page 1 cost what 45 on page 2 cost."""
    reader = login_as("member")
    category = CategoryFactory()
    for _ in range(3):
        _bookmark_new_topic(reader, category)
    small = _page_queries(client, queries, "/bookmarks")
    for _ in range(42):
        _bookmark_new_topic(reader, category)
    large = _page_queries(client, queries, "/bookmarks?page=2")
    assert len(small) == len(large)
    assert len([s for s in large if "bookmarks" in s]) == BOOKMARK_STATEMENTS


def _bookmark_new_topic(reader, category) -> None:  # type: ignore[no-untyped-def]
    topic = topic_with_posts(1, category=category)
    db.session.add(
        Bookmark(member_id=reader.id, post_id=_post(topic, 1), topic_id=topic.id, post_number=1)
    )
    db.session.flush()


def _post(topic, number: int) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == number)
    )
