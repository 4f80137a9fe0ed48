"""Jinja filters and globals shared by every area's templates."""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Flask, request
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta
from markupsafe import Markup

from app.core.markup import safe_markdown
from app.core.time import aware, utcnow

AVATAR_COLOURS = (
    "#b4462f", "#2f6f8f", "#3d7a4f", "#7a4f9a", "#a86a12", "#1f7a7a", "#8f3b5c", "#4a5a8c",
)  # fmt: skip


def avatar_svg(name: str, size: int = 40) -> Markup:
    """A generated avatar: initials on a colour derived from the name (no network, no JS)."""
    name = name or "?"
    digest = hashlib.sha256(name.lower().encode()).digest()
    colour = AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
    parts = [p for p in name.replace("_", " ").replace("-", " ").split() if p]
    initials = "".join(p[0] for p in parts[:2]).upper() or name[:1].upper()
    initials = Markup.escape(initials)
    font = size * 0.42
    return Markup(
        f'<svg class="avatar" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'aria-hidden="true" focusable="false"><circle cx="{size / 2}" cy="{size / 2}" '
        f'r="{size / 2}" fill="{colour}"/><text x="50%" y="50%" dy=".35em" '
        f'text-anchor="middle" fill="#fff" font-size="{font:.0f}" '
        f'font-family="system-ui, sans-serif" font-weight="600">{initials}</text></svg>'
    )


def timeago(value: datetime | None) -> str:
    if value is None:
        return ""
    value = aware(value)
    delta = value - utcnow()
    if abs(delta.total_seconds()) < 45:
        from flask_babel import gettext

        return gettext("just now")
    return format_timedelta(delta, add_direction=True, granularity="minute")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = safe_markdown
    app.jinja_env.filters["timeago"] = timeago
    app.jinja_env.filters["date"] = lambda v, fmt="medium": format_date(aware(v), fmt) if v else ""
    app.jinja_env.filters["datetime"] = lambda v, fmt="medium": (
        format_datetime(aware(v), fmt) if v else ""
    )
    app.jinja_env.filters["number"] = lambda v: format_decimal(v or 0)
    app.jinja_env.filters["isoformat"] = lambda v: aware(v).isoformat() if v else ""
    app.jinja_env.globals["avatar"] = avatar_svg
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():  # type: ignore[no-untyped-def]
        from flask_babel import get_locale

        return {
            "site_name": app.config["SITE_NAME"],
            "current_locale": str(get_locale() or "en"),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
