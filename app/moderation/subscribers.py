"""Staff actions announced by other areas are written to the audit log."""

from __future__ import annotations

from app.community.forums.events import PostDeleted, PostRestored
from app.core.db import unit_of_work
from app.core.events import EventBus
from app.extensions import db
from app.members.events import RoleChanged
from app.moderation.models import AuditEntry


def record(actor_id: int | None, action: str, target_type: str, target_id: int, **details) -> None:
    """Append one audit entry in its own transaction (the log has no update path)."""
    with unit_of_work():
        db.session.add(
            AuditEntry(
                actor_id=actor_id,
                action=action,
                target_type=target_type,
                target_id=target_id,
                details=details,
            )
        )


def _role_changed(evt: RoleChanged) -> None:
    record(
        evt.actor_id, "role_changed", "member", evt.member_id, old=evt.old_role, new=evt.new_role
    )


def _post_moderated(evt: PostDeleted | PostRestored) -> None:
    """Staff deleting or restoring someone else's post is audited; authors' own are not."""
    if evt.actor_id == evt.author_id:
        return
    if isinstance(evt, PostDeleted):
        action, whole_topic = "post_deleted", evt.topic_deleted
    else:
        action, whole_topic = "post_restored", evt.topic_restored
    record(
        evt.actor_id,
        action,
        "post",
        evt.post_id,
        topic_id=evt.topic_id,
        author_id=evt.author_id,
        whole_topic=whole_topic,
    )


def register(bus: EventBus) -> None:
    bus.subscribe(RoleChanged, _role_changed)
    bus.subscribe(PostDeleted, _post_moderated)
    bus.subscribe(PostRestored, _post_moderated)
