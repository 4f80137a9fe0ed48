"""The audit log is written in the staff action's own transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.community.forums import services
from app.core.events import get_bus
from app.members import services as member_services
from app.members.events import RoleChanged
from app.moderation.models import AuditEntry
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


def actions(db) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    return [
        (e.action, e.target_id)
        for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    ]


@pytest.fixture
def topic(db):  # type: ignore[no-untyped-def]
    author = MemberFactory()
    return services.create_topic(author, CategoryFactory().id, "Stove fuel", "Which fuel?")


def test_pin_and_lock_are_audited_without_any_worker(db, topic) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    services.set_pinned(moderator, topic.id, True)
    services.set_locked(moderator, topic.id, True, "Answered, thanks all")
    services.set_locked(moderator, topic.id, False)
    services.set_pinned(moderator, topic.id, False)
    assert actions(db) == [
        ("topic_pinned", topic.id),
        ("topic_locked", topic.id),
        ("topic_unlocked", topic.id),
        ("topic_unpinned", topic.id),
    ]
    locked = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "topic_locked"))
    assert locked.actor_id == moderator.id
    assert locked.details == {"reason": "Answered, thanks all"}


def test_pinning_a_pinned_topic_writes_no_second_entry(db, topic) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    services.set_pinned(moderator, topic.id, True)
    services.set_pinned(moderator, topic.id, True)
    assert actions(db) == [("topic_pinned", topic.id)]


def test_a_staff_action_whose_transaction_fails_leaves_no_entry(db) -> None:  # type: ignore[no-untyped-def]
    admin = MemberFactory(role="admin")
    target = MemberFactory()
    bus = get_bus()

    def fail_after_audit(_evt: RoleChanged) -> None:
        raise RuntimeError("the action fails after its audit entry was written")

    bus.subscribe_in_transaction(RoleChanged, fail_after_audit)
    try:
        with pytest.raises(RuntimeError):
            member_services.change_role(admin, target.id, "moderator")
    finally:
        bus._in_transaction[RoleChanged].remove(fail_after_audit)
    assert actions(db) == []
    member_services.change_role(admin, target.id, "moderator")
    assert actions(db) == [("role_changed", target.id)]
