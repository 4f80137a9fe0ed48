"""The composer's endpoints: live preview and drafts. Thin: the rules are in `drafts` and
in `app.core.markup` (the preview is the saved post's renderer, sanitiser included).

All are POSTs under CSRF (the composer sends the page's token in X-CSRFToken) and answer
JSON to the script; the discard form also works without JavaScript.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, g, jsonify, redirect, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from app.community import bp
from app.community.forums import drafts
from app.community.forums.services.base import BODY_MAX
from app.core.emoji import EMOJI
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.markup import render_markdown
from app.core.security import is_safe_redirect
from app.extensions import limiter


def _member_key() -> str:
    return f"member:{current_user.id}" if current_user.is_authenticated else "anonymous"


def _draft_limit() -> str:
    return current_app.config.get("DRAFT_RATE_LIMIT") or "30 per minute"


def preview_html(body: str | None) -> str:
    """The HTML a post with this body would show: the same renderer and sanitiser."""
    return render_markdown((body or "")[:BODY_MAX])


_PREVIEW = "composer_preview"


def previewing(form: Any) -> bool:
    """True when the member pressed Preview (the form without JavaScript): the page shows
    the rendered text and the form again, and nothing is written."""
    if request.method != "POST" or not request.form.get("preview"):
        return False
    setattr(g, _PREVIEW, Markup(preview_html(form.body.data)))  # safe: sanitised
    return True


@bp.app_template_global("composer_preview")
def preview_of_request() -> Markup | None:
    """The no-JS preview of this request, if the member asked for one."""
    return getattr(g, _PREVIEW, None)


@bp.app_template_global()
def composer_draft(key: str) -> drafts.Draft | None:
    """The member's saved draft under `key` (read only by the composer's pages)."""
    return drafts.get_draft(current_user, key)


@bp.get("/composer/emoji.json")
def composer_emoji():  # type: ignore[no-untyped-def]
    """The shortcode table for the composer's suggestions (the renderer's own table)."""
    response = jsonify(EMOJI)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.post("/composer/preview")
@login_required
@limiter.limit("120 per minute", key_func=_member_key)
def composer_preview():  # type: ignore[no-untyped-def]
    return jsonify({"html": preview_html(request.form.get("body"))})


def _error(exc: Exception) -> str:
    if isinstance(exc, Invalid):
        return str(next(iter(exc.errors.values())))
    if isinstance(exc, NotFound):
        return _("This draft is for something that is no longer there.")
    return getattr(exc, "message", "") or _("You cannot do this.")


_STATUS = {Invalid: 400, NotFound: 404, PermissionDenied: 403}


@bp.post("/drafts")
@login_required
@limiter.limit(_draft_limit, key_func=_member_key)
def save_draft():  # type: ignore[no-untyped-def]
    try:
        draft = drafts.save_draft(
            current_user,
            request.form.get("key", ""),
            request.form.get("body"),
            request.form.get("title"),
        )
    except (Invalid, NotFound, PermissionDenied) as exc:
        status = (
            403 if isinstance(exc, PermissionDenied) else 404 if isinstance(exc, NotFound) else 400
        )
        return jsonify({"saved": False, "error": _error(exc)}), status
    return jsonify(
        {
            "saved": draft is not None,
            "updated_at": draft.updated_at.isoformat() if draft is not None else None,
        }
    )


@bp.post("/drafts/discard")
@login_required
def discard_draft():  # type: ignore[no-untyped-def]
    try:
        drafts.discard_draft(current_user, request.form.get("key", ""))
    except Invalid as exc:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"discarded": False, "error": _error(exc)}), 400
        flash(_error(exc), "error")
    else:
        if request.accept_mimetypes.best == "application/json":
            return jsonify({"discarded": True})
        flash(_("Your draft is discarded."), "info")
    target = request.form.get("next", "")
    return redirect(target if is_safe_redirect(target) else "/")
