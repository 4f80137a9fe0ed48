"""Moderator actions: decisions on review items, and the forum actions staff take from /mod/.

Decisions (approve, hide, dismiss, restore) take the item's claim and change the post in
one transaction, through the forums' moderation-state functions, and emit
`ReviewItemResolved` (audited in that transaction; approvals and hides are told to the
author by `moderation_notices`, a restore by `moderation_decisions` here). Deleting goes
through the forums' own `delete_post` with the reason: any staff delete — from the queue
or the topic page — closes the post's open item in the delete's transaction, and its
restore reopens nothing but closes that item as approved. Edits, locks, pins, moves,
merges and splits are the forums' services; their events are audited
(app/moderation/subscribers.py) and told to whom they concern here.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.community.forums import services as forum_services
from app.community.forums.events import (
    PostDeleted,
    PostEdited,
    PostRestored,
    TopicLocked,
    TopicMoved,
    TopicPinned,
    TopicsMerged,
    TopicSplit,
)
from app.community.forums.models import Category, Post, Topic
from app.community.forums.services import moderation_state
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound
from app.core.events import EventBus, emit
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation.models import ReviewItem
from app.moderation.queue import ReviewItemResolved, require_staff, take
from app.moderation.subscribers import record
from app.notifications import services as notices
from app.notifications import types

REASON_MAX = 500
DECISIONS = ("approve", "hide", "dismiss")


def _reason(reason: str | None, required: bool = False) -> str:
    reason = " ".join((reason or "").split())
    if required and not reason:
        raise Invalid({"reason": _("Say why: the member is told.")})
    if len(reason) > REASON_MAX:
        raise Invalid(
            {
                "reason": _(
                    "At most %(n)d characters (you wrote %(m)d).", n=REASON_MAX, m=len(reason)
                )
            }
        )
    return reason


def _settle_flags(post_id: int, upheld: bool) -> None:
    from app.moderation.flags import settle_flags

    settle_flags(post_id, upheld)


def _close(item: ReviewItem, actor: Member, status: str, reason: str) -> None:
    now = utcnow()
    item.status = status
    item.resolved_at = now
    item.resolved_by_id = actor.id
    item.first_action_at = item.first_action_at or now
    item.resolution_note = reason


def decide(actor: Member, item_id: int, decision: str, reason: str = "") -> ReviewItem:
    """A moderator approves (the post is shown and counted; flags rejected), hides (taken
    down, content kept; flags upheld) or dismisses (the post stays as it is; flags
    rejected) an item they may take. Hiding needs a reason: the author is told."""
    require_staff(actor)
    if decision not in DECISIONS:
        raise Invalid(_("Unknown decision."))
    reason = _reason(reason, required=decision == "hide")
    with unit_of_work():
        item = take(actor, item_id)
        post = db.session.get(Post, item.post_id)
        if post is None:
            raise NotFound()
        if decision == "approve":
            moderation_state.make_visible(post, actor.id)
            _settle_flags(post.id, upheld=False)
            status = "approved"
        elif decision == "hide":
            moderation_state.hide_post(post, reason, actor.id)
            _settle_flags(post.id, upheld=True)
            status = "hidden"
        else:
            if post.moderation_state != "visible":
                # Dismissing would leave it held or hidden with nothing left to review.
                raise Invalid(_("This post is not visible: approve it, hide it or delete it."))
            _settle_flags(post.id, upheld=False)
            status = "dismissed"
        _close(item, actor, status, reason)
        emit(
            ReviewItemResolved(
                item_id=item.id,
                post_id=post.id,
                topic_id=post.topic_id,
                author_id=post.author_id,
                actor_id=actor.id,
                decision=status,
                reason=reason,
            )
        )
    return item


def delete(actor: Member, item_id: int, reason: str = "") -> ReviewItem:
    """Soft-delete the item's post (the forums' delete, with the reason told to the author);
    the delete closes the item in its own transaction. The claim is taken first, so another
    moderator's claim refuses it."""
    require_staff(actor)
    reason = _reason(reason, required=True)
    with unit_of_work():
        item = take(actor, item_id)
        post_id = item.post_id
    forum_services.delete_post(actor, post_id, reason)
    return db.session.get(ReviewItem, item_id, populate_existing=True)


def restore(actor: Member, item_id: int, reason: str = "") -> ReviewItem:
    """Undo a decision: a hidden post is shown again, a deleted one restored (exactly as it
    was), the item closed as approved; the author is told; one audit entry either way (a
    deleted post's restore is the forums' `restore_post`, audited as `post_restored`, which
    closes the item in its own transaction)."""
    require_staff(actor)
    reason = _reason(reason)
    item = db.session.get(ReviewItem, item_id)
    if item is None:
        raise NotFound()
    if item.status == "deleted":
        forum_services.restore_post(actor, item.post_id, reason)
        return db.session.get(ReviewItem, item_id, populate_existing=True)
    with unit_of_work():
        item = db.session.get(ReviewItem, item_id, populate_existing=True, with_for_update=True)
        post = db.session.get(Post, item.post_id)
        if item.status != "hidden":
            raise Invalid(_("Only a hidden or deleted post can be restored."))
        moderation_state.make_visible(post, actor.id)
        _close(item, actor, "approved", reason)
        emit(
            ReviewItemResolved(
                item_id=item.id,
                post_id=post.id,
                topic_id=post.topic_id,
                author_id=post.author_id,
                actor_id=actor.id,
                decision="restored",
                reason=reason,
            )
        )
    return item


def edit(actor: Member, post_id: int, body: str, reason: str, title: str | None = None) -> Post:
    """Staff change a member's post with a reason: the revision keeps the text before and
    the reason (shown in the post's history), the audit both texts, the author is told."""
    require_staff(actor)
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound()
    reason = _reason(reason, required=post.author_id != actor.id)
    return forum_services.edit_post(actor, post_id, body, title, reason=reason)


def set_locked(actor: Member, topic_id: int, locked: bool, reason: str = "") -> Topic:
    require_staff(actor)
    return forum_services.set_locked(actor, topic_id, locked, reason)


def set_pinned(actor: Member, topic_id: int, pinned: bool) -> Topic:
    require_staff(actor)
    return forum_services.set_pinned(actor, topic_id, pinned)


def move(actor: Member, topic_id: int, category_id: int, reason: str = "") -> Any:
    return forum_services.move_topic(actor, topic_id, category_id, reason)


def merge(actor: Member, source_id: int, target_id: int, reason: str = "") -> Any:
    return forum_services.merge_topics(actor, source_id, target_id, reason)


def split(
    actor: Member,
    topic_id: int,
    post_ids: list[int],
    title: str,
    category_id: int | None = None,
    reason: str = "",
) -> Any:
    return forum_services.split_posts(actor, topic_id, post_ids, title, category_id, reason)


def undo(actor: Member, change_id: int) -> Any:
    return forum_services.undo_change(actor, change_id)


# --- in the deciding transaction --------------------------------------------------------


def _close_items_of_deleted_post(evt: PostDeleted) -> None:
    """A deleted post leaves the queue: its open item is closed as deleted, in the delete's
    own transaction (the audit entry is the delete's)."""
    item = db.session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == evt.post_id, ReviewItem.status == "pending")
    )
    if item is None:
        return
    actor = db.session.get(Member, evt.actor_id)
    _settle_flags(evt.post_id, upheld=evt.actor_id != evt.author_id)
    _close(item, actor, "deleted", evt.reason)
    emit(
        ReviewItemResolved(
            item_id=item.id,
            post_id=evt.post_id,
            topic_id=evt.topic_id,
            author_id=evt.author_id,
            actor_id=evt.actor_id,
            decision="deleted",
            reason=evt.reason,
        )
    )


def _approve_items_of_restored_post(evt: PostRestored) -> None:
    """A deleted post restored by staff (from the queue or its topic page): the item its
    delete closed is closed again as approved, in the restore's transaction (the restore's
    own audit entry and notice are the only ones)."""
    if evt.actor_id == evt.author_id:
        return
    item = db.session.scalar(
        select(ReviewItem)
        .where(ReviewItem.post_id == evt.post_id, ReviewItem.status == "deleted")
        .order_by(ReviewItem.id.desc())
        .limit(1)
    )
    if item is not None:
        actor = db.session.get(Member, evt.actor_id)
        _close(item, actor, "approved", evt.reason)


def _audit_resolution(evt: ReviewItemResolved) -> None:
    if evt.decision == "deleted":
        return  # the delete itself is the entry (post_deleted, with the reason)
    before = {"restored": None}.get(evt.decision, "pending")
    record(
        evt.actor_id,
        f"review_{evt.decision}",
        "post",
        evt.post_id,
        item_id=evt.item_id,
        topic_id=evt.topic_id,
        author_id=evt.author_id,
        before={"status": before} if before else None,
        after={"status": evt.decision},
        reason=evt.reason,
    )


# --- telling whom it concerns (durable) -------------------------------------------------

_SENTENCES = {
    "restored": _l("Your post in “%(title)s” is visible again."),
    "deleted": _l("Your post in “%(title)s” was removed by the community team: %(reason)s"),
    "post_restored": _l("Your post in “%(title)s” was restored by the community team."),
    "edited": _l("The community team edited your post in “%(title)s”: %(reason)s"),
    "locked": _l("Your topic “%(title)s” was locked: %(reason)s"),
    "unlocked": _l("Your topic “%(title)s” is open for replies again."),
    "pinned": _l("Your topic “%(title)s” was pinned."),
    "moved": _l("Your topic “%(title)s” was moved to %(category)s."),
    "merged": _l("“%(source)s” was merged into “%(title)s”, where your posts now are."),
    "split": _l("Your posts in “%(source)s” were moved to a new topic, “%(title)s”."),
}


def _describe(notice: Any, _actor: str) -> str:
    data = notice.data or {}
    sentence = _SENTENCES.get(data.get("action", ""))
    if sentence is None:
        return str(_l("The community team reviewed your post."))
    text = str(sentence) % {
        "title": data.get("title", ""),
        "reason": data.get("reason") or "—",
        "category": data.get("category", ""),
        "source": data.get("source", ""),
    }
    return text


MODERATION = types.register_type(
    types.NotificationType(
        "moderation_decision",
        _l("Edits, moves and removals of my posts by the community team"),
        _describe,
        "app",
        icon="bell",
    )
)


def _tell(
    member_id: int | None,
    actor_id: int,
    action: str,
    topic: Topic | None,
    post: Post | None = None,
    **data: Any,
) -> None:
    if member_id is None or member_id == actor_id:
        return
    member = db.session.get(Member, member_id)
    if member is None:
        return
    payload = {"action": action, "title": topic.title if topic else "", **data}
    if post is not None:
        payload["post_number"] = post.post_number
    # A removed post's topic may be unreadable (deleted): the notice then carries no link.
    readable = topic is not None and topic.deleted_at is None
    if not readable and topic is not None:
        payload["url"] = None
    notices.notify(
        member,
        MODERATION.key,
        actor_id=actor_id,
        topic=topic if readable else None,
        post_id=post.id if post is not None else None,
        data=payload,
    )


def _on_resolved(evt: ReviewItemResolved) -> None:
    # Approved and hidden posts are told by moderation_notices (PostMadeVisible,
    # PostHidden); a dismissal changes nothing for the author; a delete has its own notice.
    if evt.decision != "restored":
        return
    post = db.session.get(Post, evt.post_id)
    topic = db.session.get(Topic, evt.topic_id)
    _tell(evt.author_id, evt.actor_id, evt.decision, topic, post, reason=evt.reason)


def _on_deleted(evt: PostDeleted) -> None:
    if evt.actor_id == evt.author_id:
        return
    post = db.session.get(Post, evt.post_id)
    topic = db.session.get(Topic, evt.topic_id)
    _tell(evt.author_id, evt.actor_id, "deleted", topic, post, reason=evt.reason)


def _on_restored(evt: PostRestored) -> None:
    if evt.actor_id == evt.author_id:
        return
    post = db.session.get(Post, evt.post_id)
    topic = db.session.get(Topic, evt.topic_id)
    _tell(evt.author_id, evt.actor_id, "post_restored", topic, post, reason=evt.reason)


def _on_edited(evt: PostEdited) -> None:
    if evt.editor_id == evt.author_id:
        return
    post = db.session.get(Post, evt.post_id)
    topic = db.session.get(Topic, evt.topic_id)
    _tell(evt.author_id, evt.editor_id, "edited", topic, post, reason=evt.reason)


def _on_locked(evt: TopicLocked) -> None:
    topic = db.session.get(Topic, evt.topic_id)
    if topic is not None:
        action = "locked" if evt.locked else "unlocked"
        _tell(topic.author_id, evt.actor_id, action, topic, reason=evt.reason)


def _on_pinned(evt: TopicPinned) -> None:
    topic = db.session.get(Topic, evt.topic_id)
    if topic is not None and evt.pinned:
        _tell(topic.author_id, evt.actor_id, "pinned", topic)


def _on_moved(evt: TopicMoved) -> None:
    topic = db.session.get(Topic, evt.topic_id)
    category = db.session.get(Category, evt.to_category_id)
    if topic is not None and category is not None:
        _tell(topic.author_id, evt.actor_id, "moved", topic, category=category.name_en)


def _authors(post_ids: tuple[int, ...]) -> list[int]:
    return list(
        db.session.scalars(
            select(Post.author_id).where(Post.id.in_(post_ids)).group_by(Post.author_id)
        )
    )


def _on_merged(evt: TopicsMerged) -> None:
    source = db.session.get(Topic, evt.source_topic_id)
    target = db.session.get(Topic, evt.target_topic_id)
    if source is None or target is None:
        return
    for author_id in _authors(evt.post_ids):
        _tell(author_id, evt.actor_id, "merged", target, source=source.title, reason=evt.reason)


def _on_split(evt: TopicSplit) -> None:
    source = db.session.get(Topic, evt.source_topic_id)
    new = db.session.get(Topic, evt.new_topic_id)
    if source is None or new is None:
        return
    for author_id in _authors(evt.post_ids):
        _tell(author_id, evt.actor_id, "split", new, source=source.title, reason=evt.reason)


def register(bus: EventBus) -> None:
    """In-transaction: close a deleted post's item, audit decisions. Durable: the notices."""
    bus.subscribe_in_transaction(PostDeleted, _close_items_of_deleted_post)
    bus.subscribe_in_transaction(PostRestored, _approve_items_of_restored_post)
    bus.subscribe_in_transaction(ReviewItemResolved, _audit_resolution)
    bus.subscribe_durable(
        "moderation_decisions",
        {
            ReviewItemResolved: _on_resolved,
            PostDeleted: _on_deleted,
            PostRestored: _on_restored,
            PostEdited: _on_edited,
            TopicLocked: _on_locked,
            TopicPinned: _on_pinned,
            TopicMoved: _on_moved,
            TopicsMerged: _on_merged,
            TopicSplit: _on_split,
        },
    )
