"""One outbox for every email.

`queue_mail` records a message in the caller's transaction (so a rolled-back action sends
nothing). `deliver_pending` then sends what is pending by SMTP when `MAIL_SERVER` is set;
without it, messages are marked `stored`, logged, and readable by admins at /admin/outbox.
Delivery runs after the commit of the request that queued mail, and again from
`flask jobs run-due` for messages whose first attempt failed.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.templating import fresh_caches
from app.core.time import utcnow
from app.extensions import db
from app.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def queue_mail(
    to: str, subject: object, template: str, locale: str | None = None, kind: str = "", **context
) -> OutboxMessage:
    """Render `templates/mail/<template>.txt|.html` in the recipient's language and queue it."""
    with fresh_caches(), force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text_body = render_template(f"mail/{template}.txt", **context)
        html_body = render_template(f"mail/{template}.html", **context)
        subject = str(subject)  # a lazy string, translated in the recipient's language
    message = OutboxMessage(
        to_address=to, subject=subject, text_body=text_body, html_body=html_body, kind=kind
    )
    db.session.add(message)
    return message


def deliver_pending(limit: int = 100) -> int:
    """Send (or store) pending messages; returns how many were handled. Idempotent."""
    ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == "pending", OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    handled = 0
    for message_id in ids:
        with unit_of_work():
            message = db.session.get(OutboxMessage, message_id)
            if message is None or message.status != "pending":
                continue
            _deliver(message)
            handled += 1
    return handled


def _deliver(message: OutboxMessage) -> None:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        message.status = "stored"
        log.info(
            "mail stored in outbox (no MAIL_SERVER): to=%s subject=%r",
            message.to_address,
            message.subject,
        )
        return
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    message.attempts += 1
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = str(exc)[:1000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
        log.warning("mail to %s failed (attempt %d): %s", message.to_address, message.attempts, exc)
        return
    message.status = "sent"
    message.sent_at = utcnow()
