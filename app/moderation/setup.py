"""Moderation's start-up wiring for one app: the write guard, the forums' content check,
the visit counter, the member-facing flag pages, the banner and the periodic jobs."""

from __future__ import annotations

from typing import Any

from flask import Flask

JOBS = (
    # name, seconds between runs
    ("trust_recompute", 600),
    ("sanction_expiry", 300),
)


def init_app(app: Flask) -> None:
    from app.community.forums import hooks
    from app.core import holes
    from app.core.guards import register_write_guard
    from app.core.time import utcnow
    from app.moderation import checks, sanctions, trust
    from app.moderation.member_routes import bp

    register_write_guard(app, sanctions.write_guard)
    holes.register(app, "silence_banner", _silence_banner)
    hooks.register_content_check(app, checks.content_check)
    hooks.register_after_write(app, checks.open_reviews)
    app.register_blueprint(bp)

    @app.context_processor
    def moderation_context() -> dict[str, Any]:
        return {
            "silence_notice": sanctions.silence_notice,
            "moderation_reason_label": reason_label,
            "trust_progress": trust.progress,
            "trust_level_name": lambda level: str(trust.LEVEL_NAMES.get(int(level or 0), "")),
            "member_sanctions": sanctions.history,
            "sanction_in_force": lambda s: s.in_force(utcnow()),
        }


def _silence_banner(spot: Any, prepared: Any, viewer: Any) -> str:
    """The `silence_banner` viewer hole: what a silenced member cannot do, and until when
    (nothing to render, and no query, for a member who is not silenced)."""
    from flask import render_template

    if not getattr(viewer, "is_authenticated", False) or viewer.silenced_until is None:
        return ""
    return render_template("moderation/_silence_banner.html", current_user=viewer)


def reason_label(code: str) -> str:
    """Why a post is held or hidden, in words its author reads."""
    from flask_babel import gettext as _

    from app.moderation.flags import hidden_reason_label

    labels = {
        "new_member": _("the first posts of new members are checked"),
        "link_limit": _("links from new members are checked"),
        "image_limit": _("images from new members are checked"),
        "watched_word": _("it contains a word the community team checks"),
        "duplicate_text": _("the same text was posted in another topic"),
        "duplicate_links": _("the same links were posted in another topic"),
        "velocity": _("many posts in a short time"),
        "staff": _("the community team hid it"),
    }
    if code.startswith("flags"):
        return hidden_reason_label(code)
    return labels.get(code, code or _("the community team hid it"))


def register_jobs(app: Flask) -> None:
    from app.core.jobs import add_job
    from app.moderation import sanctions, trust

    add_job(app, "trust_recompute", trust.recompute_due, JOBS[0][1])
    add_job(app, "sanction_expiry", sanctions.record_expiries, JOBS[1][1])


def register_subscribers(bus) -> None:  # type: ignore[no-untyped-def]
    from app.moderation import notices, trust

    notices.register(bus)
    trust.register(bus)
