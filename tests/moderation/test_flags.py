"""Flags: once per member and post, weighted by trust; past the threshold (or by staff)
the post is hidden pending review, its author told why, its content kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import queries, services
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.moderation import flags
from app.moderation.models import Flag, ReviewItem
from app.notifications.models import Notification
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import MemberFactory


@pytest.fixture
def author(db):  # type: ignore[no-untyped-def]
    return MemberFactory()


@pytest.fixture
def post(author):  # type: ignore[no-untyped-def]
    topic = services.create_topic(MemberFactory(), CategoryFactory().id, "Tarps", "Which tarp?")
    return services.reply(author, topic.id, "Buy my tarps at a discount!")


def _item(post_id: int) -> ReviewItem:
    return db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post_id))


def test_a_flag_opens_one_review_item_weighted_by_trust(post) -> None:  # type: ignore[no-untyped-def]
    flags.flag_post(MemberFactory(trust_level=1), post.id, "spam")
    flags.flag_post(MemberFactory(trust_level=0), post.id, "off_topic")
    item = _item(post.id)
    assert (item.kind, item.reason, item.flag_weight) == ("flagged", "flags", 1)
    assert item.details["flags"] == 2 and item.details["flags_spam"] == 1
    assert db.session.scalar(select(func.count(ReviewItem.id))) == 1


def test_a_member_flags_a_post_once(post) -> None:  # type: ignore[no-untyped-def]
    flagger = MemberFactory(trust_level=2)
    flags.flag_post(flagger, post.id, "spam")
    with pytest.raises(flags.AlreadyFlagged):
        flags.flag_post(flagger, post.id, "abusive")
    assert db.session.scalar(select(func.count(Flag.id))) == 1
    assert _item(post.id).flag_weight == 1


def test_three_trusted_flags_hide_the_post_and_tell_its_author(post, author) -> None:  # type: ignore[no-untyped-def]
    reader = MemberFactory()
    for _ in range(2):
        flags.flag_post(MemberFactory(trust_level=1), post.id, "spam")
    assert db.session.get(type(post), post.id).moderation_state == "visible"
    flags.flag_post(MemberFactory(trust_level=2), post.id, "spam")
    hidden = db.session.get(type(post), post.id)
    assert (hidden.moderation_state, hidden.moderation_reason) == ("hidden", "flags:spam")
    assert hidden.body == "Buy my tarps at a discount!"  # the content is kept
    topic = hidden.topic
    assert post.id not in [p.id for p in queries.topic_page(reader, topic, 1).page.items]
    assert post.id in [p.id for p in queries.topic_page(author, topic, 1).page.items]
    drain_events()
    notice = db.session.scalar(select(Notification).where(Notification.member_id == author.id))
    assert notice.type == "post_hidden" and notice.data["reason"] == "flags:spam"


def test_new_accounts_alone_cannot_hide_a_post(post) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        flags.flag_post(MemberFactory(trust_level=0), post.id, "spam")
    assert db.session.get(type(post), post.id).moderation_state == "visible"
    assert _item(post.id).details["flags"] == 5


def test_a_regular_counts_double(post) -> None:  # type: ignore[no-untyped-def]
    flags.flag_post(MemberFactory(trust_level=3), post.id, "abusive")
    flags.flag_post(MemberFactory(trust_level=1), post.id, "abusive")
    assert db.session.get(type(post), post.id).moderation_state == "hidden"


def test_a_staff_flag_hides_at_once(post) -> None:  # type: ignore[no-untyped-def]
    flags.flag_post(MemberFactory(role="moderator"), post.id, "abusive")
    assert db.session.get(type(post), post.id).moderation_state == "hidden"


def test_the_threshold_is_configurable(app, post, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "FLAG_HIDE_THRESHOLD", 1)
    flags.flag_post(MemberFactory(trust_level=1), post.id, "spam")
    assert db.session.get(type(post), post.id).moderation_state == "hidden"


def test_nobody_flags_their_own_post_and_other_needs_a_comment(post, author) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        flags.flag_post(author, post.id, "spam")
    with pytest.raises(Invalid) as bad:
        flags.flag_post(MemberFactory(), post.id, "other", "  ")
    assert "comment" in bad.value.errors
    with pytest.raises(Invalid) as bad:
        flags.flag_post(MemberFactory(), post.id, "rude")
    assert "reason" in bad.value.errors
    assert db.session.scalar(select(func.count(Flag.id))) == 0


def test_a_hidden_post_cannot_be_flagged_by_members(post) -> None:  # type: ignore[no-untyped-def]
    flags.flag_post(MemberFactory(role="moderator"), post.id, "spam")
    with pytest.raises(NotFound):
        flags.flag_post(MemberFactory(), post.id, "spam")


def test_the_flag_page_works_without_javascript(client, login_as, post) -> None:  # type: ignore[no-untyped-def]
    login_as("member")
    page = client.get(f"/posts/{post.id}/flag")
    assert page.status_code == 200
    assert 'name="reason"' in page.get_data(as_text=True)
    bad = client.post(f"/posts/{post.id}/flag", data={"reason": "other", "comment": ""})
    assert bad.status_code == 400
    assert "Tell the community team" in bad.get_data(as_text=True)
    done = client.post(f"/posts/{post.id}/flag", data={"reason": "spam"})
    assert done.status_code == 302
    again = client.get(f"/posts/{post.id}/flag")
    assert "You flagged this post" in again.get_data(as_text=True)


def test_the_flag_dialog_posts_json(client, login_as, post) -> None:  # type: ignore[no-untyped-def]
    login_as("member")
    headers = {"Accept": "application/json"}
    response = client.post(f"/posts/{post.id}/flag", data={"reason": "spam"}, headers=headers)
    assert response.get_json()["flagged"] is True
    repeat = client.post(f"/posts/{post.id}/flag", data={"reason": "spam"}, headers=headers)
    assert repeat.get_json()["flagged"] is True
    assert db.session.scalar(select(func.count(Flag.id))) == 1


def test_visitors_are_sent_to_log_in(client, post) -> None:  # type: ignore[no-untyped-def]
    assert client.get(f"/posts/{post.id}/flag").status_code == 302
