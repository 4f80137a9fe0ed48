"""Scenes for the staff-side tests: review items on real posts, made through the services."""

from __future__ import annotations

from app.community.forums import services
from app.community.forums.services import moderation_state
from app.core.db import unit_of_work
from app.extensions import db
from app.moderation.review import open_item
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


def topic_with_reply(category=None, body: str = "A reply worth a look."):  # type: ignore[no-untyped-def]
    category = category or CategoryFactory()
    starter = MemberFactory(trust_level=2)
    topic = services.create_topic(starter, category.id, "Which stove for winter?", "Ideas?")
    post = services.reply(MemberFactory(trust_level=2), topic.id, body)
    return topic, post


def review_item(kind: str = "held", reason: str = "new_member", category=None, body: str = ""):  # type: ignore[no-untyped-def]
    """A reply put in the queue: held (invisible to others) or flagged (still visible)."""
    _topic, post = topic_with_reply(category, body or "Look at https://example.com please")
    with unit_of_work():
        if kind == "held":
            moderation_state.hold_post(post, reason)
        item = open_item(post, kind, reason, {}, 3 if kind == "flagged" else 0)
    db.session.refresh(post)
    return item, post
