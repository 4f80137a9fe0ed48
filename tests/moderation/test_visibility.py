"""Held and hidden posts are invisible to everyone but their author and staff, and out of
every count, until they are made visible; approval then announces them as new."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.community.forums import access, queries, services
from app.community.forums.events import PostCreated, PostHeld, PostHidden, TopicCreated
from app.community.forums.models import Category, Post, Topic
from app.community.forums.services import moderation_state
from app.core.db import unit_of_work
from app.core.errors import NotFound
from app.extensions import db
from app.moderation.models import ReviewItem
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def hold_first_posts(app, monkeypatch):  # type: ignore[no-untyped-def]
    """A new member's first post waits for approval (TRUST_LEVEL_0_HELD_POSTS=1)."""
    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)


@pytest.fixture
def category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory()


@pytest.fixture
def regular(db):  # type: ignore[no-untyped-def]
    return MemberFactory(trust_level=1)


@pytest.fixture
def newcomer(db):  # type: ignore[no-untyped-def]
    return MemberFactory(trust_level=0)


@pytest.fixture
def topic(regular, category):  # type: ignore[no-untyped-def]
    return services.create_topic(regular, category.id, "Tent pegs for sand", "Which ones?")


def _state(post_id: int) -> str:
    return db.session.scalar(select(Post.moderation_state).where(Post.id == post_id))


def test_a_new_members_first_reply_is_held_and_counted_nowhere(topic, newcomer, published):  # type: ignore[no-untyped-def]
    post = services.reply(newcomer, topic.id, "My very first words here.")
    assert post.moderation_state == "held"
    assert post.moderation_reason == "new_member"
    db.session.expire_all()
    topic_row = db.session.get(Topic, topic.id)
    assert topic_row.post_count == 1
    assert topic_row.highest_post_number == 2
    assert db.session.get(Category, topic.category_id).post_count == 1
    kinds = [type(e) for e in published]
    assert PostHeld in kinds and PostCreated not in [type(e) for e in published[-2:]]
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert (item.kind, item.reason, item.status) == ("held", "new_member", "pending")


def test_a_held_post_is_shown_to_its_author_and_staff_only(topic, newcomer, regular):  # type: ignore[no-untyped-def]
    post = services.reply(newcomer, topic.id, "Waiting for a moderator.")
    moderator = MemberFactory(role="moderator")
    for viewer, sees in ((newcomer, True), (moderator, True), (regular, False), (None, False)):
        shown = [p.id for p in queries.topic_page(viewer, topic, 1).page.items]
        assert (post.id in shown) is sees, viewer
    with pytest.raises(NotFound):
        access.get_post(regular, post.id)
    assert access.get_post(newcomer, post.id).id == post.id


def test_a_held_first_post_holds_its_topic_out_of_lists_and_counts(category, newcomer, regular):  # type: ignore[no-untyped-def]
    held = services.create_topic(newcomer, category.id, "Cheap tents here", "Look at this.")
    assert held.moderation_state == "held"
    db.session.expire_all()
    assert db.session.get(Category, category.id).topic_count == 0
    assert [r.topic.id for r in queries.latest_page(regular, 1).items] == []
    with pytest.raises(NotFound):
        access.get_topic(regular, held.id)
    assert access.get_topic(newcomer, held.id).id == held.id
    assert queries.recent_posts_by(newcomer.id, regular) == []


def test_approving_a_held_topic_counts_it_and_announces_it_as_new(category, newcomer, published):  # type: ignore[no-untyped-def]
    held = services.create_topic(newcomer, category.id, "Hello everyone", "Glad to be here.")
    post = db.session.scalar(select(Post).where(Post.topic_id == held.id))
    published.clear()
    moderator = MemberFactory(role="moderator")
    with unit_of_work():
        assert moderation_state.make_visible(post, actor_id=moderator.id)
    db.session.expire_all()
    assert db.session.get(Topic, held.id).moderation_state == "visible"
    assert db.session.get(Topic, held.id).post_count == 1
    cat = db.session.get(Category, category.id)
    assert (cat.topic_count, cat.post_count, cat.last_topic_id) == (1, 1, held.id)
    names = [type(e).__name__ for e in published]
    assert names == ["PostMadeVisible", "TopicCreated", "PostCreated"]
    drain_events()
    db.session.expire_all()
    author = db.session.get(type(newcomer), newcomer.id)
    assert (author.topic_count, author.post_count) == (1, 1)
    with unit_of_work():
        assert not moderation_state.make_visible(post, actor_id=moderator.id)  # idempotent


def test_hiding_a_visible_reply_takes_it_out_of_counts_and_showing_it_puts_it_back(topic, regular):  # type: ignore[no-untyped-def]
    other = MemberFactory()
    reply = services.reply(other, topic.id, "A reply that will be hidden.")
    drain_events()
    db.session.expire_all()
    assert db.session.get(type(other), other.id).post_count == 1
    with unit_of_work():
        assert moderation_state.hide_post(db.session.get(Post, reply.id), "flags:spam")
    drain_events()
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 1
    assert db.session.get(Category, topic.category_id).post_count == 1
    assert db.session.get(type(other), other.id).post_count == 0
    assert reply.id not in [p.id for p in queries.topic_page(regular, topic, 1).page.items]
    with unit_of_work():
        assert moderation_state.make_visible(db.session.get(Post, reply.id), actor_id=None)
    drain_events()
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 2
    assert db.session.get(Category, topic.category_id).post_count == 2
    assert db.session.get(type(other), other.id).post_count == 1


def test_deleting_a_held_post_changes_no_count(topic, newcomer):  # type: ignore[no-untyped-def]
    post = services.reply(newcomer, topic.id, "Held then deleted.")
    services.delete_post(newcomer, post.id)
    drain_events()
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 1
    assert db.session.get(Category, topic.category_id).post_count == 1
    assert db.session.get(type(newcomer), newcomer.id).post_count == 0


def test_a_held_reply_sends_no_notification_until_approved(topic, newcomer, regular):  # type: ignore[no-untyped-def]
    from app.notifications.models import Notification

    post = services.reply(newcomer, topic.id, f"Hello @{regular.username}, a question.")
    drain_events()
    assert (
        db.session.scalar(select(Notification).where(Notification.member_id == regular.id)) is None
    )
    with unit_of_work():
        moderation_state.make_visible(db.session.get(Post, post.id), actor_id=None)
    drain_events()
    notices = db.session.scalars(
        select(Notification).where(Notification.member_id == regular.id)
    ).all()
    assert len(notices) == 1


def test_realtime_skips_a_post_hidden_before_its_push(app, topic, regular, monkeypatch):  # type: ignore[no-untyped-def]
    from app.realtime import subscribers

    sent: list = []
    monkeypatch.setattr(subscribers, "publish", lambda *a, **k: sent.append(a))
    other = MemberFactory()
    reply = services.reply(other, topic.id, "Shown live, then not.")
    assert any(a[1] == "post_created" for a in sent)
    sent.clear()
    with unit_of_work():
        moderation_state.hide_post(db.session.get(Post, reply.id), "staff")
    subscribers.on_post_created(
        PostCreated(
            post_id=reply.id,
            topic_id=topic.id,
            category_id=topic.category_id,
            author_id=other.id,
            post_number=reply.post_number,
            reply_to_post_id=None,
        )
    )
    assert sent == []


def test_the_search_source_leaves_held_and_hidden_posts_out(topic, newcomer, regular):  # type: ignore[no-untyped-def]
    from app.search.sources import forums

    held = services.reply(newcomer, topic.id, "Held words for the index.")
    first = db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
    )
    built = forums.build([held.id, first])
    assert built[held.id] is None and built[first] is not None
    assert held.id not in forums.show([held.id], regular, "en")
    with unit_of_work():
        moderation_state.hide_post(db.session.get(Post, first), "staff")
    assert forums.build([first])[first] is None


def test_events_of_a_hidden_post_are_announced(topic, published):  # type: ignore[no-untyped-def]
    other = MemberFactory()
    reply = services.reply(other, topic.id, "To be hidden.")
    published.clear()
    with unit_of_work():
        moderation_state.hide_post(db.session.get(Post, reply.id), "flags:abusive")
    (evt,) = published
    assert isinstance(evt, PostHidden)
    assert (evt.was_counted, evt.topic_hidden, evt.reason) == (True, False, "flags:abusive")
    assert TopicCreated  # imported for the approval test above


def test_a_held_reply_reaches_no_socket_until_approved(app, client, topic, newcomer):  # type: ignore[no-untyped-def]
    from app.extensions import socketio
    from app.realtime.sockets import SERVER_KEY

    previous, socketio.server = socketio.server, app.extensions[SERVER_KEY]
    try:
        watcher = socketio.test_client(app, flask_test_client=client)
        assert watcher.emit("join", {"room": f"topic:{topic.id}"}, callback=True)["ok"]
        watcher.get_received()
        post = services.reply(newcomer, topic.id, "Held words, not for the room yet.")
        assert [e for e in watcher.get_received() if e["name"] == "post_created"] == []
        with unit_of_work():
            moderation_state.make_visible(db.session.get(Post, post.id), actor_id=None)
        pushed = [e["args"][0] for e in watcher.get_received() if e["name"] == "post_created"]
        assert [p["post_id"] for p in pushed] == [post.id]
        watcher.disconnect()
    finally:
        socketio.server = previous


def test_the_topic_page_tells_the_author_their_post_awaits_approval(
    client, login_as, topic, newcomer
):  # type: ignore[no-untyped-def]
    services.reply(newcomer, topic.id, "Words waiting for a moderator.")
    login_as(member=newcomer)
    mine = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert "Words waiting for a moderator." in mine
    assert "Awaiting approval" in mine
    login_as("member")
    theirs = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert "Words waiting for a moderator." not in theirs
    assert "/flag" in theirs  # members may flag the visible first post


def test_the_author_of_a_hidden_post_reads_why(client, login_as, topic):  # type: ignore[no-untyped-def]
    author = MemberFactory()
    reply = services.reply(author, topic.id, "Hidden by a flag.")
    with unit_of_work():
        moderation_state.hide_post(db.session.get(Post, reply.id), "flags:abusive")
    login_as(member=author)
    html = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
    assert "Hidden: Flagged by members" in html and "Abusive" in html


def test_the_author_is_told_their_reply_waits_for_approval(client, login_as, topic):  # type: ignore[no-untyped-def]
    login_as(trust_level=0)
    response = client.post(
        f"/t/{topic.id}/reply", data={"body": "My first words here."}, follow_redirects=True
    )
    assert "Your reply waits for approval by the community team." in response.get_data(as_text=True)
