"""Security links never rest where staff or logs can read them."""

from __future__ import annotations

import logging
import re

from sqlalchemy import select

from app.members import services
from app.notifications.models import OutboxMessage
from tests.factories import MemberFactory


def test_reset_token_is_absent_from_every_admin_page_and_log(
    client, login_as, db, mailbox, caplog
) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    with caplog.at_level(logging.DEBUG):
        services.request_password_reset(member.email)
        [sent] = mailbox()
    text = sent.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"/auth/reset/(\S+)", text).group(1)
    assert services.check_reset_token(token).id == member.id  # the sent link works

    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset_password"))
    assert message.status == "stored"
    stored = " ".join(
        str(getattr(message, column.key)) for column in OutboxMessage.__table__.columns
    )
    assert token not in stored

    login_as("admin")
    pages = [
        "/admin/",
        "/admin/outbox",
        f"/admin/outbox/{message.id}",
        f"/admin/outbox/{message.id}/html",
        "/admin/events",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert token not in response.get_data(as_text=True), path
    detail = client.get(f"/admin/outbox/{message.id}").get_data(as_text=True)
    assert "only the recipient receives it" in detail
    assert token not in caplog.text
    assert "/auth/reset/" not in caplog.text


def test_verification_token_is_absent_from_the_outbox_and_logs(
    client, login_as, db, mailbox, caplog
) -> None:  # type: ignore[no-untyped-def]
    with caplog.at_level(logging.DEBUG):
        member = services.register("tokenless", "tokenless@example.com", "a long enough secret")
        [sent] = mailbox()
    text = sent.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"/auth/verify/(\S+)", text).group(1)
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == member.email)
    )
    assert token not in message.text_body + message.html_body
    login_as("admin")
    response = client.get(f"/admin/outbox/{message.id}")
    assert response.status_code == 200
    assert token not in response.get_data(as_text=True)
    assert token not in caplog.text


def test_a_security_mail_for_a_member_who_is_gone_fails_without_retrying(db, mailbox) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    services.request_password_reset(member.email)
    db.session.delete(member)
    db.session.flush()
    assert mailbox() == []
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset_password"))
    assert message.status == "failed"
    assert "token" in message.last_error
