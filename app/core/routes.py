"""Plumbing routes: health check and the language switch."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, request, session, url_for
from sqlalchemy import text

from app.core.i18n import SESSION_KEY
from app.core.security import is_safe_redirect
from app.extensions import db

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():  # type: ignore[no-untyped-def]
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except Exception as exc:  # the probe must answer, whatever failed
        current_app.logger.warning("healthz: database check failed: %s", exc)
        database = "error"
    finally:
        db.session.rollback()
    status = 200 if database == "ok" else 503
    body: dict = {
        "status": "ok" if status == 200 else "degraded",
        "database": database,
        "database_backend": db.engine.dialect.name,
    }
    if database == "ok":
        body.update(_queues())
    return jsonify(body), status


def _queues() -> dict:
    """The durable events' lag and the mail queue: what a monitor alerts on."""
    from app.core.worker import event_lag
    from app.notifications.mail import outbox_stats

    try:
        lag = event_lag()
        mail = outbox_stats()
    except Exception as exc:  # e.g. a database not yet upgraded: say so, keep answering
        current_app.logger.warning("healthz: queue check failed: %s", exc)
        return {"events": "unknown"}
    finally:
        db.session.rollback()
    return {
        "events": {
            "oldest_unhandled_at": lag.oldest_unhandled_at.isoformat()
            if lag.oldest_unhandled_at
            else None,
            "lag_seconds": round(lag.lag_seconds, 1),
            "parked": lag.parked,
            "retrying": lag.retrying,
        },
        "mail": mail,
    }


@bp.post("/language")
def set_language():  # type: ignore[no-untyped-def]
    """Visitors pick a language for this browser; members change theirs in settings too."""
    from flask_login import current_user

    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session[SESSION_KEY] = locale
        if current_user.is_authenticated:
            from app.members.services import set_locale

            set_locale(current_user, locale)
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("personalisation.home"))
