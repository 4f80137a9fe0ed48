"""Post services: replying, editing (with revisions), soft delete and restore."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from app.community.forums import access, hooks
from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostEdited,
    PostHeld,
    PostRestored,
)
from app.community.forums.models import Post, PostRevision
from app.community.forums.read_state import mark_read
from app.community.forums.services.base import (
    DuplicateSubmission,
    body_error,
    bump_category,
    clean_body,
    clean_title,
    duplicate_of,
    post_for_write,
    recount_category,
    refresh_topic_last,
    require_member,
    slugify,
    title_error,
    topic_for_write,
)
from app.community.forums.services.moderation_state import HELD, VISIBLE, is_counted
from app.community.forums.services.topics import lock_message
from app.core.db import unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.markup import render_markdown
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member


def may_edit(actor: Any, post: Post) -> bool:
    """Authors edit their own posts; staff edit anyone's (as on Discourse)."""
    return may_edit_post_of(actor, post.author_id)


def may_edit_post_of(actor: Any, author_id: int) -> bool:
    """`may_edit` from the post's author alone (the topic page's viewer holes)."""
    return access.is_member(actor) and (actor.id == author_id or actor.is_staff)


def may_delete(actor: Any, post: Post) -> bool:
    """Whoever may edit a post may delete it: its author, or staff."""
    return may_edit(actor, post)


def reply(actor: Member, topic_id: int, body: str, reply_to_post_id: int | None = None) -> Post:
    """A member replies to a topic they may read; a locked topic takes replies from staff only.

    The post takes the topic's next number under the topic's row lock; the Markdown is
    rendered before that lock is taken.
    """
    require_member(actor)
    body = clean_body(body)
    problem = body_error(body)
    body_html = "" if problem else render_markdown(body)
    checked = None
    if not problem:
        # The content checks (moderation's rules) read outside the write transaction.
        checked = hooks.run_checks(
            hooks.Submission(actor, "reply", body, body_html, topic_id=topic_id)
        )
        if checked.blocked:
            problem = checked.blocked
        elif checked.body != body:
            body, body_html = checked.body, render_markdown(checked.body)
    with unit_of_work():
        require_can_write(actor, "reply")
        topic = topic_for_write(actor, topic_id)
        if topic.deleted_at is not None:
            raise Invalid({"body": _("This topic is deleted: it takes no replies.")})
        if topic.locked and not actor.is_staff:
            raise Invalid({"body": lock_message(topic)})
        if problem:
            raise Invalid({"body": problem})
        held = checked is not None and checked.held
        duplicate = duplicate_of(actor, body, topic_id=topic.id)
        if duplicate is not None:
            raise DuplicateSubmission(duplicate)
        if reply_to_post_id is not None:
            target = db.session.get(Post, reply_to_post_id)
            if target is None or target.topic_id != topic.id:
                reply_to_post_id = None
        now = utcnow()
        number = topic.highest_post_number + 1
        post = Post(
            topic_id=topic.id,
            post_number=number,
            author_id=actor.id,
            body=body,
            body_html=body_html,
            reply_to_post_id=reply_to_post_id,
            created_at=now,
            revision_count=0,
            like_count=0,
            moderation_state=HELD if held else VISIBLE,
            moderation_reason=checked.hold.reason[:200] if checked and checked.hold else "",
            published_at=None if held else now,
        )
        db.session.add(post)
        topic.highest_post_number = number
        if not held:
            topic.post_count = topic.post_count + 1
            topic.last_posted_at = now
            topic.last_poster_id = actor.id
        db.session.flush()
        mark_read(actor.id, topic.id, number)
        if held:
            assert checked is not None and checked.hold is not None
            emit(
                PostHeld(
                    post_id=post.id,
                    topic_id=topic.id,
                    category_id=topic.category_id,
                    author_id=actor.id,
                    post_number=number,
                    reason=checked.hold.reason,
                    topic_held=False,
                )
            )
        else:
            if topic.moderation_state == VISIBLE:
                bump_category(
                    topic.category_id, post_count=1, last_posted_at=now, last_topic_id=topic.id
                )
            emit(
                PostCreated(
                    post_id=post.id,
                    topic_id=topic.id,
                    category_id=topic.category_id,
                    author_id=actor.id,
                    post_number=number,
                    reply_to_post_id=reply_to_post_id,
                )
            )
        if checked is not None:
            hooks.after_write(post, checked)
    return post


def edit_post(
    actor: Member, post_id: int, body: str, title: str | None = None, reason: str = ""
) -> Post:
    """The author (or staff) edits a post; the previous text is kept as a revision.

    `title` is only read for a topic's first post. An edit that changes nothing writes
    nothing. The new Markdown is rendered before the transaction opens. `reason` (staff
    editing someone else's post) is kept with the revision and shown in the history.
    """
    reason = " ".join((reason or "").split())[:500]
    require_member(actor)
    body = clean_body(body)
    problem = body_error(body)
    body_html = "" if problem else render_markdown(body)
    checked = None
    if not problem:
        checked = hooks.run_checks(
            hooks.Submission(actor, "edit", body, body_html, title=title, post_id=post_id)
        )
        if checked.blocked:
            problem = checked.blocked
        elif checked.body != body:
            body, body_html = checked.body, render_markdown(checked.body)
    with unit_of_work():
        require_can_write(actor, "edit")
        post, topic = post_for_write(actor, post_id)
        if not may_edit(actor, post):
            raise PermissionDenied(_("You can only edit your own posts."))
        if post.deleted_at is not None:
            raise Invalid({"body": _("This post is deleted. Restore it before editing it.")})
        errors = {}
        new_title = topic.title
        if post.post_number == 1 and title is not None:
            new_title = clean_title(title)
            if title_problem := title_error(new_title):
                errors["title"] = title_problem
        if problem:
            errors["body"] = problem
        if errors:
            raise Invalid(errors)
        title_changed = new_title != topic.title
        if body == post.body and not title_changed:
            return post
        now = utcnow()
        number = post.revision_count + 1
        db.session.add(
            PostRevision(
                post_id=post.id,
                number=number,
                body=post.body,
                title=topic.title if post.post_number == 1 else None,
                editor_id=actor.id,
                created_at=now,
                reason=reason,
            )
        )
        post.body = body
        post.body_html = body_html
        post.edited_at = now
        post.revision_count = number
        if title_changed:
            topic.title = new_title
            topic.slug = slugify(new_title)
        emit(
            PostEdited(
                post_id=post.id,
                topic_id=topic.id,
                editor_id=actor.id,
                author_id=post.author_id,
                revision_number=number,
                title_changed=title_changed,
                reason=reason,
            )
        )
        if checked is not None:
            hooks.after_write(post, checked)
    return post


def delete_post(actor: Member, post_id: int, reason: str = "") -> Post:
    """Soft delete by the author or staff; deleting the first post deletes the topic.

    The topic loses the post and its likes from its counts; the category loses the post
    (or, with the topic, every post the topic still shows). Staff may give a `reason`,
    told to the author.
    """
    reason = " ".join((reason or "").split())[:500]
    require_member(actor)
    with unit_of_work():
        require_can_write(actor, "delete")
        post, topic = post_for_write(actor, post_id)
        if not may_delete(actor, post):
            raise PermissionDenied(_("You can only delete your own posts."))
        if post.deleted_at is not None:
            raise Invalid(_("This post is already deleted."))
        now = utcnow()
        # Held and hidden posts (and topics) are not in the counts: nothing to take away.
        counted = is_counted(post)
        listed = topic.moderation_state == VISIBLE
        post.deleted_at = now
        post.deleted_by_id = actor.id
        if counted:
            topic.post_count = topic.post_count - 1
            topic.like_count = topic.like_count - post.like_count
        topic_deleted = post.post_number == 1 and topic.deleted_at is None
        if topic_deleted:
            topic.deleted_at = now
            topic.deleted_by_id = actor.id
            if listed:
                # The topic leaves the category with every post it still shows.
                recount_category(
                    topic.category_id,
                    topic_count=-1,
                    post_count=-(topic.post_count + (1 if counted else 0)),
                )
        else:
            db.session.flush()
            refresh_topic_last(topic)
            if topic.deleted_at is None and counted and listed:
                recount_category(topic.category_id, post_count=-1)
        emit(
            PostDeleted(
                post_id=post.id,
                topic_id=topic.id,
                actor_id=actor.id,
                author_id=post.author_id,
                topic_deleted=topic_deleted,
                reason=reason,
                counted=counted,
            )
        )
    return post


def restore_post(actor: Member, post_id: int, reason: str = "") -> Post:
    """Staff undo a delete; restoring a deleted topic's first post restores the topic."""
    reason = " ".join((reason or "").split())[:500]
    require_member(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only the community team can restore posts."))
    with unit_of_work():
        require_can_write(actor, "restore")
        post, topic = post_for_write(actor, post_id)
        if post.deleted_at is None:
            raise Invalid(_("This post is not deleted."))
        post.deleted_at = None
        post.deleted_by_id = None
        counted = is_counted(post)
        listed = topic.moderation_state == VISIBLE
        if counted:
            topic.post_count = topic.post_count + 1
            topic.like_count = topic.like_count + post.like_count
        topic_restored = post.post_number == 1 and topic.deleted_at is not None
        db.session.flush()
        refresh_topic_last(topic)
        if topic_restored:
            topic.deleted_at = None
            topic.deleted_by_id = None
            if listed:
                recount_category(topic.category_id, topic_count=1, post_count=topic.post_count)
        elif topic.deleted_at is None and counted and listed:
            recount_category(topic.category_id, post_count=1)
        emit(
            PostRestored(
                post_id=post.id,
                topic_id=topic.id,
                actor_id=actor.id,
                author_id=post.author_id,
                topic_restored=topic_restored,
                reason=reason,
                counted=counted,
            )
        )
    return post
