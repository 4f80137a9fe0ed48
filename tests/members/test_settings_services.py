"""Profile, email, password and language changes (members.services)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.errors import Invalid, PermissionDenied
from app.members import services
from app.members.events import ProfileUpdated
from app.members.models import Member
from app.members.passwords import verify_password
from app.notifications.models import OutboxMessage
from tests.factories import PASSWORD, MemberFactory

NEW_PASSWORD = "a brand new mountain song"


# --- update_profile ----------------------------------------------------------------------


def test_member_updates_their_own_profile(db) -> None:
    member = MemberFactory()
    services.update_profile(member, member, "  Anna S.  ", "  GR20 twice.  ")
    stored = db.session.get(Member, member.id)
    assert (stored.display_name, stored.bio) == ("Anna S.", "GR20 twice.")


def test_member_cannot_update_another_members_profile(db) -> None:
    actor, other = MemberFactory(), MemberFactory(display_name="Other", bio="mine")
    with pytest.raises(PermissionDenied):
        services.update_profile(actor, other, "Hacked", "hacked")
    stored = db.session.get(Member, other.id)
    assert (stored.display_name, stored.bio) == ("Other", "mine")


@pytest.mark.parametrize("role", ["moderator", "product"])
def test_staff_other_than_admin_cannot_update_a_members_profile(db, role: str) -> None:
    with pytest.raises(PermissionDenied):
        services.update_profile(MemberFactory(role=role), MemberFactory(), "Hacked", "")


def test_admin_can_update_a_members_profile(db) -> None:
    admin, other = MemberFactory(role="admin"), MemberFactory()
    services.update_profile(admin, other, "Renamed", "Cleaned up bio")
    assert db.session.get(Member, other.id).display_name == "Renamed"


def test_display_name_longer_than_60_characters_is_refused(db) -> None:
    member = MemberFactory()
    with pytest.raises(Invalid) as info:
        services.update_profile(member, member, "x" * 61, "")
    assert info.value.errors == {"display_name": "At most 60 characters."}


def test_bio_longer_than_2000_characters_is_refused(db) -> None:
    member = MemberFactory()
    with pytest.raises(Invalid) as info:
        services.update_profile(member, member, "", "x" * 2001)
    assert info.value.errors == {"bio": "At most 2000 characters (you wrote 2001)."}


def test_profile_update_announces_only_the_changed_fields(db, published) -> None:
    member = MemberFactory(display_name="Same", bio="old")
    services.update_profile(member, member, "Same", "new")
    assert published == [ProfileUpdated(member_id=member.id, fields=("bio",))]


def test_unchanged_profile_announces_nothing(db, published) -> None:
    member = MemberFactory(display_name="Same", bio="same")
    services.update_profile(member, member, "Same", "same")
    assert published == []
    # The same call with a change is announced: the silence above was the rule's doing.
    services.update_profile(member, member, "Changed", "same")
    assert published == [ProfileUpdated(member_id=member.id, fields=("display_name",))]


# --- change_email ------------------------------------------------------------------------


def test_email_change_needs_the_current_password(db) -> None:
    member = MemberFactory(email="old@example.com")
    with pytest.raises(Invalid) as info:
        services.change_email(member, "new@example.com", "wrong password")
    assert info.value.errors == {"current_password": "Your current password is incorrect."}
    assert db.session.get(Member, member.id).email == "old@example.com"


def test_email_change_to_the_same_address_is_refused(db) -> None:
    member = MemberFactory(email="same@example.com")
    with pytest.raises(Invalid) as info:
        services.change_email(member, "SAME@example.com", PASSWORD)
    assert info.value.errors == {"email": "This is already your email address."}


def test_email_change_to_an_address_in_use_is_refused(db) -> None:
    MemberFactory(email="taken@example.com")
    member = MemberFactory()
    with pytest.raises(Invalid) as info:
        services.change_email(member, "taken@example.com", PASSWORD)
    assert info.value.errors["email"].startswith("An account already uses")


def test_new_email_is_unconfirmed_and_gets_a_verification_mail(db) -> None:
    member = MemberFactory()
    services.change_email(member, " New@Example.com ", PASSWORD)
    stored = db.session.get(Member, member.id)
    assert stored.email == "new@example.com"
    assert stored.email_verified_at is None
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.to_address == "new@example.com")
    )
    assert message.kind == "verify_email"


# --- change_password ---------------------------------------------------------------------


def test_password_change_needs_the_current_password(db) -> None:
    member = MemberFactory()
    with pytest.raises(Invalid) as info:
        services.change_password(member, "wrong password", NEW_PASSWORD)
    assert info.value.errors == {"current_password": "Your current password is incorrect."}


def test_weak_new_password_is_refused(db) -> None:
    member = MemberFactory()
    with pytest.raises(Invalid) as info:
        services.change_password(member, PASSWORD, "short")
    assert info.value.errors == {"new_password": "Use at least 10 characters."}
    assert verify_password(db.session.get(Member, member.id).password_hash, PASSWORD)


def test_password_change_sets_the_new_password_and_signs_out_other_sessions(db) -> None:
    member = MemberFactory()
    old_session_id = member.get_id()
    assert services.load_session_member(old_session_id).id == member.id
    services.change_password(member, PASSWORD, NEW_PASSWORD)
    assert verify_password(db.session.get(Member, member.id).password_hash, NEW_PASSWORD)
    assert services.load_session_member(old_session_id) is None


# --- set_locale --------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["fr", "en", None])
def test_member_chooses_a_language_or_follows_the_browser(db, locale: str | None) -> None:
    member = MemberFactory(locale="en" if locale is None else None)
    services.set_locale(member, locale)
    assert db.session.get(Member, member.id).locale == locale


def test_unknown_language_is_refused(db) -> None:
    member = MemberFactory(locale="en")
    with pytest.raises(Invalid) as info:
        services.set_locale(member, "xx")
    assert info.value.errors == {"locale": "Choose a language from the list."}
    assert db.session.get(Member, member.id).locale == "en"
