"""A silenced member cannot put new text in public view through their profile either
(a bio is public: a silenced spammer's links would move there); staff still can."""

from __future__ import annotations

import pytest

from app.core.errors import PermissionDenied
from app.members import services as member_services
from app.members.models import Member
from app.moderation import sanctions
from tests.factories import MemberFactory


def test_a_silenced_member_cannot_change_their_bio_and_nothing_is_written(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    member = MemberFactory(bio="Hiker.")
    sanctions.silence(moderator, member.id, "Spamming links", days=3)
    with pytest.raises(PermissionDenied):
        member_services.update_profile(member, member, "Spammer", "Buy at https://spam.test")
    db.session.expire_all()
    again = db.session.get(Member, member.id)
    assert again.bio == "Hiker."


def test_an_admin_may_still_clean_a_silenced_members_bio(db) -> None:  # type: ignore[no-untyped-def]
    admin = MemberFactory(role="admin")
    member = MemberFactory(bio="Buy at https://spam.test")
    sanctions.silence(admin, member.id, "Spamming links", days=3)
    member_services.update_profile(admin, member, member.display_name, "")
    assert db.session.get(Member, member.id).bio == ""
