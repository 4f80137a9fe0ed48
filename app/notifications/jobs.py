"""The notifications' worker jobs (send the outbox, send due digests) and /healthz section."""

from __future__ import annotations

from flask import Flask

from app.core.jobs import add_job
from app.core.routes import add_health_check

MAIL_POLL_SECONDS = 2.0
# Digests are due per member (daily or weekly); looking every quarter hour is enough.
DIGEST_POLL_SECONDS = 900.0


def _deliver_mail() -> int:
    from app.notifications.mail import deliver_pending

    return deliver_pending()


def _send_digests() -> int:
    from app.notifications.emails import send_due_digests

    return send_due_digests()


def _mail_report() -> dict:
    from app.notifications.mail import outbox_stats

    return outbox_stats()


def register(app: Flask) -> None:
    add_job(app, "deliver_mail", _deliver_mail, MAIL_POLL_SECONDS, wake_on_events=True)
    add_job(app, "send_digests", _send_digests, DIGEST_POLL_SECONDS)
    add_health_check(app, "mail", _mail_report)
