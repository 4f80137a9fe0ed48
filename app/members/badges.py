"""Tier and role badges for templates, as globals: a topic page shows one per post, and a
Jinja macro call with its translations cost more than the rest of the post."""

from __future__ import annotations

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


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(tier_badge=tier_badge, role_badge=role_badge)
