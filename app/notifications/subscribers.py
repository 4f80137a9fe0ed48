"""Who hears of what: the durable fan-out of forum and loyalty events into notices.

`notifications` is a **durable** subscriber (a crash never loses a notice): the worker
runs it in its own transaction with its position, so its notices, badge counters and
queued emails take effect once. Each notice also emits `NotificationCreated`, which the
realtime area pushes live after that commit (ephemeral: an absolute badge count, so a
repeated push is harmless). Mail still leaves through the `deliver_mail` job.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from app.community.forums.events import PostCreated, PostLiked, SolutionMarked
from app.core.events import EventBus
from app.extensions import db
from app.members.events import TierChanged
from app.members.models import Member, tier_rank
from app.notifications import mentions, services, types


def _excerpt(body: str, limit: int = 200) -> str:
    lines = [line.strip() for line in (body or "").splitlines() if line.strip() and line[:1] != ">"]
    text = " ".join(lines)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def on_post_created(event: PostCreated) -> None:
    """Reply to your post, quote, @mention, reply in a followed topic: one notice per
    member per post, the most specific one; mentions capped per post."""
    from app.community.forums.models import Post, Topic, TopicFollow

    post = db.session.get(Post, event.post_id)
    topic = db.session.get(Topic, event.topic_id)
    if post is None or topic is None or post.deleted_at is not None:
        return
    if post.moderation_state != "visible" or topic.moderation_state != "visible":
        return  # hidden since it was announced: nobody hears of it
    data = {"title": topic.title, "post_number": post.post_number, "excerpt": _excerpt(post.body)}
    done: set[int] = {event.author_id}

    def _tell(member: Member | None, type_key: str, group_key: str = "") -> None:
        if member is None or member.id in done:
            return
        done.add(member.id)
        services.notify(
            member,
            type_key,
            actor_id=event.author_id,
            topic=topic,
            post_id=post.id,
            data=data,
            group_key=group_key,
        )

    if event.reply_to_post_id:
        parent = db.session.get(Post, event.reply_to_post_id)
        if parent is not None and parent.deleted_at is None:
            _tell(db.session.get(Member, parent.author_id), types.REPLY_TO_POST.key)
    mentioned, quoted = mentions.parse(post.body)
    for member in mentions.members_named(quoted):
        _tell(member, types.QUOTE.key)
    cap = int(current_app.config.get("NOTIFY_MAX_MENTIONS", 10))
    for member in mentions.members_named(mentioned[:cap]):
        _tell(member, types.MENTION.key)
    if post.post_number > 1:
        followers = db.session.scalars(
            select(Member)
            .join(TopicFollow, TopicFollow.member_id == Member.id)
            .where(TopicFollow.topic_id == topic.id)
            .order_by(Member.id)
        )
        for member in followers:
            _tell(member, types.FOLLOWED_REPLY.key, group_key=f"followed:{topic.id}")


def on_post_liked(event: PostLiked) -> None:
    """Likes on one post group into one unread notice."""
    from app.community.forums.models import Post

    post = db.session.get(Post, event.post_id)
    author = db.session.get(Member, event.post_author_id)
    if post is None or author is None or post.deleted_at is not None:
        return
    services.notify(
        author,
        types.LIKE.key,
        actor_id=event.member_id,
        topic=post.topic,
        post_id=post.id,
        data={"title": post.topic.title, "post_number": post.post_number},
        group_key=f"like:{post.id}",
    )


def on_solution_marked(event: SolutionMarked) -> None:
    """The reply's author hears that it was accepted (not when they marked it themselves)."""
    from app.community.forums.models import Post

    if event.post_author_id == event.actor_id:
        return
    post = db.session.get(Post, event.post_id)
    author = db.session.get(Member, event.post_author_id)
    if post is None or author is None or post.deleted_at is not None:
        return
    if post.topic.solution_post_id != post.id:
        return  # unmarked or replaced since: old news
    services.notify(
        author,
        types.SOLUTION.key,
        actor_id=event.actor_id,
        topic=post.topic,
        post_id=post.id,
        data={"title": post.topic.title, "post_number": post.post_number},
        group_key=f"solution:{post.id}",
    )


def on_tier_changed(event: TierChanged) -> None:
    if tier_rank(event.new_tier) <= tier_rank(event.old_tier):
        return
    member = db.session.get(Member, event.member_id)
    if member is not None:
        services.notify(
            member,
            types.TIER_REACHED.key,
            actor_id=None,
            data={"tier": event.new_tier},
        )


def register(bus: EventBus) -> None:
    from app.notifications.models import attach_unread_counter

    attach_unread_counter()
    bus.subscribe_durable(
        "notifications",
        {
            PostCreated: on_post_created,
            PostLiked: on_post_liked,
            SolutionMarked: on_solution_marked,
            TierChanged: on_tier_changed,
        },
    )
