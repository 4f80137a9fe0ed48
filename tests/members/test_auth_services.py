"""Log-in, email verification and password reset rules (services.py, tokens.py)."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from app.core.errors import Invalid
from app.members import services, tokens
from app.members.events import MemberLoggedIn, MemberVerified
from app.members.models import Member
from app.members.passwords import verify_password
from app.notifications.models import OutboxMessage
from tests.factories import PASSWORD, MemberFactory

NEW_PASSWORD = "a brand new mountain song"


def issued_long_ago(monkeypatch, seconds: int):  # type: ignore[no-untyped-def]
    """Sign tokens as if `seconds` ago (itsdangerous reads the clock when signing)."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - seconds)


# --- authenticate ------------------------------------------------------------------------


def test_right_credentials_open_the_account(db) -> None:
    member = MemberFactory()
    assert services.authenticate(member.email, PASSWORD).id == member.id


def test_email_is_matched_whatever_its_case_and_spaces(db) -> None:
    member = MemberFactory(email="hiker@example.com")
    assert services.authenticate("  Hiker@Example.COM ", PASSWORD).id == member.id


def test_log_in_records_last_seen_and_announces_it(db, published) -> None:
    member = MemberFactory(last_seen_at=None)
    services.authenticate(member.email, PASSWORD, remember=True)
    assert db.session.get(Member, member.id).last_seen_at is not None
    assert MemberLoggedIn(member_id=member.id, remember=True) in published


def test_unknown_email_and_wrong_password_get_the_same_message(db) -> None:
    member = MemberFactory()
    with pytest.raises(Invalid) as unknown:
        services.authenticate("nobody@example.com", PASSWORD)
    with pytest.raises(Invalid) as wrong:
        services.authenticate(member.email, "not the password")
    assert unknown.value.errors == wrong.value.errors == {"_": "Email or password is incorrect."}


def test_failed_log_in_announces_nothing(db, published) -> None:
    member = MemberFactory()
    with pytest.raises(Invalid):
        services.authenticate(member.email, "not the password")
    assert published == []


# --- verify_email ------------------------------------------------------------------------


def test_verification_link_confirms_the_email(db, published) -> None:
    member = MemberFactory(email_verified_at=None)
    services.verify_email(tokens.make_token(member, tokens.VERIFY))
    assert db.session.get(Member, member.id).email_verified_at is not None
    assert MemberVerified(member_id=member.id) in published


def test_verification_link_works_once(db) -> None:
    member = MemberFactory(email_verified_at=None)
    token = tokens.make_token(member, tokens.VERIFY)
    services.verify_email(token)
    with pytest.raises(Invalid) as info:
        services.verify_email(token)
    assert info.value.errors["token"] == "This link is not valid or has already been used."


def test_expired_verification_link_is_refused(db, app, monkeypatch) -> None:
    member = MemberFactory(email_verified_at=None)
    with monkeypatch.context() as m:
        issued_long_ago(m, app.config["VERIFY_TOKEN_MAX_AGE"] + 60)
        token = tokens.make_token(member, tokens.VERIFY)
    with pytest.raises(Invalid) as info:
        services.verify_email(token)
    assert info.value.errors["token"] == "This link has expired. Ask for a new one."
    assert db.session.get(Member, member.id).email_verified_at is None


def test_verification_link_for_a_previous_email_is_refused(db) -> None:
    member = MemberFactory(email_verified_at=None)
    token = tokens.make_token(member, tokens.VERIFY)
    member.email = "elsewhere@example.com"
    db.session.flush()
    with pytest.raises(Invalid):
        services.verify_email(token)


def test_tampered_verification_link_is_refused(db) -> None:
    member = MemberFactory(email_verified_at=None)
    token = tokens.make_token(member, tokens.VERIFY)
    with pytest.raises(Invalid):
        services.verify_email(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_reset_token_cannot_verify_an_email(db) -> None:
    member = MemberFactory(email_verified_at=None)
    with pytest.raises(Invalid):
        services.verify_email(tokens.make_token(member, tokens.RESET))


# --- password reset ----------------------------------------------------------------------


def test_reset_request_for_unknown_email_sends_nothing_and_says_nothing(db) -> None:
    member = MemberFactory()
    assert services.request_password_reset("nobody@example.com") is None
    assert db.session.scalars(select(OutboxMessage)).all() == []
    # The same request for a real account does write to the outbox this test reads.
    assert services.request_password_reset(member.email) is None
    assert [m.to_address for m in db.session.scalars(select(OutboxMessage))] == [member.email]


def test_reset_request_mails_a_link_to_the_account(db) -> None:
    member = MemberFactory()
    services.request_password_reset(member.email.upper())
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "reset_password"))
    assert message.to_address == member.email
    assert "/auth/reset/" in message.secure_link_template
    assert "/auth/reset/" not in message.text_body + message.html_body


def test_sent_reset_mail_carries_a_link_that_resets_the_password(db, client, mailbox) -> None:
    member = MemberFactory()
    services.request_password_reset(member.email)
    [sent] = mailbox()
    text = sent.get_body(preferencelist=("plain",)).get_content()
    token = re.search(r"/auth/reset/(\S+)", text).group(1)
    assert services.check_reset_token(token).id == member.id


def test_checking_a_reset_token_does_not_spend_it(db) -> None:
    member = MemberFactory()
    token = tokens.make_token(member, tokens.RESET)
    assert services.check_reset_token(token).id == member.id
    assert services.check_reset_token(token).id == member.id
    services.reset_password(token, NEW_PASSWORD)
    assert verify_password(db.session.get(Member, member.id).password_hash, NEW_PASSWORD)


def test_reset_token_works_once(db) -> None:
    member = MemberFactory()
    token = tokens.make_token(member, tokens.RESET)
    services.reset_password(token, NEW_PASSWORD)
    with pytest.raises(Invalid) as info:
        services.reset_password(token, "yet another long secret")
    assert "token" in info.value.errors
    assert verify_password(db.session.get(Member, member.id).password_hash, NEW_PASSWORD)


def test_expired_reset_token_is_refused(db, app, monkeypatch) -> None:
    member = MemberFactory()
    with monkeypatch.context() as m:
        issued_long_ago(m, app.config["RESET_TOKEN_MAX_AGE"] + 60)
        token = tokens.make_token(member, tokens.RESET)
    with pytest.raises(Invalid) as info:
        services.reset_password(token, NEW_PASSWORD)
    assert info.value.errors["token"] == "This link has expired. Ask for a new one."


def test_reset_signs_out_every_session(db) -> None:
    member = MemberFactory()
    old_session_id = member.get_id()
    assert services.load_session_member(old_session_id).id == member.id
    services.reset_password(tokens.make_token(member, tokens.RESET), NEW_PASSWORD)
    assert services.load_session_member(old_session_id) is None


def test_weak_new_password_leaves_the_token_usable(db) -> None:
    member = MemberFactory()
    token = tokens.make_token(member, tokens.RESET)
    with pytest.raises(Invalid) as info:
        services.reset_password(token, "short")
    assert info.value.errors == {"password": "Use at least 10 characters."}
    assert services.check_reset_token(token).id == member.id


def test_reset_confirms_an_unverified_email(db) -> None:
    member = MemberFactory(email_verified_at=None)
    services.reset_password(tokens.make_token(member, tokens.RESET), NEW_PASSWORD)
    assert db.session.get(Member, member.id).email_verified_at is not None


def test_session_id_with_the_current_version_loads_the_member(db) -> None:
    member = MemberFactory()
    assert services.load_session_member(member.get_id()).id == member.id


@pytest.mark.parametrize(
    "session_id",
    [
        "",
        "abc",
        "x:y",
        "{id}",
        "{id}:",
        "{id}:{next_version}",
        "{id}:{version}x",
        " {id}:{version}",
        "-{id}:{version}",
        "{unknown}:{version}",
    ],
)
def test_malformed_or_unknown_session_id_loads_nobody(db, session_id: str) -> None:
    # Built around a real member, whose own id does load, so a refusal means something.
    member = MemberFactory()
    assert services.load_session_member(member.get_id()).id == member.id
    values = {
        "id": member.id,
        "version": member.auth_version,
        "next_version": member.auth_version + 1,
        "unknown": member.id + 1000,
    }
    assert services.load_session_member(session_id.format(**values)) is None
