"""Roles: only admins give them, the club keeps an admin, every change is audited."""

from __future__ import annotations

import pytest
from click.testing import Result
from sqlalchemy import select

from app.core.errors import Invalid, NotFound, PermissionDenied
from app.members import services
from app.members.events import RoleChanged
from app.members.models import Member
from app.members.passwords import verify_password
from app.moderation.models import AuditEntry
from tests.factories import MemberFactory


@pytest.mark.parametrize("role", ["member", "moderator", "product"])
def test_only_admins_change_roles(db, role: str) -> None:
    target = MemberFactory()
    with pytest.raises(PermissionDenied):
        services.change_role(MemberFactory(role=role), target.id, "admin")
    assert db.session.get(Member, target.id).role == "member"


def test_admin_gives_a_role(db, published) -> None:
    admin, target = MemberFactory(role="admin"), MemberFactory()
    services.change_role(admin, target.id, "moderator")
    assert db.session.get(Member, target.id).role == "moderator"
    assert (
        RoleChanged(member_id=target.id, actor_id=admin.id, old_role="member", new_role="moderator")
        in published
    )


def test_role_change_is_written_to_the_audit_log(db) -> None:
    admin, target = MemberFactory(role="admin"), MemberFactory()
    services.change_role(admin, target.id, "product")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.target_id == target.id))
    assert (entry.actor_id, entry.action, entry.target_type) == (admin.id, "role_changed", "member")
    assert entry.details == {"old": "member", "new": "product"}


def test_the_last_admin_cannot_be_demoted(db) -> None:
    admin = MemberFactory(role="admin")
    with pytest.raises(Invalid) as info:
        services.change_role(admin, admin.id, "member")
    assert info.value.errors == {"role": "The club needs at least one administrator."}
    assert db.session.get(Member, admin.id).role == "admin"


def test_an_admin_can_be_demoted_while_another_remains(db) -> None:
    first, second = MemberFactory(role="admin"), MemberFactory(role="admin")
    services.change_role(first, second.id, "member")
    assert db.session.get(Member, second.id).role == "member"


def test_unknown_role_is_refused(db) -> None:
    with pytest.raises(Invalid):
        services.change_role(MemberFactory(role="admin"), MemberFactory().id, "overlord")


def test_role_of_an_unknown_member_is_not_found(db) -> None:
    with pytest.raises(NotFound):
        services.change_role(MemberFactory(role="admin"), 987654, "moderator")


def test_giving_the_same_role_writes_no_audit_entry(db) -> None:
    admin, target = MemberFactory(role="admin"), MemberFactory(role="moderator")
    services.change_role(admin, target.id, "moderator")
    assert db.session.scalars(select(AuditEntry)).all() == []
    # A real change right after is audited, once: the log above could have shown one.
    services.change_role(admin, target.id, "product")
    entries = db.session.scalars(select(AuditEntry)).all()
    assert [(e.target_id, e.details) for e in entries] == [
        (target.id, {"old": "moderator", "new": "product"})
    ]


# --- flask users create-admin ------------------------------------------------------------


def create_admin(app, *args: str) -> Result:  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(args=["users", "create-admin", *args])


def test_create_admin_command_makes_a_verified_admin(app, db) -> None:
    result = create_admin(
        app, "--username", "boss", "--email", "Boss@Example.com", "--password", "a fine long secret"
    )
    assert result.exit_code == 0, result.output
    assert "Administrator boss <boss@example.com> created." in result.output
    member = db.session.scalar(select(Member).where(Member.username_lower == "boss"))
    assert member.role == "admin"
    assert member.email_verified_at is not None
    assert verify_password(member.password_hash, "a fine long secret")


def test_create_admin_command_reports_each_error_and_fails(app, db) -> None:
    result = create_admin(app, "--username", "x", "--email", "nope", "--password", "short")
    assert result.exit_code == 1
    assert "username: 3 to 30 characters" in result.output
    assert "email: Enter a valid email address." in result.output
    assert "password: Use at least 10 characters." in result.output
    assert db.session.scalar(select(Member).where(Member.username_lower == "x")) is None


def test_create_admin_command_prompts_for_missing_values(app, db) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin"],
        input="prompted\nprompted@example.com\na fine long secret\na fine long secret\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(Member).where(Member.username_lower == "prompted")).is_admin
