"""Plumbing routes: the health check, with a section per area that registers one."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy import text

from app.extensions import db

bp = Blueprint("core", __name__)
HEALTH_KEY = "cercle_health_checks"


def add_health_check(app: Flask, name: str, check: Callable[[], dict]) -> None:
    """An area adds a section to /healthz: numbers a monitor can alert on."""
    app.extensions.setdefault(HEALTH_KEY, {})[name] = check


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
        body.update(_sections())
    return jsonify(body), status


def _sections() -> dict:
    """Each registered check's report (event lag, mail queue...), by name."""
    report: dict = {}
    for name, check in current_app.extensions.get(HEALTH_KEY, {}).items():
        try:
            report[name] = check()
        except Exception as exc:  # e.g. a database not yet upgraded: say so, keep answering
            current_app.logger.warning("healthz: %s check failed: %s", name, exc)
            report[name] = "unknown"
        finally:
            db.session.rollback()
    return report
