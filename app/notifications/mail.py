"""One outbox for every email, sent by the worker, never in a web request.

`queue_mail` records a message in the caller's transaction (so a rolled-back action sends
nothing). The worker's `deliver_pending` job then:

1. **claims** a batch in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL;
   SQLite's single writer on SQLite): status `sending`, a lease and a claim token — two
   workers never hold the same message;
2. **sends** each one outside any transaction (a slow or dead SMTP server holds no lock
   and no page waits for it), by SMTP when `MAIL_SERVER` is set, otherwise into a file
   under `MAIL_FILE_DIR` (status `stored`: a developer's or test's mailbox);
3. **settles** it: `sent`/`stored`, or back to `pending` with exponential backoff, or
   `failed` after MAIL_MAX_ATTEMPTS. A lease that ran out (a worker died mid-send) makes
   the message pending again.

**Secrets never rest in the outbox.** A security message (verification, password reset)
is stored with a placeholder where its link goes, and the link template and purpose
beside it; the worker mints the token at send time and puts it only in the message that
leaves. Staff reading /admin/outbox, the logs and the stored bodies never see a usable
token.
"""

from __future__ import annotations

import logging
import os
import secrets
import smtplib
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import Flask, current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import or_, select, update

from app.core.db import gate, unit_of_work
from app.core.errors import PermissionDenied
from app.core.templating import fresh_caches
from app.core.time import aware, utcnow
from app.extensions import db
from app.notifications.models import OutboxMessage

log = logging.getLogger(__name__)

# Where a security message's link goes in the stored body, and the token's place in the
# stored link template (both replaced only in the copy that is sent).
SECURE_LINK = "__CERCLE_SECURE_LINK__"
TOKEN_SLOT = "__token__"
_MINTERS = "cercle_link_minters"

LEASE_SECONDS = 300
MAX_BACKOFF_SECONDS = 6 * 3600


class Unsendable(Exception):
    """The message can never be sent (its recipient is gone): no retry."""


def register_link_minter(
    app: Flask, purpose: str, mint: Callable[[int, str, str], str | None]
) -> None:
    """`mint(subject_id, to_address, state)` makes a fresh token for `purpose` at send time,
    or None when it must not be sent any more (the member is gone, the address changed,
    the state the mail was about changed). The members area registers its token kinds."""
    app.extensions.setdefault(_MINTERS, {})[purpose] = mint


def queue_mail(
    to: str,
    subject: object,
    template: str,
    locale: str | None = None,
    kind: str = "",
    secure_link: tuple[str, int, str, str] | None = None,
    **context,
) -> OutboxMessage:
    """Render `templates/mail/<template>.txt|.html` in the recipient's language and queue it.

    `secure_link` = (purpose, subject id, URL with TOKEN_SLOT, state digest): the template's
    `link` is a placeholder, and the worker puts a freshly minted token in the sent copy
    only — if the state digest still matches and the address is still the member's.
    """
    if secure_link is not None:
        context["link"] = SECURE_LINK
    with fresh_caches(), force_locale(locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        text_body = render_template(f"mail/{template}.txt", **context)
        html_body = render_template(f"mail/{template}.html", **context)
        subject = str(subject)  # a lazy string, translated in the recipient's language
    purpose, subject_id, link_template, state = secure_link or ("", None, "", "")
    message = OutboxMessage(
        to_address=to,
        subject=subject,
        text_body=text_body,
        html_body=html_body,
        kind=kind,
        secure_purpose=purpose,
        secure_subject_id=subject_id,
        secure_link_template=link_template,
        secure_state=state,
        next_attempt_at=utcnow(),
    )
    db.session.add(message)
    return message


def redacted(body: str) -> str:
    """A stored body as staff may read it: the security link's place is labelled."""
    return body.replace(SECURE_LINK, _("[security link: only the recipient receives it]"))


def _backoff(attempts: int) -> timedelta:
    base = float(current_app.config.get("MAIL_RETRY_BASE_SECONDS", 60))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def claim(limit: int = 50) -> list[tuple[int, str]]:
    """Take up to `limit` due messages for this worker: [(id, claim token)]."""
    now = utcnow()
    token = secrets.token_hex(8)
    with unit_of_work():
        ids = db.session.scalars(
            select(OutboxMessage.id)
            .where(
                or_(
                    (OutboxMessage.status == "pending") & (OutboxMessage.next_attempt_at <= now),
                    (OutboxMessage.status == "sending") & (OutboxMessage.claimed_until < now),
                )
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
        if ids:
            db.session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(ids))
                .values(
                    status="sending",
                    claim_token=token,
                    claimed_until=now + timedelta(seconds=LEASE_SECONDS),
                    attempts=OutboxMessage.attempts + 1,
                ),
                execution_options={"synchronize_session": False},
            )
    return [(message_id, token) for message_id in ids]


def deliver_pending(limit: int = 50) -> int:
    """Claim, send and settle due messages; returns how many were handled. Idempotent."""
    handled = 0
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    # The SQLite gate (app/core/db.py) is held for each database step, never during SMTP.
    with gate(app):
        claimed = claim(limit)
    for message_id, token in claimed:
        email, outcome, error = None, "", ""
        with gate(app):
            message = _renew_claim(message_id, token)
            if message is not None:
                try:
                    email = _compose(message)  # mints the security link: reads the member
                except Unsendable as exc:
                    outcome, error = "failed", str(exc)
            db.session.rollback()  # no transaction stays open during SMTP
        if message is None:
            continue  # the claim ran out and another worker took the message
        if email is not None:
            try:
                outcome = _send(message, email)
            except Exception as exc:  # any failure to send: retried with backoff
                outcome, error = "retry", f"{type(exc).__name__}: {exc}"[:1000]
                log.warning(
                    "mail %d (%s) not sent, attempt %d: %s",
                    message.id,
                    message.kind or "mail",
                    message.attempts,
                    error,
                )
        with gate(app):
            _settle(message_id, token, outcome, error)
        handled += 1
    return handled


def _renew_claim(message_id: int, token: str) -> OutboxMessage | None:
    """Renew this worker's lease on a message just before sending it, or None if the claim
    is no longer ours (it ran out during a slow batch and another worker took it)."""
    now = utcnow()
    with unit_of_work():
        renewed = db.session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.claim_token == token,
                OutboxMessage.status == "sending",
                OutboxMessage.claimed_until > now,
            )
            .values(claimed_until=now + timedelta(seconds=LEASE_SECONDS)),
            execution_options={"synchronize_session": False},
        ).rowcount
    if not renewed:
        return None
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    if message is not None:
        db.session.expunge(message)  # keep what was read once the read transaction ends
    return message


def _compose(message: OutboxMessage) -> EmailMessage:
    config = current_app.config
    text_body, html_body = message.text_body, message.html_body
    if message.secure_purpose:
        minter = current_app.extensions.get(_MINTERS, {}).get(message.secure_purpose)
        token = (
            minter(message.secure_subject_id, message.to_address, message.secure_state)
            if minter
            else None
        )
        if token is None:
            raise Unsendable(f"no {message.secure_purpose} token can be made any more")
        link = message.secure_link_template.replace(TOKEN_SLOT, token)
        text_body = text_body.replace(SECURE_LINK, link)
        html_body = html_body.replace(SECURE_LINK, str(escape(link)))
    email = EmailMessage()
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = message.to_address
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"cercle-{message.id}")
    if message.unsubscribe_url:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to the URL.
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(text_body)
    email.add_alternative(html_body, subtype="html")
    return email


def _send(message: OutboxMessage, email: EmailMessage) -> str:
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        folder = Path(config["MAIL_FILE_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{message.id:08d}-{message.kind or 'mail'}.eml"
        # 0600: the file may hold a live link; only the server's own user reads it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(bytes(email))
        log.info(
            "mail %d (%s) written to the mail folder (no MAIL_SERVER)", message.id, message.kind
        )
        return "stored"
    with smtplib.SMTP(
        config["MAIL_SERVER"], config["MAIL_PORT"], timeout=config.get("MAIL_TIMEOUT", 10)
    ) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(email)
    return "sent"


def _settle(message_id: int, token: str, outcome: str, error: str) -> None:
    """Record the outcome, if this worker still holds the claim."""
    with unit_of_work():
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if message is None or message.status != "sending":
            return
        message.claim_token = None
        message.claimed_until = None
        if outcome in ("sent", "stored"):
            message.status = outcome
            message.sent_at = utcnow()
            message.last_error = ""
            return
        message.last_error = error
        if outcome == "failed" or message.attempts >= int(
            current_app.config.get("MAIL_MAX_ATTEMPTS", 5)
        ):
            message.status = "failed"
            log.error("mail %d failed for good after %d attempts", message.id, message.attempts)
        else:
            message.status = "pending"
            message.next_attempt_at = utcnow() + _backoff(message.attempts)


def retry_failed(actor: object, message_id: int) -> bool:
    """Admins put a failed message back in the queue (from /admin/outbox)."""
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "role", "") != "admin":
        raise PermissionDenied(_("Only administrators can send a message again."))
    with unit_of_work():
        message = db.session.get(OutboxMessage, message_id, with_for_update=True)
        if message is None or message.status != "failed":
            return False
        if SECURE_LINK in message.text_body and not message.secure_purpose:
            # Its link was withheld (stored before links were minted at send time): the
            # member asks for a new one instead.
            return False
        message.status = "pending"
        message.attempts = 0
        message.next_attempt_at = utcnow()
        return True


def outbox_stats() -> dict[str, int]:
    """Messages waiting and failed, for /admin/ and /healthz."""
    from sqlalchemy import func

    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.status.in_(("pending", "sending", "failed")))
        .group_by(OutboxMessage.status)
    ).all()
    counts = dict(rows)
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_(("pending", "sending"))
        )
    )
    age = (utcnow() - aware(oldest)).total_seconds() if oldest else 0.0
    return {
        "waiting": counts.get("pending", 0) + counts.get("sending", 0),
        "failed": counts.get("failed", 0),
        "oldest_waiting_seconds": int(age),
    }
