"""Language selection: the member's setting, else the visitor's choice, else the browser."""

from __future__ import annotations

import flask_babel
from flask import current_app, has_request_context, request, session
from flask_login import current_user

SESSION_KEY = "locale"


def select_locale() -> str | None:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and jobs: no member, no browser
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get(SESSION_KEY)
    if chosen in languages:
        return chosen
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def refresh_locale() -> None:
    """Choose the language again: the member changed within this request (logged in or out).

    Flask-Babel chooses once per request, on the first translation; the login form was
    shown in the visitor's language, but the welcome flash is for the member.
    """
    from app.core.templating import clear_request_caches

    flask_babel.refresh()
    clear_request_caches()
