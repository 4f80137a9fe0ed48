"""Staff actions announced by other areas are written to the audit log.

In-transaction subscribers: the entry is written in the staff action's own transaction,
so there is no action without its entry and no entry for an action rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.community.forums.events import (
    PostDeleted,
    PostEdited,
    PostRestored,
    TopicLocked,
    TopicMoved,
    TopicPinned,
    TopicsMerged,
    TopicSplit,
    TopicStructureUndone,
)
from app.community.ideas.events import IdeasMerged, IdeasUnmerged
from app.core.events import EventBus
from app.extensions import db
from app.members.events import RoleChanged
from app.moderation.models import AuditEntry


def record(
    actor_id: int | None, action: str, target_type: str, target_id: int, **details: Any
) -> None:
    """Append one audit entry to the current transaction (the log has no update path)."""
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
        reason=evt.reason,
    )


def _topic_pinned(evt: TopicPinned) -> None:
    record(evt.actor_id, "topic_pinned" if evt.pinned else "topic_unpinned", "topic", evt.topic_id)


def _topic_locked(evt: TopicLocked) -> None:
    if evt.locked:
        record(evt.actor_id, "topic_locked", "topic", evt.topic_id, reason=evt.reason)
    else:
        record(evt.actor_id, "topic_unlocked", "topic", evt.topic_id)


def _post_edited(evt: PostEdited) -> None:
    """Staff editing someone else's post: the text before and after, and why."""
    if evt.editor_id == evt.author_id:
        return
    from app.community.forums.models import Post, PostRevision

    post = db.session.get(Post, evt.post_id)
    revision = db.session.scalar(
        select(PostRevision).where(
            PostRevision.post_id == evt.post_id, PostRevision.number == evt.revision_number
        )
    )
    record(
        evt.editor_id,
        "post_edited",
        "post",
        evt.post_id,
        topic_id=evt.topic_id,
        author_id=evt.author_id,
        before=revision.body if revision else None,
        after=post.body if post else None,
        reason=evt.reason,
    )


def _topic_moved(evt: TopicMoved) -> None:
    record(
        evt.actor_id,
        "topic_moved",
        "topic",
        evt.topic_id,
        before={"category_id": evt.from_category_id},
        after={"category_id": evt.to_category_id},
        change_id=evt.change_id,
        reason=evt.reason,
    )


def _topics_merged(evt: TopicsMerged) -> None:
    record(
        evt.actor_id,
        "topics_merged",
        "topic",
        evt.source_topic_id,
        before={"topic_id": evt.source_topic_id},
        after={"topic_id": evt.target_topic_id},
        posts=len(evt.post_ids),
        change_id=evt.change_id,
        reason=evt.reason,
    )


def _topic_split(evt: TopicSplit) -> None:
    record(
        evt.actor_id,
        "topic_split",
        "topic",
        evt.source_topic_id,
        before={"topic_id": evt.source_topic_id},
        after={"topic_id": evt.new_topic_id},
        posts=len(evt.post_ids),
        change_id=evt.change_id,
        reason=evt.reason,
    )


def _structure_undone(evt: TopicStructureUndone) -> None:
    record(
        evt.actor_id,
        f"{evt.kind}_undone",
        "topic",
        evt.topic_ids[0],
        change_id=evt.change_id,
        topic_ids=list(evt.topic_ids),
    )


def _ideas_merged(evt: IdeasMerged | IdeasUnmerged) -> None:
    """Merging duplicate ideas (the product team, admins and moderators curate) and undoing
    it: the duplicate is the target; before and after, what it was merged into."""
    merged = isinstance(evt, IdeasMerged)
    record(
        evt.actor_id,
        "ideas_merged" if merged else "ideas_unmerged",
        "idea",
        evt.source_id,
        before={"merged_into": None if merged else evt.target_id},
        after={"merged_into": evt.target_id if merged else None},
        votes=evt.moved_votes if merged else evt.returned_votes,
    )


def register(bus: EventBus) -> None:
    bus.subscribe_in_transaction(IdeasMerged, _ideas_merged)
    bus.subscribe_in_transaction(IdeasUnmerged, _ideas_merged)
    bus.subscribe_in_transaction(PostEdited, _post_edited)
    bus.subscribe_in_transaction(TopicMoved, _topic_moved)
    bus.subscribe_in_transaction(TopicsMerged, _topics_merged)
    bus.subscribe_in_transaction(TopicSplit, _topic_split)
    bus.subscribe_in_transaction(TopicStructureUndone, _structure_undone)
    bus.subscribe_in_transaction(RoleChanged, _role_changed)
    bus.subscribe_in_transaction(PostDeleted, _post_moderated)
    bus.subscribe_in_transaction(PostRestored, _post_moderated)
    bus.subscribe_in_transaction(TopicPinned, _topic_pinned)
    bus.subscribe_in_transaction(TopicLocked, _topic_locked)
