"""Live pushes: ephemeral subscribers of domain events, run in-process after commit.

They are lost if the process dies (the page is right on its next load); the notices
themselves are durable (app/notifications/subscribers.py) and only their push is here.
A new reply is sent as HTML rendered by the same post macro and sanitised body as a page
load, for a visitor (no forms, no tokens, nothing that belongs to one viewer), in each
language; a member's page then fetches its own copy with its buttons.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from flask_login import AnonymousUserMixin

from app.community.forums.events import PostCreated, PostLiked, PostUnliked, TopicCreated
from app.core import holes
from app.core.events import EventBus
from app.core.templating import fresh_caches
from app.extensions import db
from app.notifications.events import NotificationCreated
from app.realtime.publisher import (
    category_room,
    member_room,
    publish,
    topic_language_room,
    topic_room,
)


def _in_a_request(handler: Callable[[Any], None]) -> Callable[[Any], None]:
    """Run `handler` inside a request context: a reply made by a command or the worker
    (no request) still builds its links, site-relative, as pages do."""

    @functools.wraps(handler)
    def run(event: Any) -> None:
        if has_request_context():
            handler(event)
        else:
            with current_app.test_request_context("/"):
                handler(event)

    return run


def render_post_for_visitor(post, topic, locale: str) -> str:  # type: ignore[no-untyped-def]
    """The reply's HTML for a visitor in `locale` (a template file: compiled once, not per
    reply). Needs a request context (see `_in_a_request`)."""
    from app.community.forums import queries

    parent = db.session.get(type(post), post.reply_to_post_id) if post.reply_to_post_id else None
    visitor = AnonymousUserMixin()
    with fresh_caches(), force_locale(locale):
        html = render_template(
            "realtime/_live_post.html",
            p=post,
            topic=topic,
            permalink=queries.post_url(topic, post.post_number),
            reply_number=parent.post_number if parent is not None else None,
            current_user=visitor,
        )
        return holes.fill_text(html, visitor)  # its actions, as a visitor sees them


def on_post_created(event: PostCreated) -> None:
    from app.community.forums import queries
    from app.community.forums.models import Post, Topic

    if event.post_number == 1:
        return
    committed = time.time()  # right after the commit: the bench measures from here
    post = db.session.get(Post, event.post_id)
    topic = db.session.get(Topic, event.topic_id)
    if post is None or topic is None:
        return
    if post.moderation_state != "visible" or topic.moderation_state != "visible":
        return  # taken down since: a live page never shows a held or hidden post
    # Rendered once per language, then each language's HTML goes only to the sockets of
    # that language (one encoding per room, shared by every socket in it).
    html = {
        locale: render_post_for_visitor(post, topic, locale)
        for locale in current_app.config["LANGUAGES"]
    }
    for locale, fragment in html.items():
        publish(
            topic_language_room(topic.id, locale),
            "post_created",
            {
                "topic_id": topic.id,
                "post_id": post.id,
                "post_number": post.post_number,
                "author_id": post.author_id,
                "reply_count": topic.reply_count,
                "last_posted_at": _iso(topic.last_posted_at),
                "html": fragment,
                "ts": committed,
            },
        )
    publish(
        category_room(topic.category_id),
        "topic_activity",
        {
            "topic_id": topic.id,
            "reply_count": topic.reply_count,
            "last_posted_at": _iso(topic.last_posted_at),
            "last_url": queries.post_url(topic, topic.highest_post_number),
        },
    )


def _iso(moment) -> str | None:  # type: ignore[no-untyped-def]
    from app.core.time import aware

    return aware(moment).isoformat() if moment else None


def _on_like(event: PostLiked | PostUnliked) -> None:
    from app.community.forums.models import Post

    post = db.session.get(Post, event.post_id)
    if post is None:
        return
    publish(
        topic_room(event.topic_id),
        "post_liked",
        {
            "topic_id": event.topic_id,
            "post_id": post.id,
            "post_number": post.post_number,
            "like_count": post.like_count,
            "topic_like_count": post.topic.like_count,
        },
    )


def on_topic_created(event: TopicCreated) -> None:
    publish(
        category_room(event.category_id),
        "topic_created",
        {"topic_id": event.topic_id, "category_id": event.category_id},
    )


def on_notification_created(event: NotificationCreated) -> None:
    """The member's tabs: the badge's stored count (absolute: a repeat is harmless) and the
    notice's text in their language."""
    from app.members.models import Member
    from app.notifications import services
    from app.notifications.models import Notification

    notice = db.session.get(Notification, event.notification_id)
    member = db.session.get(Member, event.member_id)
    if notice is None or member is None:
        return
    locale = member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    with services.site_urls(), fresh_caches(), force_locale(locale):
        view = services.describe_many([notice])[0]
        publish(
            member_room(member.id),
            "notification",
            {
                "id": notice.id,
                "unread": services.unread_count(member.id),
                "text": view.text,
                "url": view.url,
            },
        )


def register(bus: EventBus) -> None:
    bus.subscribe(PostCreated, _in_a_request(on_post_created))
    bus.subscribe(PostLiked, _on_like)
    bus.subscribe(PostUnliked, _on_like)
    bus.subscribe(TopicCreated, on_topic_created)
    bus.subscribe(NotificationCreated, on_notification_created)
