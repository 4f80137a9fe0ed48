"""Socket.IO rooms and live pushes, through Flask-SocketIO's test client (the
python-socketio protocol, without a network): who may join what, what each room hears."""

from __future__ import annotations

import pytest

from app.community.forums import services as forums
from app.core.db import unit_of_work
from app.extensions import socketio
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import MemberFactory


@pytest.fixture
def connect(app, client):  # type: ignore[no-untyped-def]
    """`connect()` opens a socket with the Flask test client's session (its cookie)."""
    from app.realtime.sockets import SERVER_KEY

    opened = []
    # Flask-SocketIO serves the last app bound in this process: make it this one.
    previous, socketio.server = socketio.server, app.extensions[SERVER_KEY]

    def _connect(flask_client=None):  # type: ignore[no-untyped-def]
        sock = socketio.test_client(app, flask_test_client=flask_client or client)
        assert sock.is_connected()
        opened.append(sock)
        return sock

    yield _connect
    for sock in opened:
        if sock.is_connected():
            sock.disconnect()
    socketio.server = previous


def join(sock, room: str) -> dict:  # type: ignore[no-untyped-def]
    return sock.emit("join", {"room": room}, callback=True)


def events(sock, name: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return [e["args"][0] for e in sock.get_received() if e["name"] == name]


@pytest.fixture
def public_topic():  # type: ignore[no-untyped-def]
    author = MemberFactory(username="author")
    return forums.create_topic(author, CategoryFactory().id, "A public topic", "Open to all.")


@pytest.fixture
def staff_topic():  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    category = CategoryFactory(allowed_roles="moderator,admin")
    return forums.create_topic(moderator, category.id, "Staff only topic", "Hidden from members.")


def test_visitor_joins_a_public_topic(connect, public_topic):
    sock = connect()
    answer = join(sock, f"topic:{public_topic.id}")
    assert answer["ok"] is True
    assert answer["presence"] == 1


def test_visitor_and_member_are_refused_a_restricted_topic(connect, login_as, staff_topic):
    visitor = connect()
    assert join(visitor, f"topic:{staff_topic.id}") == {"ok": False}
    assert events(visitor, "refused") == [{"what": "join"}]
    login_as("member", tier="platinum")
    member = connect()
    assert join(member, f"topic:{staff_topic.id}") == {"ok": False}
    assert join(member, f"category:{staff_topic.category_id}") == {"ok": False}


def test_staff_join_a_restricted_topic(connect, login_as, staff_topic):
    login_as("moderator")
    sock = connect()
    assert join(sock, f"topic:{staff_topic.id}")["ok"] is True
    assert join(sock, "staff")["ok"] is True


def test_nobody_but_staff_joins_a_deleted_topic(connect, login_as, public_topic):
    from app.community.forums.models import Post
    from app.extensions import db

    first = db.session.query(Post).filter_by(topic_id=public_topic.id, post_number=1).one()
    forums.delete_post(public_topic.author, first.id)
    login_as("member")
    assert join(connect(), f"topic:{public_topic.id}") == {"ok": False}


def test_unknown_rooms_and_other_members_rooms_are_refused(connect, login_as):
    member = login_as("member")
    sock = connect()
    for room in (
        "topic:999999",
        f"member:{member.id + 1}",
        "staff",
        "everything",
        "topic:1;drop",
    ):
        assert join(sock, room) == {"ok": False}, room
    assert join(sock, f"member:{member.id}")["ok"] is True
    assert join(sock, None) == {"ok": False}
    assert sock.emit("join", "not a dict", callback=True) == {"ok": False}


def test_a_visitor_cannot_write(connect, public_topic):
    sock = connect()
    assert sock.emit("read", {"topic_id": public_topic.id, "post_number": 1}, callback=True) == {
        "ok": False
    }
    assert events(sock, "refused") == [{"what": "read"}]


def test_a_member_read_position_reaches_their_other_tabs(app, connect, login_as, public_topic):
    member = login_as("member")
    first, second = connect(), connect()
    assert first.emit("read", {"topic_id": public_topic.id, "post_number": 1}, callback=True)["ok"]
    assert events(second, "read") == [{"topic_id": public_topic.id, "post_number": 1}]
    assert member.id


def test_a_reply_reaches_the_topic_room_sanitised_and_nowhere_else(connect, login_as, public_topic):
    watcher = connect()
    join(watcher, f"topic:{public_topic.id}")
    other_topic = forums.create_topic(
        public_topic.author, public_topic.category_id, "Another topic", "Elsewhere."
    )
    elsewhere = connect()
    join(elsewhere, f"topic:{other_topic.id}")
    watcher.get_received(), elsewhere.get_received()
    replier = MemberFactory(username="replier")
    forums.reply(
        replier,
        public_topic.id,
        'Hi <script>alert(1)</script> <img src=x onerror="boom()"> **bold**',
    )
    [push] = events(watcher, "post_created")
    assert push["post_number"] == 2
    html = push["html"]  # this socket's language only
    assert "<script" not in html and "<img" not in html  # shown as text, escaped
    assert "&lt;script&gt;" in html
    assert "<strong>bold</strong>" in html
    assert "csrf_token" not in html
    assert 'id="post-2"' in html
    assert events(elsewhere, "post_created") == []


def test_each_language_receives_only_its_own_html(app, connect, public_topic):
    english = connect()
    french = connect(app.test_client())
    french.disconnect()
    french = socketio.test_client(
        app, flask_test_client=app.test_client(), headers={"Accept-Language": "fr"}
    )
    try:
        for sock in (english, french):
            join(sock, f"topic:{public_topic.id}")
            sock.get_received()
        forums.reply(MemberFactory(), public_topic.id, "Bonjour à tous, hello everyone.")
        [en] = events(english, "post_created")
        [fr] = events(french, "post_created")
        assert en["post_id"] == fr["post_id"] and en["ts"] == fr["ts"]
        assert isinstance(en["html"], str) and en["html"] != fr["html"]
        assert "message n° 2" in fr["html"] and "post #2" in en["html"]
    finally:
        french.disconnect()


def test_a_reply_in_a_restricted_topic_reaches_no_member(connect, login_as, staff_topic):
    login_as("member")
    member = connect()
    join(member, f"topic:{staff_topic.id}")
    join(member, "latest")
    member.get_received()
    forums.reply(staff_topic.author, staff_topic.id, "Internal note for the team.")
    assert member.get_received() == []


def test_like_counts_are_pushed(connect, public_topic):
    from app.community.forums.models import Post
    from app.extensions import db

    sock = connect()
    join(sock, f"topic:{public_topic.id}")
    sock.get_received()
    first = db.session.query(Post).filter_by(topic_id=public_topic.id, post_number=1).one()
    forums.set_like(MemberFactory(), first.id, True)
    [push] = events(sock, "post_liked")
    assert push["like_count"] == 1 and push["post_number"] == 1


def test_new_topics_reach_the_category_and_latest_rooms(connect, public_topic):
    on_category, on_latest = connect(), connect()
    join(on_category, f"category:{public_topic.category_id}")
    join(on_latest, "latest")
    on_category.get_received(), on_latest.get_received()
    topic = forums.create_topic(MemberFactory(), public_topic.category_id, "Fresh topic", "News.")
    expected = [{"topic_id": topic.id, "category_id": public_topic.category_id}]
    assert events(on_category, "topic_created") == expected
    assert events(on_latest, "topic_created") == expected


def test_a_notice_updates_the_members_badge_live(connect, login_as, public_topic):
    member = login_as("member", username="zoe")
    sock = connect()
    sock.get_received()
    forums.reply(MemberFactory(), public_topic.id, "Thanks @zoe for the tip.")
    drain_events()
    [push] = events(sock, "notification")
    assert push["unread"] == 1
    assert "mentioned you" in push["text"]
    from app.notifications import services

    services.mark_all_read(member)
    assert events(sock, "badge") == [{"unread": 0}]


def test_presence_counts_distinct_viewers(
    connect, login_as, public_topic, client, app, monkeypatch
):
    from app.realtime import sockets

    monkeypatch.setitem(app.config, "REALTIME_PRESENCE_SECONDS", 0)
    monkeypatch.setattr(sockets, "_presence_waiting", {})  # topic ids repeat across tests
    room = f"topic:{public_topic.id}"
    login_as("member")
    tab1, tab2 = connect(), connect()
    assert join(tab1, room)["presence"] == 1
    assert join(tab2, room)["presence"] == 1  # the same member's second tab
    visitor = connect(app.test_client())
    assert join(visitor, room)["presence"] == 2
    visitor.disconnect()
    assert events(tab1, "presence")[-1] == {"topic_id": public_topic.id, "count": 1}


def test_presence_pushes_are_throttled_per_topic(connect, public_topic, app, monkeypatch):
    """Many readers arriving at once make one push per window, with the count then current,
    not one push per arrival to every reader."""
    import time

    from app.realtime import sockets

    monkeypatch.setattr(sockets, "_presence_sent", {})  # topic ids repeat across tests
    monkeypatch.setattr(sockets, "_presence_waiting", {})
    monkeypatch.setitem(app.config, "REALTIME_PRESENCE_SECONDS", 0.3)
    room = f"topic:{public_topic.id}"
    first = connect(app.test_client())
    join(first, room)
    others = [connect(app.test_client()) for _ in range(4)]
    for sock in others:
        join(sock, room)
    time.sleep(0.6)
    pushes = events(first, "presence")
    assert pushes[0]["count"] == 1  # the first change goes out at once
    assert pushes[-1]["count"] == 5  # the window's last count, sent when it closed
    assert len(pushes) == 2


def test_unit_of_work_rollback_pushes_nothing(connect, public_topic):
    sock = connect()
    join(sock, f"topic:{public_topic.id}")
    sock.get_received()
    with pytest.raises(RuntimeError), unit_of_work():
        from app.community.forums.events import TopicCreated
        from app.core.events import emit

        emit(
            TopicCreated(
                topic_id=1, category_id=public_topic.category_id, author_id=1, post_id=1, title="x"
            )
        )
        raise RuntimeError("rolled back")
    assert sock.get_received() == []


def test_a_reply_made_outside_a_request_is_rendered_for_live_pages(app, monkeypatch):  # type: ignore[no-untyped-def]
    """A command or the worker (no request) replies: the live HTML is still built, with
    site-relative links (it raised "Unable to build URLs outside an active request")."""
    from flask import has_request_context
    from sqlalchemy import select

    from app.community.forums.events import PostCreated
    from app.community.forums.models import Post
    from app.core.events import EventBus
    from app.extensions import db
    from app.realtime import subscribers
    from tests.community.factories import topic_with_posts

    topic = topic_with_posts(2)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    assert not has_request_context()
    # As under `make run` (no SERVER_NAME): an app context alone cannot build URLs.
    from flask.globals import _cv_app

    monkeypatch.setattr(_cv_app.get(), "url_adapter", None)
    published = []
    monkeypatch.setattr(subscribers, "publish", lambda room, name, data: published.append(data))
    subscribers.register(bus := EventBus())
    bus.publish(
        PostCreated(
            post_id=post.id,
            topic_id=topic.id,
            category_id=topic.category_id,
            author_id=post.author_id,
            post_number=2,
            reply_to_post_id=None,
        )
    )
    assert published, "nothing was pushed"
    assert all(f"/t/{topic.id}" in item["html"] for item in published if "html" in item)
