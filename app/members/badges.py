"""Tier and role badges for templates, as globals: a topic page shows one per post, and a
Jinja macro call with its translations cost more than the rest of the post."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.core.templating import request_cache

TIER_LABELS = {
    "bronze": _l("Bronze"),
    "silver": _l("Silver"),
    "gold": _l("Gold"),
    "platinum": _l("Platinum"),
}
ROLE_BADGES = {
    "admin": ("role-badge", _l("Admin")),
    "moderator": ("role-badge", _l("Community team")),
    "product": ("role-badge role-product", _l("Product team")),
}


def tier_badge(tier: str) -> Markup:
    cache = request_cache("cercle.badges")
    key = ("tier", tier)
    if key not in cache:
        tier = tier if tier in TIER_LABELS else "bronze"
        label = str(TIER_LABELS[tier])
        cache[key] = Markup('<span class="tier tier-{}">{}</span>').format(tier, label)
    return cache[key]


def role_badge(role: str) -> Markup:
    if role not in ROLE_BADGES:
        return Markup("")
    cache = request_cache("cercle.badges")
    key = ("role", role)
    if key not in cache:
        css, label = ROLE_BADGES[role]
        text = str(label)
        cache[key] = Markup('<span class="{}">{}</span>').format(css, text)
    return cache[key]


class AuthorBlock:
    """What a post shows of its author, rendered once per author and request."""

    __slots__ = ("avatar", "badges", "name", "url")

    def __init__(self, member: Any, size: int) -> None:
        from app.core.templating import avatar_svg
        from app.members.routes import member_url

        self.url = member_url(member.username)
        self.name = member.name
        self.avatar = avatar_svg(member.name, size)
        self.badges = tier_badge(member.tier) + Markup(" ") + role_badge(member.role)


def author_block(member: Any, size: int = 48) -> AuthorBlock:
    cache = request_cache("cercle.badges")
    key = ("author", member.id, size)
    if key not in cache:
        cache[key] = AuthorBlock(member, size)
    return cache[key]


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        tier_badge=tier_badge, role_badge=role_badge, author_block=author_block
    )
