"""Decisions and staff edits: counters, notices, history, and every one reversible exactly."""

from __future__ import annotations

from sqlalchemy import select

from app.community.forums.counters import recount_forum_counters
from app.community.forums.models import Post, PostRevision, Topic
from app.moderation import actions
from app.moderation.models import AuditEntry, Flag, ReviewItem
from app.notifications.models import Notification
from tests.conftest import drain_events
from tests.factories import MemberFactory
from tests.moderation.modb_helpers import review_item


def _snapshot(db, post_id: int):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    post = db.session.get(Post, post_id)
    topic = db.session.get(Topic, post.topic_id)
    return (post.body, post.body_html, post.moderation_state, post.deleted_at, topic.post_count)


def test_approving_a_held_post_counts_it_and_tells_the_author(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    item, post = review_item()
    held_count = db.session.get(Topic, post.topic_id).post_count
    actions.decide(moderator, item.id, "approve")
    db.session.expire_all()
    assert db.session.get(Post, post.id).moderation_state == "visible"
    assert db.session.get(Topic, post.topic_id).post_count == held_count + 1
    assert recount_forum_counters() == []
    drain_events()
    notice = db.session.scalar(select(Notification).where(Notification.member_id == post.author_id))
    assert notice is not None and notice.post_id == post.id


def test_hide_then_restore_gives_back_the_exact_post(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    item, post = review_item("flagged", "flags")
    before = _snapshot(db, post.id)
    actions.decide(moderator, item.id, "hide", "Looks like an advert")
    assert _snapshot(db, post.id)[2] == "hidden"
    actions.restore(moderator, item.id, "Checked: a genuine tip")
    assert _snapshot(db, post.id) == before
    assert recount_forum_counters() == []
    entries = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries == ["review_hidden", "review_restored"]


def test_delete_then_restore_gives_back_the_exact_post(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    item, post = review_item("flagged", "flags")
    before = _snapshot(db, post.id)
    actions.delete(moderator, item.id, "Spam links")
    db.session.expire_all()
    assert db.session.get(ReviewItem, item.id).status == "deleted"
    assert db.session.get(Post, post.id).deleted_at is not None
    actions.restore(moderator, item.id, "")
    assert _snapshot(db, post.id) == before
    assert recount_forum_counters() == []
    assert db.session.get(ReviewItem, item.id).status == "approved"
    entries = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert entries == ["post_deleted", "post_restored"]  # one entry per action
    drain_events()
    notice = db.session.scalar(
        select(Notification).where(
            Notification.member_id == post.author_id, Notification.type == "moderation_decision"
        )
    )
    assert notice is not None and notice.data["reason"] == "Spam links"


def test_flags_are_upheld_by_hiding_and_rejected_by_approving(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    hidden_item, hidden_post = review_item("flagged", "flags")
    kept_item, kept_post = review_item("flagged", "flags")
    for post in (hidden_post, kept_post):
        db.session.add(
            Flag(
                post_id=post.id, topic_id=post.topic_id, member_id=MemberFactory().id, reason="spam"
            )
        )
    db.session.flush()
    actions.decide(moderator, hidden_item.id, "hide", "Spam")
    actions.decide(moderator, kept_item.id, "approve")
    status = dict(db.session.execute(select(Flag.post_id, Flag.status)).all())
    assert status == {hidden_post.id: "upheld", kept_post.id: "rejected"}


def test_a_staff_edit_keeps_the_text_before_and_the_reason_in_the_history(
    db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    moderator = login_as("moderator")
    _item, post = review_item("flagged", "flags")
    original = post.body
    response = client.post(
        f"/mod/posts/{post.id}/edit",
        data={"body": "Call me on ***", "reason": "Phone number removed"},
    )
    assert response.status_code == 303
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id))
    assert (revision.body, revision.reason, revision.editor_id) == (
        original,
        "Phone number removed",
        moderator.id,
    )
    history = client.get(f"/posts/{post.id}/history").get_data(as_text=True)
    assert "Phone number removed" in history
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "post_edited"))
    assert entry.details["before"] == original and entry.details["after"] == "Call me on ***"


def test_a_staff_edit_without_a_reason_is_refused_and_the_text_kept(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("moderator")
    _item, post = review_item("flagged", "flags")
    response = client.post(
        f"/mod/posts/{post.id}/edit", data={"body": "My new words", "reason": ""}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "My new words" in html and "Say why" in html
    assert db.session.get(Post, post.id).revision_count == 0


def test_an_action_on_an_item_claimed_by_another_is_refused_with_a_clear_message(
    db, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    from app.moderation import queue

    other = MemberFactory(role="moderator", display_name="Odile")
    item, post = review_item()
    queue.claim(other, item.id)
    login_as("moderator")
    response = client.post(f"/mod/items/{item.id}/approve", follow_redirects=True)
    assert "Odile is handling this item" in response.get_data(as_text=True)
    assert db.session.get(Post, post.id).moderation_state == "held"
