"""Topic writes: pin and lock announce real changes only, writes lock the topic row and
nothing else, and Markdown is rendered before the writing transaction opens."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.dialects import postgresql

from app.community.forums import services
from app.community.forums.events import TopicLocked, TopicPinned
from app.community.forums.models import Post
from app.community.forums.services import base, posts, topics
from app.core import db as core_db
from app.core.errors import Invalid
from app.core.events import get_bus
from app.extensions import db
from tests.conftest import count_queries


@pytest.fixture
def topic(member, category):  # type: ignore[no-untyped-def]
    return services.create_topic(member, category.id, "Pegs for sandy ground", "Which pegs?")


@pytest.fixture
def staff_events(app):  # type: ignore[no-untyped-def]
    seen: list = []
    bus = get_bus()
    for event_type in (TopicPinned, TopicLocked):
        bus.subscribe(event_type, seen.append)
    yield seen
    for event_type in (TopicPinned, TopicLocked):
        bus._handlers[event_type].remove(seen.append)


# --- pin and lock -----------------------------------------------------------------------


def test_pinning_emits_topic_pinned_once(moderator, topic, category, staff_events):
    services.set_pinned(moderator, topic.id, True)
    services.set_pinned(moderator, topic.id, True)
    services.set_pinned(moderator, topic.id, False)
    assert staff_events == [
        TopicPinned(topic_id=topic.id, category_id=category.id, actor_id=moderator.id, pinned=True),
        TopicPinned(
            topic_id=topic.id, category_id=category.id, actor_id=moderator.id, pinned=False
        ),
    ]


def test_unpinning_a_topic_never_pinned_emits_nothing(moderator, topic, staff_events):
    assert services.set_pinned(moderator, topic.id, False).pinned is False
    services.set_pinned(moderator, topic.id, True)  # a real change, to prove we listen
    assert [e.pinned for e in staff_events] == [True]


def test_locking_emits_topic_locked_with_the_reason(moderator, topic, category, staff_events):
    services.set_locked(moderator, topic.id, True, "  Solved,   see post 2. ")
    services.set_locked(moderator, topic.id, True, "Solved, see post 2.")
    services.set_locked(moderator, topic.id, False, "ignored when unlocking")
    assert staff_events == [
        TopicLocked(
            topic_id=topic.id,
            category_id=category.id,
            actor_id=moderator.id,
            locked=True,
            reason="Solved, see post 2.",
        ),
        TopicLocked(
            topic_id=topic.id,
            category_id=category.id,
            actor_id=moderator.id,
            locked=False,
            reason="",
        ),
    ]


def test_unlocking_an_open_topic_emits_nothing(moderator, topic, staff_events):
    topic = services.set_locked(moderator, topic.id, False)
    assert (topic.locked, topic.lock_reason) == (False, "")
    services.set_locked(moderator, topic.id, True)  # a real change, to prove we listen
    assert [e.locked for e in staff_events] == [True]


def test_a_refused_lock_emits_nothing(moderator, topic, staff_events):
    with pytest.raises(Invalid):
        services.set_locked(moderator, topic.id, True, "x" * 281)
    services.set_locked(moderator, topic.id, True, "x" * 280)  # a real change, to prove we listen
    assert [e.reason for e in staff_events] == ["x" * 280]


# --- row locks --------------------------------------------------------------------------


def test_the_topic_lock_names_the_topics_table_only():
    sql = str(base.topic_lock_statement(1).compile(dialect=postgresql.dialect()))
    assert sql.count("FOR UPDATE") == 1
    assert sql.rstrip().endswith("FOR UPDATE OF topics")


def test_a_reply_locks_only_the_topic_row(app, member, other, topic):
    with count_queries(db.engine) as statements:
        services.reply(other, topic.id, "The long V-shaped ones.")
    assert any(s.lstrip().upper().startswith("INSERT INTO POSTS") for s in statements)
    locking = [s for s in statements if "FOR UPDATE" in s.upper()]
    if db.session.get_bind().dialect.name == "postgresql":
        assert locking, "the reply should lock its topic"
    else:
        assert locking == []  # SQLite has no row locks: BEGIN IMMEDIATE serialises writers
    for statement in locking:
        assert statement.rstrip().endswith("FOR UPDATE OF topics"), statement


# --- Markdown outside the transaction ---------------------------------------------------


@pytest.fixture
def renders(monkeypatch):  # type: ignore[no-untyped-def]
    """Record, for each Markdown rendering, whether a unit of work was open."""
    inside: list[bool] = []

    def render(text: str) -> str:
        inside.append(core_db._in_unit_of_work.get())
        return f"<p>{text}</p>"

    monkeypatch.setattr(topics, "render_markdown", render)
    monkeypatch.setattr(posts, "render_markdown", render)
    return inside


def test_markdown_is_rendered_before_the_transaction(member, category, renders):
    topic = services.create_topic(member, category.id, "A perfectly normal topic", "Hello")
    post = services.reply(member, topic.id, "A reply")
    services.edit_post(member, post.id, "An edited reply")
    assert renders == [False, False, False]
    db.session.expire_all()
    html = db.session.scalars(select(Post.body_html).order_by(Post.post_number)).all()
    assert html == ["<p>Hello</p>", "<p>An edited reply</p>"]
