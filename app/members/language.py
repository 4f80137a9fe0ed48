"""The language switch: visitors pick a language for this browser; members keep it too."""

from __future__ import annotations

from flask import current_app, redirect, request, session, url_for
from flask_login import current_user

from app.core.i18n import SESSION_KEY
from app.core.security import is_safe_redirect
from app.members import bp, services


@bp.post("/language")
def set_language():  # type: ignore[no-untyped-def]
    """Visitors pick a language for this browser; members change theirs in settings too."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = locale
        if current_user.is_authenticated:
            services.set_locale(current_user, locale)
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("personalisation.home"))
