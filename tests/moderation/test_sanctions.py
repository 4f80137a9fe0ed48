"""Sanctions: warn, silence and suspend with a reason the member reads; they end on time
by the clock; staff lift them early; silenced and suspended members are refused on every
write path (web, services, Socket.IO sessions), suspended ones at login too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.community.forums import services
from app.core.errors import Invalid, PermissionDenied
from app.core.time import utcnow
from app.extensions import db, socketio
from app.members import services as member_services
from app.moderation import flags, sanctions
from app.moderation.models import AuditEntry, Sanction
from app.notifications.models import Notification
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import PASSWORD, MemberFactory


@pytest.fixture
def moderator(db):  # type: ignore[no-untyped-def]
    return MemberFactory(role="moderator")


@pytest.fixture
def topic(db):  # type: ignore[no-untyped-def]
    return services.create_topic(MemberFactory(), CategoryFactory().id, "Boots", "Leather?")


def _expire(sanction: Sanction) -> None:
    db.session.execute(
        update(Sanction)
        .where(Sanction.id == sanction.id)
        .values(starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(seconds=1))
    )
    db.session.expire_all()


def test_a_warning_tells_the_member_and_refuses_nothing(moderator, topic) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    sanctions.warn(moderator, member.id, "Keep it friendly, please.")
    services.reply(member, topic.id, "Sorry, I will.")
    drain_events()
    notice = db.session.scalar(select(Notification).where(Notification.member_id == member.id))
    assert (notice.type, notice.data["reason"]) == ("sanction", "Keep it friendly, please.")


def test_a_silenced_member_is_refused_every_forum_write(moderator, topic) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    own = services.reply(member, topic.id, "Before the silence.")
    sanctions.silence(moderator, member.id, "Spamming links", days=3)
    first = db.session.scalar(select(type(own)).where(type(own).topic_id == topic.id))
    attempts = [
        lambda: services.create_topic(member, topic.category_id, "Another one", "Text"),
        lambda: services.reply(member, topic.id, "Still here"),
        lambda: services.edit_post(member, own.id, "Changed text"),
        lambda: services.delete_post(member, own.id),
        lambda: services.set_like(member, first.id, True),
        lambda: flags.flag_post(member, first.id, "spam"),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied) as refused:
            attempt()
        assert "Spamming links" in refused.value.message
        assert "silenced" in refused.value.message


def test_a_silence_ends_by_the_clock_without_any_job(moderator, topic) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    silence = sanctions.silence(moderator, member.id, "Cool down", days=1)
    _expire(silence)
    assert services.reply(member, topic.id, "Back again.").id
    assert sanctions.record_expiries() == 1
    assert db.session.get(Sanction, silence.id).expiry_recorded_at is not None
    assert sanctions.record_expiries() == 0


def test_staff_lift_a_silence_early_and_it_is_audited(moderator, topic) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    silence = sanctions.silence(moderator, member.id, "Cool down")  # until lifted
    assert db.session.get(type(member), member.id).silenced_until is not None
    sanctions.lift(moderator, silence.id, "Apologised")
    assert db.session.get(type(member), member.id).silenced_until is None
    assert services.reply(member, topic.id, "Thanks.").id
    actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["member_silenced", "sanction_lifted"]
    lifted = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sanction_lifted"))
    assert lifted.details["reason"] == "Apologised" and lifted.details["before"]["ends_at"] is None
    assert sanctions.lift(moderator, silence.id).lifted_at is not None  # a repeat changes nothing


def test_a_suspension_ends_sessions_and_refuses_login_with_the_reason(
    moderator, client, login_as
) -> None:  # type: ignore[no-untyped-def]
    member = login_as("member")
    assert client.get("/notifications").status_code == 200
    sanctions.suspend(moderator, member.id, "Harassment", days=7)
    assert client.get("/notifications").status_code == 302  # the session ended
    with pytest.raises(Invalid) as refused:
        member_services.authenticate(member.email, PASSWORD)
    assert "Harassment" in refused.value.errors["_"] and "until" in refused.value.errors["_"]
    page = client.post("/auth/login", data={"email": member.email, "password": PASSWORD})
    assert page.status_code == 400
    assert "Harassment" in page.get_data(as_text=True)


def test_a_suspension_ends_by_the_clock(moderator) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    suspension = sanctions.suspend(moderator, member.id, "Time out", days=2)
    _expire(suspension)
    assert member_services.authenticate(member.email, PASSWORD).id == member.id


def test_sanctions_are_staff_only_and_need_a_reason(moderator) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    with pytest.raises(PermissionDenied):
        sanctions.silence(MemberFactory(), member.id, "No")
    with pytest.raises(PermissionDenied):
        sanctions.suspend(moderator, MemberFactory(role="admin").id, "No")
    with pytest.raises(PermissionDenied):
        sanctions.warn(moderator, moderator.id, "Me")
    with pytest.raises(Invalid) as bad:
        sanctions.silence(moderator, member.id, "  ")
    assert "reason" in bad.value.errors
    with pytest.raises(Invalid) as bad:
        sanctions.silence(moderator, member.id, "Long", days=99999)
    assert "days" in bad.value.errors
    assert db.session.scalar(select(Sanction.id)) is None


def test_each_sanction_is_audited_with_before_and_after(moderator) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    sanctions.warn(moderator, member.id, "One")
    sanctions.silence(moderator, member.id, "Two", days=1)
    sanctions.suspend(moderator, member.id, "Three", days=1)
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["member_warned", "member_silenced", "member_suspended"]
    assert entries[1].details["after"]["kind"] == "silence"
    assert all(e.actor_id == moderator.id and e.target_id == member.id for e in entries)


def test_the_web_refuses_a_silenced_member_and_keeps_their_text(
    moderator, client, login_as, topic
) -> None:  # type: ignore[no-untyped-def]
    member = login_as("member")
    sanctions.silence(moderator, member.id, "Off-topic flood", days=1)
    page = client.get(f"/t/{topic.id}-{topic.slug}")
    assert "You are silenced" in page.get_data(as_text=True)
    response = client.post(f"/t/{topic.id}/reply", data={"body": "My kept words"})
    assert response.status_code in (400, 403)
    html = response.get_data(as_text=True)
    assert "Off-topic flood" in html
    first = db.session.scalar(select(type(topic)).where(type(topic).id == topic.id))
    assert first.post_count == 1


def test_a_suspended_members_socket_is_a_visitors(app, client, login_as, moderator, topic) -> None:  # type: ignore[no-untyped-def]
    from app.realtime.sockets import SERVER_KEY

    member = login_as("member")
    sanctions.suspend(moderator, member.id, "Time out", days=1)
    previous, socketio.server = socketio.server, app.extensions[SERVER_KEY]
    try:
        sock = socketio.test_client(app, flask_test_client=client)
        answer = sock.emit("read", {"topic_id": topic.id, "post_number": 1}, callback=True)
        assert answer == {"ok": False}
        sock.disconnect()
    finally:
        socketio.server = previous


def test_the_api_takes_no_member_writes() -> None:
    """The API's only write (/events) is the brand's, with an API key: no member writes
    through it, so no sanction has a path to get around there."""
    from pathlib import Path

    from app.api import routes

    source = Path(routes.__file__).read_text(encoding="utf-8")
    member_writes = [
        rule
        for rule in ("reply", "create_topic", "edit_post", "set_like", "flag_post")
        if rule in source
    ]
    assert member_writes == []
