"""Who may read what in the forums: the one rule every list, count and page goes through.

A category is readable by the viewers its audience matches (app.members.audience, the
one rule categories, idea boards and polls share): staff (moderators, admins) read every
category; anyone else when `allowed_roles` is empty or names their role, their tier rank
reaches `min_tier_rank`, and the `audience` criteria (interests, stages, trust) hold;
visitors read only unrestricted categories. A category nobody may read is
reported as missing (404), never as forbidden, so its existence does not leak.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select

from app.community.forums.models import Category, Post, Topic
from app.core.errors import NotFound
from app.core.templating import request_cache
from app.extensions import db
from app.members import audience
from app.members.audience import Audience
from app.members.models import TIERS, tier_rank

_CACHE_KEY = "cercle.forum_categories"
_AUDIENCE_KEY = "cercle.forum_category_audiences"


def is_member(viewer: Any) -> bool:
    return viewer is not None and bool(getattr(viewer, "is_authenticated", False))


def is_staff(viewer: Any) -> bool:
    return is_member(viewer) and bool(getattr(viewer, "is_staff", False))


def all_categories() -> list[Category]:
    """Every category in display order, loaded once per request (the table is small)."""
    cache = request_cache(_CACHE_KEY)
    if "all" not in cache:
        cache["all"] = list(
            db.session.scalars(select(Category).order_by(Category.position, Category.id))
        )
    return cache["all"]


def forget_categories() -> None:
    """Drop the request's cached list (after an admin changed a category)."""
    request_cache(_CACHE_KEY).clear()


def category_audience(category: Category) -> Audience:
    """The category's audience: its `audience` criteria with `allowed_roles` and
    `min_tier_rank` folded in (the columns stay the admin form's roles and tier)."""
    cache = request_cache(_AUDIENCE_KEY)
    key = (category.id, category.allowed_roles, category.min_tier_rank, repr(category.audience))
    if key not in cache:
        base = Audience.from_json(category.audience)
        roles = {r.strip() for r in (category.allowed_roles or "").split(",") if r.strip()}
        rank = max(0, min(category.min_tier_rank or 0, len(TIERS) - 1))
        tier = base.min_tier
        if rank and tier_rank(tier) < rank:
            tier = TIERS[rank]
        cache[key] = replace(base, roles=frozenset(roles) | base.roles, min_tier=tier)
    return cache[key]


def can_read(viewer: Any, category: Category) -> bool:
    """The readability rule for one category: its audience matches the viewer (the one
    audience rule, app.members.audience)."""
    return audience.matches(viewer, category_audience(category))


def readable_categories(viewer: Any) -> list[Category]:
    return [c for c in all_categories() if can_read(viewer, c)]


def readable_category_ids(viewer: Any) -> set[int]:
    """Ids of the categories `viewer` may read; every list and count filters on these."""
    return {c.id for c in readable_categories(viewer)}


def category_by_slug(viewer: Any, slug: str) -> Category:
    for category in all_categories():
        if category.slug == slug and can_read(viewer, category):
            return category
    raise NotFound()


def category_by_id(viewer: Any, category_id: int) -> Category:
    for category in all_categories():
        if category.id == category_id and can_read(viewer, category):
            return category
    raise NotFound()


def visible_topic(viewer: Any, topic: Topic | None) -> Topic:
    """The topic if `viewer` may see it: readable category, not deleted unless staff, and
    not held or hidden by moderation unless staff or its author."""
    if topic is None or not can_read(viewer, topic.category):
        raise NotFound()
    if topic.deleted_at is not None and not is_staff(viewer):
        raise NotFound()
    if topic.moderation_state != "visible" and not may_see_unlisted(viewer, topic.author_id):
        raise NotFound()
    return topic


def may_see_unlisted(viewer: Any, author_id: int) -> bool:
    """Held and hidden posts and topics are shown to their author and to staff only."""
    return is_staff(viewer) or (is_member(viewer) and viewer.id == author_id)


def sees_post(viewer: Any, post: Post) -> bool:
    return post.moderation_state == "visible" or may_see_unlisted(viewer, post.author_id)


def get_topic(viewer: Any, topic_id: int) -> Topic:
    return visible_topic(viewer, db.session.get(Topic, topic_id))


def get_post(viewer: Any, post_id: int) -> Post:
    """A post whose topic `viewer` may see (deleted posts included: shown as placeholders)."""
    post = db.session.get(Post, post_id)
    if post is None or not sees_post(viewer, post):
        raise NotFound()
    visible_topic(viewer, post.topic)
    return post
