"""The header's viewer holes (app/core/holes.py), on every page: the account corner
(`user_nav`: name, avatar, unread notifications, menu) and the unconfirmed-address banner
(`verify_banner`). What they show is the viewer's row and the page's place in the site,
so they are cached by exactly that (staff's corner, with its live moderation count, is
rendered each time)."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask_babel import get_locale

from app.core import holes
from app.core.fragments import cached_fragment
from app.core.holes import Spot


def _user_nav(spot: Spot, prepared: Any, viewer: Any) -> str:
    def render() -> str:
        return render_template("members/_user_nav.html", current_user=viewer)

    if not viewer.is_authenticated:
        key: tuple = ("user_nav", None, request.endpoint, request.path, str(get_locale()))
        return cached_fragment(key, render)
    if viewer.is_staff:
        return render()
    key = (
        "user_nav",
        viewer.id,
        viewer.name,
        viewer.username,
        viewer.role,
        viewer.unread_notifications or 0,
        request.endpoint,
        str(get_locale()),
    )
    return cached_fragment(key, render)


def _verify_banner(spot: Spot, prepared: Any, viewer: Any) -> str:
    if not viewer.is_authenticated or viewer.is_verified:
        return ""
    return render_template("members/_verify_banner.html", current_user=viewer)


def register(app: Flask) -> None:
    holes.register(app, "user_nav", _user_nav)
    holes.register(app, "verify_banner", _verify_banner)
