"""members.services.register: each field's rule, normalisation, event and mail."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.core.errors import Invalid
from app.members import services
from app.members.events import MemberRegistered
from app.members.models import Member
from app.members.passwords import verify_password
from app.notifications.mail import SECURE_LINK
from app.notifications.models import OutboxMessage
from tests.factories import MemberFactory

GOOD_PASSWORD = "a long walk in the hills"


def register(username="newcomer", email="newcomer@example.com", password=GOOD_PASSWORD, **kw):  # type: ignore[no-untyped-def]
    return services.register(username, email, password, **kw)


def errors_of(**fields) -> dict[str, str]:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as info:
        register(**fields)
    return info.value.errors


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


def test_register_creates_an_unverified_bronze_member(db) -> None:
    member = register()
    stored = db.session.get(Member, member.id)
    assert stored.username == "newcomer"
    assert stored.role == "member"
    assert stored.tier == "bronze"
    assert stored.email_verified_at is None
    assert verify_password(stored.password_hash, GOOD_PASSWORD)


def test_register_trims_the_username_and_keeps_its_case(db) -> None:
    member = register(username="  Anna_Hikes  ")
    assert member.username == "Anna_Hikes"
    assert member.username_lower == "anna_hikes"


def test_register_lower_cases_and_trims_the_email(db) -> None:
    member = register(email="  NewComer@Example.COM ")
    assert member.email == "newcomer@example.com"


@pytest.mark.parametrize(
    "username",
    ["ab", "x" * 31, "has space", ".starts-with-dot", "_underscore", "émile", "a<b>c", ""],
)
def test_malformed_username_is_refused(db, username: str) -> None:
    assert "3 to 30 characters" in errors_of(username=username)["username"]


@pytest.mark.parametrize("username", ["admin", "Admin", "MODERATOR", "support", "settings"])
def test_reserved_username_is_refused(db, username: str) -> None:
    assert errors_of(username=username)["username"] == "This username is reserved."


def test_username_taken_in_another_case_is_refused(db) -> None:
    MemberFactory(username="Taken")
    assert errors_of(username="tAKEN")["username"] == "This username is taken."


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@example.com", "a b@example.com", ""])
def test_invalid_email_is_refused(db, email: str) -> None:
    assert errors_of(email=email)["email"] == "Enter a valid email address."


def test_email_already_used_in_another_case_is_refused(db) -> None:
    MemberFactory(email="used@example.com")
    assert errors_of(email="USED@example.com")["email"].startswith("An account already uses")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "Use at least 10 characters."),
        ("x" * 257, "Use at most 256 characters."),
        ("abababababab", "Use more than a few different characters."),
        ("qwertyuiop", "This password is too common; choose another."),
        ("Password123", "This password is too common; choose another."),
        ("newcomer-rocks-2026", "Your password must not contain your username or email."),
    ],
)
def test_weak_password_is_refused_with_its_rule(db, password: str, message: str) -> None:
    assert errors_of(password=password)["password"] == message


def test_password_containing_the_email_name_is_refused(db) -> None:
    errors = errors_of(email="walker@example.com", password="i am walker on trails")
    assert errors["password"] == "Your password must not contain your username or email."


def test_every_wrong_field_is_reported_at_once(db) -> None:
    assert set(errors_of(username="x", email="nope", password="short")) == {
        "username",
        "email",
        "password",
    }


def test_refused_registration_writes_nothing_and_announces_nothing(db, published) -> None:
    members, mails = count(db, Member), count(db, OutboxMessage)
    errors_of(password="short")
    assert count(db, Member) == members
    assert count(db, OutboxMessage) == mails
    assert published == []


def test_registration_announces_member_registered_after_commit(db, published) -> None:
    member = register(locale="fr")
    registered = [e for e in published if isinstance(e, MemberRegistered)]
    assert registered == [MemberRegistered(member_id=member.id, username="newcomer", locale="fr")]


def test_registration_queues_a_verification_mail_without_its_token(db) -> None:
    member = register()
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == member.email)
    )
    assert message is not None
    assert message.kind == "verify_email"
    assert message.subject == "Confirm your email address"
    assert message.status == "pending"
    assert "/auth/verify/" not in message.text_body + message.html_body
    assert SECURE_LINK in message.text_body and SECURE_LINK in message.html_body


def test_sent_verification_mail_carries_a_working_link(db, client, mailbox) -> None:
    member = register()
    [sent] = mailbox()
    assert sent["To"] == member.email
    text = sent.get_body(preferencelist=("plain",)).get_content()
    html = sent.get_body(preferencelist=("html",)).get_content()
    path = re.search(r"https?://[^/\s]+(/auth/verify/\S+)", text).group(1)
    assert path in html
    response = client.get(path)
    assert response.status_code in (200, 302)
    assert db.session.get(Member, member.id).email_verified_at is not None


def test_verification_mail_is_stored_without_a_mail_server(db, mailbox) -> None:
    member = register()
    assert len(mailbox()) == 1
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == member.email)
    )
    assert message.status == "stored"
    assert "/auth/verify/" not in message.text_body


def test_verification_mail_is_written_in_the_members_language(db) -> None:
    member = register(locale="fr")
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == member.email)
    )
    assert message.subject == "Confirmez votre adresse e-mail"
