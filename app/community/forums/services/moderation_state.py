"""Moderation states of posts and topics: visible, held (awaiting approval), hidden.

Only visible posts are counted (topic and category counts, members' post counts through
the events) and shown to everyone; held and hidden ones are shown to their author and
staff only. Taking a post down takes it out of the counts exactly as a delete does, and
making it visible adds it back exactly as a restore does. A topic follows its first post.

These functions run inside the caller's unit of work (moderation's flags and review
actions); they lock the topic row like every other post write, and emit their events.
"""

from __future__ import annotations

from app.community.forums.events import (
    PostCreated,
    PostHidden,
    PostMadeVisible,
    TopicCreated,
)
from app.community.forums.models import Post, Topic
from app.community.forums.services.base import (
    recount_category,
    refresh_topic_last,
    topic_lock_statement,
)
from app.core.events import emit
from app.core.time import utcnow
from app.extensions import db

VISIBLE, HELD, HIDDEN = "visible", "held", "hidden"


def is_counted(post: Post) -> bool:
    """Whether the stored counters include the post."""
    return post.moderation_state == VISIBLE and post.deleted_at is None


def topic_is_listed(topic: Topic) -> bool:
    """Whether the category's counts include the topic."""
    return topic.moderation_state == VISIBLE and topic.deleted_at is None


def _locked(post: Post) -> tuple[Post, Topic]:
    topic = db.session.scalars(topic_lock_statement(post.topic_id)).unique().one()
    db.session.refresh(post)
    return post, topic


def _take_down(post: Post, state: str, reason: str, actor_id: int | None) -> bool:
    post, topic = _locked(post)
    if post.moderation_state == state:
        return False
    was_counted = is_counted(post)
    topic_was_listed = topic_is_listed(topic)
    post.moderation_state = state
    post.moderation_reason = reason[:200]
    topic_hidden = post.post_number == 1
    if was_counted:
        topic.post_count = topic.post_count - 1
        topic.like_count = topic.like_count - post.like_count
    if topic_hidden:
        topic.moderation_state = state
        if topic_was_listed:
            # The topic leaves the category with every post it still shows.
            recount_category(
                topic.category_id,
                topic_count=-1,
                post_count=-(topic.post_count + (1 if was_counted else 0)),
            )
    else:
        db.session.flush()
        refresh_topic_last(topic)
        if was_counted and topic_was_listed:
            recount_category(topic.category_id, post_count=-1)
    emit(
        PostHidden(
            post_id=post.id,
            topic_id=topic.id,
            category_id=topic.category_id,
            author_id=post.author_id,
            actor_id=actor_id,
            reason=reason,
            was_counted=was_counted,
            topic_hidden=topic_hidden and topic_was_listed,
        )
    )
    return True


def hide_post(post: Post, reason: str, actor_id: int | None = None) -> bool:
    """Hide a post (flags past the threshold, or staff), its content kept; hiding a first
    post hides its topic. False when it was hidden already (nothing changes)."""
    return _take_down(post, HIDDEN, reason, actor_id)


def hold_post(post: Post, reason: str, actor_id: int | None = None) -> bool:
    """Put a post back in the approval queue (it leaves the counts like a hidden one)."""
    return _take_down(post, HELD, reason, actor_id)


def make_visible(post: Post, actor_id: int | None = None) -> bool:
    """Approve a held post or restore a hidden one: counted and shown again, exactly as a
    restore does for a deleted post. A post that had never been visible is announced as
    new (TopicCreated for a first post, then PostCreated): notifications, search, live
    pages and counters treat it as just written. False when it was visible already."""
    post, topic = _locked(post)
    previous = post.moderation_state
    if previous == VISIBLE:
        return False
    first_time = post.published_at is None
    now = utcnow()
    post.moderation_state = VISIBLE
    post.moderation_reason = ""
    if first_time:
        post.published_at = now
    counted = post.deleted_at is None
    if counted:
        topic.post_count = topic.post_count + 1
        topic.like_count = topic.like_count + post.like_count
    topic_shown = post.post_number == 1 and topic.moderation_state != VISIBLE
    db.session.flush()
    refresh_topic_last(topic)
    if topic_shown:
        topic.moderation_state = VISIBLE
        if topic.deleted_at is None:
            recount_category(topic.category_id, topic_count=1, post_count=topic.post_count)
    elif counted and topic_is_listed(topic):
        recount_category(topic.category_id, post_count=1)
    emit(
        PostMadeVisible(
            post_id=post.id,
            topic_id=topic.id,
            category_id=topic.category_id,
            author_id=post.author_id,
            actor_id=actor_id,
            previous_state=previous,
            first_time=first_time,
            topic_shown=topic_shown and topic.deleted_at is None,
        )
    )
    if first_time and counted:
        if post.post_number == 1:
            emit(
                TopicCreated(
                    topic_id=topic.id,
                    category_id=topic.category_id,
                    author_id=post.author_id,
                    post_id=post.id,
                    title=topic.title,
                )
            )
        emit(
            PostCreated(
                post_id=post.id,
                topic_id=topic.id,
                category_id=topic.category_id,
                author_id=post.author_id,
                post_number=post.post_number,
                reply_to_post_id=post.reply_to_post_id,
            )
        )
    return True
