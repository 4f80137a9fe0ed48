"""Topic views: buffered in memory on the request path, written by `flush_views`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.community.forums import views
from app.community.forums.events import TopicViewed
from app.community.forums.models import Category, Post, Topic, TopicReadState, TopicViewDay
from app.core.events import get_bus
from app.core.time import today
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def empty_buffer(app):  # type: ignore[no-untyped-def]
    buffer = views.view_buffer(app)
    buffer.drain()
    buffer.last_prune = None
    yield buffer
    buffer.drain()


@pytest.fixture
def topic(db):  # type: ignore[no-untyped-def]
    author = MemberFactory()
    category = Category(slug="tents", name_en="Tents", name_fr="Tentes")
    db.session.add(category)
    db.session.flush()
    topic = Topic(
        category_id=category.id,
        author_id=author.id,
        title="Summit 2 in strong wind",
        slug="summit-2-in-strong-wind",
        post_count=1,
        highest_post_number=1,
    )
    db.session.add(topic)
    db.session.flush()
    db.session.add(
        Post(
            topic_id=topic.id, post_number=1, author_id=author.id, body="Hi", body_html="<p>Hi</p>"
        )
    )
    db.session.flush()
    return topic


@pytest.fixture
def viewed(app):  # type: ignore[no-untyped-def]
    seen: list[TopicViewed] = []
    bus = get_bus()
    bus.subscribe(TopicViewed, seen.append)
    yield seen
    bus._handlers[TopicViewed].remove(seen.append)


def view_count(db, topic_id: int) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Topic.view_count).where(Topic.id == topic_id))


def view_rows(db) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(TopicViewDay))


def test_recording_a_view_runs_no_sql(topic, queries, empty_buffer):  # type: ignore[no-untyped-def]
    with queries() as statements:
        views.record_view(topic.id, "v:abc", None, 1)
    assert statements == []
    assert len(empty_buffer) == 1


def test_a_view_counts_once_per_viewer_per_day(db, topic):  # type: ignore[no-untyped-def]
    for _ in range(3):
        views.record_view(topic.id, "v:visitor", None, 1)
    views.record_view(topic.id, "m:1", None, 1)

    assert views.flush_views() == 2
    assert view_count(db, topic.id) == 2
    assert view_rows(db) == 2

    views.record_view(topic.id, "v:visitor", None, 1)  # same day, already counted
    assert views.flush_views() == 0
    assert view_count(db, topic.id) == 2


def test_a_view_already_stored_by_another_process_is_not_counted_again(db, topic):  # type: ignore[no-untyped-def]
    db.session.add(TopicViewDay(topic_id=topic.id, viewer_key="v:elsewhere", day=today()))
    db.session.flush()
    views.record_view(topic.id, "v:elsewhere", None, 1)
    views.record_view(topic.id, "v:new", None, 1)

    assert views.flush_views() == 1
    assert view_count(db, topic.id) == 1


def test_read_state_keeps_the_furthest_post_seen(db, topic):  # type: ignore[no-untyped-def]
    member = MemberFactory()
    key = f"m:{member.id}"
    views.record_view(topic.id, key, member.id, 7)
    views.record_view(topic.id, key, member.id, 3)
    views.flush_views()

    def furthest() -> int:
        return db.session.scalar(
            select(TopicReadState.last_read_post_number).where(
                TopicReadState.member_id == member.id, TopicReadState.topic_id == topic.id
            )
        )

    assert furthest() == 7
    views.record_view(topic.id, key, member.id, 5)  # an earlier page later on
    views.flush_views()
    assert furthest() == 7
    views.record_view(topic.id, key, member.id, 12)
    views.flush_views()
    assert furthest() == 12


def test_flush_emits_one_event_per_counted_view_after_commit(db, topic, viewed):  # type: ignore[no-untyped-def]
    member = MemberFactory()
    views.record_view(topic.id, f"m:{member.id}", member.id, 1)
    views.record_view(topic.id, f"m:{member.id}", member.id, 1)
    views.record_view(topic.id, "v:someone", None, 1)

    views.flush_views()

    assert sorted(viewed, key=lambda e: e.viewer_key) == [
        TopicViewed(topic_id=topic.id, member_id=member.id, viewer_key=f"m:{member.id}"),
        TopicViewed(topic_id=topic.id, member_id=None, viewer_key="v:someone"),
    ]


def test_failed_flush_emits_nothing_and_keeps_the_views(
    db, topic, viewed, monkeypatch, empty_buffer
):  # type: ignore[no-untyped-def]
    member = MemberFactory()
    views.record_view(topic.id, f"m:{member.id}", member.id, 4)

    def broken(_furthest):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(views, "raise_read_positions", broken)
    with pytest.raises(RuntimeError):
        views.flush_views()

    assert viewed == []
    assert view_count(db, topic.id) == 0
    assert view_rows(db) == 0
    assert len(empty_buffer) == 1

    monkeypatch.undo()
    assert views.flush_views() == 1
    assert view_count(db, topic.id) == 1


def test_views_of_a_missing_topic_are_dropped(db, topic):  # type: ignore[no-untyped-def]
    views.record_view(topic.id + 1000, "v:x", None, 1)
    views.record_view(topic.id, "v:x", None, 1)

    assert views.flush_views() == 1
    assert view_rows(db) == 1


def test_flush_prunes_view_days_older_than_two_days(db, topic):  # type: ignore[no-untyped-def]
    old = today() - timedelta(days=3)
    db.session.add(TopicViewDay(topic_id=topic.id, viewer_key="v:old", day=old))
    db.session.add(TopicViewDay(topic_id=topic.id, viewer_key="v:recent", day=today()))
    db.session.flush()
    views.record_view(topic.id, "v:now", None, 1)

    views.flush_views()

    keys = set(db.session.scalars(select(TopicViewDay.viewer_key)))
    assert keys == {"v:recent", "v:now"}


def test_buffer_signals_when_full(topic, empty_buffer):  # type: ignore[no-untyped-def]
    empty_buffer.flush_size, size = 3, empty_buffer.flush_size
    try:
        for n in range(2):
            views.record_view(topic.id, f"v:{n}", None, 1)
        assert not empty_buffer.full.is_set()
        views.record_view(topic.id, "v:2", None, 1)
        assert empty_buffer.full.is_set()
    finally:
        empty_buffer.flush_size = size


def test_visitor_key_hides_the_address(app):  # type: ignore[no-untyped-def]
    with app.test_request_context():
        key = views.viewer_key(None, "203.0.113.9", "Firefox")
        assert key.startswith("v:") and "203.0.113.9" not in key and len(key) <= 40
        assert key == views.viewer_key(None, "203.0.113.9", "Firefox")
        assert key != views.viewer_key(None, "203.0.113.10", "Firefox")
        assert views.viewer_key(42, "203.0.113.9", "Firefox") == "m:42"


def test_topic_page_writes_nothing_until_flush(app, db, client, topic, empty_buffer):  # type: ignore[no-untyped-def]
    response = client.get(f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 200

    assert view_rows(db) == 0
    assert view_count(db, topic.id) == 0
    assert len(empty_buffer) == 1

    assert views.flush_views() == 1
    assert view_count(db, topic.id) == 1
