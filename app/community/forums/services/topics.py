"""Topic services: starting a topic (and writing one for other areas), staff pinning and locking."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _

from app.community.forums import access, hooks
from app.community.forums.events import (
    PostCreated,
    PostHeld,
    TopicCreated,
    TopicLocked,
    TopicPinned,
)
from app.community.forums.models import Category, Post, Topic, TopicFollow
from app.community.forums.read_state import mark_read
from app.community.forums.services.base import (
    LOCK_REASON_MAX,
    DuplicateSubmission,
    body_error,
    bump_category,
    clean_body,
    clean_title,
    duplicate_of,
    require_member,
    require_staff,
    slugify,
    title_error,
    topic_for_write,
)
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.markup import render_markdown
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member


def create_topic(actor: Member, category_id: int, title: str, body: str) -> Topic:
    """A member starts a topic in a category they may read; title 5–200, body 2–32,000.

    The author follows the topic and has read it. The Markdown is rendered before the
    transaction opens, so the category's write lock is never held while it renders.
    """
    require_member(actor)
    title, body = clean_title(title), clean_body(body)
    errors = {}
    if problem := title_error(title):
        errors["title"] = problem
    if problem := body_error(body):
        errors["body"] = problem
    body_html = "" if errors else render_markdown(body)
    checked = None
    if not errors:
        # The content checks (moderation's rules) read outside the write transaction.
        checked = hooks.run_checks(
            hooks.Submission(actor, "topic", body, body_html, title=title, category_id=category_id)
        )
        if checked.blocked:
            errors["body"] = checked.blocked
        elif checked.body != body:
            body, body_html = checked.body, render_markdown(checked.body)
    held = checked is not None and checked.held
    with unit_of_work():
        require_can_write(actor, "topic")
        category = db.session.get(Category, category_id)
        if category is None or not access.can_read(actor, category):
            raise NotFound()
        if errors:
            raise Invalid(errors)
        duplicate = duplicate_of(actor, body)
        if duplicate is not None and duplicate.post_number == 1 and duplicate.topic.title == title:
            raise DuplicateSubmission(duplicate)
        now = utcnow()
        topic, post = write_new_topic(
            actor,
            category.id,
            title,
            slugify(title),
            body,
            body_html,
            now,
            hold_reason=checked.hold.reason if held and checked and checked.hold else None,
        )
        mark_read(actor.id, topic.id, 1)
        if checked is not None:
            hooks.after_write(post, checked)
    return topic


def write_new_topic(
    actor: Member,
    category_id: int,
    title: str,
    slug: str,
    body: str,
    body_html: str,
    now: datetime,
    hold_reason: str | None = None,
) -> tuple[Topic, Post]:
    """Write a new topic, its first post and the author's follow, inside the caller's unit
    of work, with its counters and events: `topic_created` and `post_created`, or
    `post_held` when `hold_reason` holds it (a held first post holds its topic, counted and
    announced once approved). Used by `create_topic` and by ideas' discussions."""
    held = hold_reason is not None
    topic = Topic(
        category_id=category_id,
        author_id=actor.id,
        title=title,
        slug=slug,
        created_at=now,
        last_posted_at=now,
        last_poster_id=actor.id,
        post_count=0 if held else 1,
        moderation_state="held" if held else "visible",
        highest_post_number=1,
        like_count=0,
        view_count=0,
        pinned=False,
        locked=False,
        lock_reason="",
    )
    db.session.add(topic)
    db.session.flush()
    post = Post(
        topic_id=topic.id,
        post_number=1,
        author_id=actor.id,
        body=body,
        body_html=body_html,
        created_at=now,
        revision_count=0,
        like_count=0,
        moderation_state="held" if held else "visible",
        moderation_reason=(hold_reason or "")[:200],
        # Published now unless held: a later hide and restore is not announced as new.
        published_at=None if held else now,
    )
    db.session.add(post)
    # Discourse's default: you follow the topics you start.
    db.session.add(TopicFollow(topic_id=topic.id, member_id=actor.id, created_at=now))
    db.session.flush()
    if held:
        emit(
            PostHeld(
                post_id=post.id,
                topic_id=topic.id,
                category_id=category_id,
                author_id=actor.id,
                post_number=1,
                reason=hold_reason,
                topic_held=True,
            )
        )
        return topic, post
    bump_category(
        category_id, topic_count=1, post_count=1, last_posted_at=now, last_topic_id=topic.id
    )
    emit(
        TopicCreated(
            topic_id=topic.id,
            category_id=category_id,
            author_id=actor.id,
            post_id=post.id,
            title=title,
        )
    )
    emit(
        PostCreated(
            post_id=post.id,
            topic_id=topic.id,
            category_id=category_id,
            author_id=actor.id,
            post_number=1,
            reply_to_post_id=None,
        )
    )
    return topic, post


def lock_message(topic: Topic) -> str:
    """What a member is told when a locked topic refuses their reply."""
    if topic.lock_reason:
        return _("This topic is locked: %(reason)s", reason=topic.lock_reason)
    return _("This topic is locked: it takes no new replies.")


def set_pinned(actor: Member, topic_id: int, pinned: bool) -> Topic:
    """Staff pin a topic to the top of its category, or unpin it.

    Asking for the state the topic already has changes nothing and announces nothing.
    """
    require_staff(actor, _("Only the community team can pin topics."))
    pinned = bool(pinned)
    with unit_of_work():
        require_can_write(actor, "pin")
        topic = topic_for_write(actor, topic_id)
        if topic.pinned != pinned:
            topic.pinned = pinned
            emit(
                TopicPinned(
                    topic_id=topic.id,
                    category_id=topic.category_id,
                    actor_id=actor.id,
                    pinned=pinned,
                )
            )
    return topic


def set_locked(actor: Member, topic_id: int, locked: bool, reason: str = "") -> Topic:
    """Staff lock a topic (no more replies, with the reason shown) or unlock it.

    Re-locking with another reason changes the reason and announces it; asking for the
    state the topic already has changes nothing and announces nothing.
    """
    require_staff(actor, _("Only the community team can lock topics."))
    locked = bool(locked)
    reason = " ".join((reason or "").split()) if locked else ""
    with unit_of_work():
        require_can_write(actor, "lock")
        topic = topic_for_write(actor, topic_id)
        if locked and len(reason) > LOCK_REASON_MAX:
            raise Invalid(
                {
                    "reason": _(
                        "At most %(n)d characters (you wrote %(m)d).",
                        n=LOCK_REASON_MAX,
                        m=len(reason),
                    )
                }
            )
        if (topic.locked, topic.lock_reason) != (locked, reason):
            topic.locked = locked
            topic.lock_reason = reason
            emit(
                TopicLocked(
                    topic_id=topic.id,
                    category_id=topic.category_id,
                    actor_id=actor.id,
                    locked=locked,
                    reason=reason,
                )
            )
    return topic
