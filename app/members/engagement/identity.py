"""Unknown becomes known: a consenting visitor's first-party id, pending profiles.

- A visitor who accepts the cookie banner gets a random first-party id (`cercle_vid`,
  one year); their topic views (once per topic and day) and searches are logged under it.
  When they register or log in, Flask-Login's `user_logged_in` signal attaches those rows
  to the member. Without consent there is no id, nothing is logged, nothing is attached.
- An API event for an unknown email or external id makes a pending profile; the member
  who confirms that email (or whom a later event names with that external id) claims it.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request
from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.time import today, utcnow
from app.extensions import db
from app.members.engagement.models import PendingProfile
from app.members.engagement.pipeline import Activity, attach, insert_plain
from app.members.models import Member

CONSENT_COOKIE = "cercle_consent"
VISITOR_COOKIE = "cercle_vid"
COOKIE_MAX_AGE = 365 * 24 * 3600


def visitor_consent() -> str | None:
    """'yes', 'no' or None (not asked yet) for this browser."""
    value = request.cookies.get(CONSENT_COOKIE)
    return value if value in ("yes", "no") else None


def visitor_id() -> str | None:
    """The consenting visitor's first-party id, or None."""
    if visitor_consent() != "yes":
        return None
    value = request.cookies.get(VISITOR_COOKIE) or ""
    return value if 16 <= len(value) <= 64 and value.isalnum() else None


def set_consent_cookies(response: Response, accepted: bool) -> None:
    secure = bool(current_app.config.get("SECURE_COOKIES"))
    options = {"max_age": COOKIE_MAX_AGE, "samesite": "Lax", "secure": secure, "httponly": True}
    response.set_cookie(CONSENT_COOKIE, "yes" if accepted else "no", **options)
    if accepted:
        if not visitor_id():
            response.set_cookie(VISITOR_COOKIE, secrets.token_hex(16), **options)
    else:
        response.delete_cookie(VISITOR_COOKIE)


def claim_pending(member_id: int) -> int:
    """Attach the pending profile with the member's email (inside the caller's transaction)."""
    email = db.session.scalar(select(Member.email).where(Member.id == member_id))
    pending = db.session.scalar(
        select(PendingProfile).where(
            PendingProfile.email == email, PendingProfile.claimed_by_id.is_(None)
        )
    )
    if pending is None:
        return 0
    return _claim(pending, member_id)


def _claim(pending: PendingProfile, member_id: int) -> int:
    pending.claimed_by_id = member_id
    pending.claimed_at = utcnow()
    member = db.session.get(Member, member_id)
    if pending.external_id and member.external_id is None:
        external_id, pending.external_id = pending.external_id, None
        db.session.flush()
        member.external_id = external_id
    db.session.flush()
    return attach(member_id, pending_id=pending.id)


def _on_login(sender: Flask, user: Member, **_extra: object) -> None:
    vid = visitor_id()
    if vid is None or getattr(g, "cercle_attached", False):
        return
    g.cercle_attached = True
    with unit_of_work():
        attach(user.id, visitor_id=vid)


def _track_visitor(response: Response) -> Response:
    """Log a consenting visitor's topic view (once per topic and day) under their id."""
    if request.endpoint != "community.topic" or response.status_code != 200:
        return response
    from flask_login import current_user

    vid = visitor_id()
    if vid is None or current_user.is_authenticated:
        return response
    topic_id = (request.view_args or {}).get("topic_id")
    if topic_id is None:
        return response
    day = today().isoformat()
    with unit_of_work():
        insert_plain(
            [
                Activity(
                    type="topic_viewed",
                    occurred_at=utcnow(),
                    source_key=f"v:{vid}:topic:{topic_id}:{day}",
                    visitor_id=vid,
                    object_type="topic",
                    object_id=str(topic_id),
                )
            ]
        )
    return response


def init_app(app: Flask) -> None:
    from flask_login import user_logged_in

    user_logged_in.connect(_on_login, app)
    app.after_request(_track_visitor)
