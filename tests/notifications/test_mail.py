"""The outbox: mail is sent by the worker only, claimed once, retried with backoff."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from app.core.time import aware, utcnow
from app.members import services
from app.notifications import mail
from app.notifications.models import OutboxMessage
from tests.factories import MemberFactory


class FakeSMTP:
    """Stands for smtplib.SMTP: records what is sent, or fails as told."""

    sent: list = []
    fail_with: Exception | None = None
    opened = 0

    def __init__(self, host, port, timeout=None):  # type: ignore[no-untyped-def]
        type(self).opened += 1
        if type(self).fail_with is not None:
            raise type(self).fail_with

    def __enter__(self):  # type: ignore[no-untyped-def]
        return self

    def __exit__(self, *exc):  # type: ignore[no-untyped-def]
        return False

    def starttls(self) -> None:
        pass

    def login(self, user, password) -> None:  # type: ignore[no-untyped-def]
        pass

    def send_message(self, email) -> None:  # type: ignore[no-untyped-def]
        type(self).sent.append(email)


@pytest.fixture
def smtp(app, monkeypatch):  # type: ignore[no-untyped-def]
    FakeSMTP.sent, FakeSMTP.fail_with, FakeSMTP.opened = [], None, 0
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config["MAIL_SERVER"] = "smtp.example.invalid"
    yield FakeSMTP
    app.config["MAIL_SERVER"] = None


def message(db) -> OutboxMessage:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(OutboxMessage)
        .order_by(OutboxMessage.id.desc())
        .execution_options(populate_existing=True)
    )


def test_a_page_that_queues_mail_never_talks_to_the_mail_server(client, db, smtp) -> None:  # type: ignore[no-untyped-def]
    smtp.fail_with = TimeoutError("the SMTP server is dead")
    response = client.post(
        "/auth/register",
        data={"username": "newbie", "email": "newbie@example.com", "password": "a long secret 42"},
    )
    assert response.status_code == 302
    assert smtp.opened == 0
    assert message(db).status == "pending"


def test_the_worker_sends_by_smtp_with_the_link_minted(db, smtp) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    services.request_password_reset(member.email)
    assert mail.deliver_pending() == 1
    [sent] = smtp.sent
    assert sent["To"] == member.email
    assert "/auth/reset/" in sent.get_body(preferencelist=("plain",)).get_content()
    stored = message(db)
    assert stored.status == "sent" and stored.sent_at is not None
    assert mail.deliver_pending() == 0  # sent once


def test_a_failed_send_is_retried_later_then_given_up(db, smtp, app) -> None:  # type: ignore[no-untyped-def]
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    smtp.fail_with = ConnectionRefusedError("connection refused")
    services.request_password_reset(MemberFactory().email)
    assert mail.deliver_pending() == 1
    first = message(db)
    assert first.status == "pending" and first.attempts == 1
    assert "connection refused" in first.last_error
    assert aware(first.next_attempt_at) > utcnow() + timedelta(seconds=30)  # backoff
    assert mail.deliver_pending() == 0  # not due yet
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    assert mail.deliver_pending() == 1
    assert message(db).status == "failed"
    app.config["MAIL_MAX_ATTEMPTS"] = 5


def test_a_claim_whose_lease_ran_out_is_taken_again(db, smtp) -> None:  # type: ignore[no-untyped-def]
    services.request_password_reset(MemberFactory().email)
    [(message_id, _token)] = mail.claim()
    assert mail.claim() == []  # held by the first claim
    db.session.execute(update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
    assert [m for m, _t in mail.claim()] == [message_id]  # the first worker died


def test_a_late_settle_from_a_stale_claim_changes_nothing(db, smtp) -> None:  # type: ignore[no-untyped-def]
    services.request_password_reset(MemberFactory().email)
    [(message_id, stale)] = mail.claim()
    db.session.execute(update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1)))
    [(_, fresh)] = mail.claim()
    mail._settle(message_id, stale, "sent", "")
    assert message(db).status == "sending"
    mail._settle(message_id, fresh, "sent", "")
    assert message(db).status == "sent"


def test_admins_send_a_failed_message_again(client, login_as, db, smtp, app) -> None:  # type: ignore[no-untyped-def]
    app.config["MAIL_MAX_ATTEMPTS"] = 1
    smtp.fail_with = ConnectionRefusedError("refused")
    services.request_password_reset(MemberFactory().email)
    mail.deliver_pending()
    app.config["MAIL_MAX_ATTEMPTS"] = 5
    failed = message(db)
    assert failed.status == "failed"
    login_as("moderator")
    assert client.post(f"/admin/outbox/{failed.id}/retry").status_code == 403
    login_as("admin")
    response = client.post(f"/admin/outbox/{failed.id}/retry")
    assert response.status_code == 302
    assert message(db).status == "pending"
    smtp.fail_with = None
    assert mail.deliver_pending() == 1
    assert message(db).status == "sent"


def test_a_verification_mail_to_a_former_address_gets_no_link(db, smtp) -> None:  # type: ignore[no-untyped-def]
    member = services.register("switcher", "mine@example.com", "a long enough secret")
    services.change_email(member, "victim@example.com", "a long enough secret")
    mail.deliver_pending()
    by_address = {m["To"]: m for m in smtp.sent}
    assert "mine@example.com" not in by_address  # the old address gets nothing
    assert (
        "/auth/verify/"
        in by_address["victim@example.com"].get_body(preferencelist=("plain",)).get_content()
    )
    old = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "mine@example.com")
    )
    assert old.status == "failed"


def test_a_reset_mail_asked_before_a_password_change_gets_no_link(db, smtp) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import PASSWORD

    member = MemberFactory()
    services.request_password_reset(member.email)
    services.change_password(member, PASSWORD, "another long secret 7")
    mail.deliver_pending()
    assert smtp.sent == []
    assert message(db).status == "failed"


def test_a_message_whose_lease_ran_out_mid_batch_is_not_sent_twice(db, smtp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for n in range(2):
        services.request_password_reset(MemberFactory(username=f"slow{n}").email)
    original_send = mail._send

    def slow_send(message, email):  # type: ignore[no-untyped-def]
        # While the first message is sent, the whole batch's lease runs out and another
        # worker claims (and will send) the second one.
        if len(smtp.sent) == 0:
            db.session.execute(
                update(OutboxMessage).values(claimed_until=utcnow() - timedelta(seconds=1))
            )
            assert len(mail.claim()) == 2
        return original_send(message, email)

    monkeypatch.setattr(mail, "_send", slow_send)
    mail.deliver_pending()
    assert len(smtp.sent) == 1  # the second was not ours any more: left to its new owner
