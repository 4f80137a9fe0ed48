"""The language switch: visitors pick a language for this browser; members keep it too."""

from __future__ import annotations

from flask import abort, current_app, redirect, request, session, url_for
from flask_login import current_user

from app.core.i18n import SESSION_KEY
from app.core.security import is_safe_redirect, is_same_origin_request
from app.extensions import csrf
from app.members import bp, services


@bp.post("/language")
@csrf.exempt
def set_language():  # type: ignore[no-untyped-def]
    """Visitors pick a language for this browser; members change theirs in settings too.

    The switch is in every page's footer: a CSRF token there would write a session for
    every first-time visitor. A member's choice (saved to their account) still needs the
    token; a visitor's (this browser's session only) needs a same-origin request.
    """
    if current_user.is_authenticated:
        if current_app.config.get("WTF_CSRF_ENABLED", True):
            csrf.protect()
    elif not is_same_origin_request():
        abort(400)
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("personalisation.home"))
