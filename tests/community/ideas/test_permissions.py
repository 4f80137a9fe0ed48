"""Who may do what with ideas, for every role: members cannot change statuses, the
product team cannot moderate, only admins configure statuses."""

from __future__ import annotations

import pytest

from app.community.forums.services.posts import delete_post, reply
from app.community.forums.services.topics import set_locked, set_pinned
from app.community.ideas import boards, services, workflow
from app.core.errors import PermissionDenied
from tests.factories import MemberFactory

ROLES = ("member", "moderator", "product", "admin")


def _allowed(call) -> bool:  # type: ignore[no-untyped-def]
    try:
        call()
    except PermissionDenied:
        return False
    return True


@pytest.mark.parametrize("role", ROLES)
def test_status_changes_are_for_product_and_admins(idea, role):
    actor = MemberFactory(role=role)
    allowed = _allowed(lambda: workflow.change_status(actor, idea.id, "planned", "Yes."))
    assert allowed is (role in ("product", "admin"))


@pytest.mark.parametrize("role", ROLES)
def test_boards_are_managed_by_product_and_admins(db, role):
    actor = MemberFactory(role=role)
    data = {"slug": f"b-{role}", "name_en": "Board", "name_fr": "Tableau"}
    assert _allowed(lambda: boards.save_board(actor, data)) is (role in ("product", "admin"))


@pytest.mark.parametrize("role", ROLES)
def test_statuses_are_configured_by_admins_only(db, role):
    actor = MemberFactory(role=role)
    data = {"slug": f"s_{role}", "name_en": "S", "name_fr": "S", "colour": "#123456"}
    assert _allowed(lambda: boards.save_status(actor, data)) is (role == "admin")


@pytest.mark.parametrize("role", ROLES)
def test_merging_is_for_product_moderators_and_admins(board, member, role):
    a = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles would be great.")
    b = services.create_idea(member, board.id, "Carbon tent poles", "Carbon to save weight please.")
    actor = MemberFactory(role=role)
    assert _allowed(lambda: workflow.merge(actor, b.id, a.id)) is (role != "member")


@pytest.mark.parametrize("role", ROLES)
def test_voters_export_is_not_for_members(idea, role):
    actor = MemberFactory(role=role)
    assert _allowed(lambda: workflow.voters_csv(actor, idea.id)) is (role != "member")


@pytest.mark.parametrize("role", ROLES)
def test_moderating_an_idea_discussion_needs_staff(idea, role):
    comment = reply(MemberFactory(), idea.topic_id, "A comment somebody else wrote.")
    actor = MemberFactory(role=role)
    staff = role in ("moderator", "admin")
    assert _allowed(lambda: set_pinned(actor, idea.topic_id, True)) is staff
    assert _allowed(lambda: set_locked(actor, idea.topic_id, True, "off topic")) is staff
    assert _allowed(lambda: delete_post(actor, comment.id)) is staff
