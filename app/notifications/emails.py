"""Notification emails, digests and the one-click unsubscribe (RFC 8058).

Every email here is non-transactional: it is queued only after
`services.may_contact` said yes, carries a signed unsubscribe link (no login needed,
`List-Unsubscribe` + `List-Unsubscribe-Post: List-Unsubscribe=One-Click`), and is written
in the recipient's language with an HTML and a plain-text part (`queue_mail`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.models import Member
from app.notifications import services, types
from app.notifications.mail import queue_mail
from app.notifications.models import Notification, NotificationState

_SALT = "cercle.unsubscribe"
DIGEST_TOPICS = 5
DIGEST_NOTICES = 20
DIGEST_BATCH = 200
DIGEST_PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}


# --- unsubscribe tokens ------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(member_id: int, what: str) -> str:
    """A signed token for "stop this kind of email": a type key, or "digest"."""
    return _serializer().dumps({"m": member_id, "w": what})


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    member_id, what = data.get("m"), data.get("w")
    if not isinstance(member_id, int) or not isinstance(what, str):
        return None
    if what != "digest" and types.get_type(what) is None:
        return None
    return member_id, what


def unsubscribe_url(member_id: int, what: str) -> str:
    with services.site_urls():
        return url_for(
            "notifications.unsubscribe", token=unsubscribe_token(member_id, what), _external=True
        )


def unsubscribe(token: str) -> tuple[str, Any]:
    """Apply an unsubscribe token: ("done" | "already" | "invalid", what it was about).

    Replaying a token changes nothing and says so; a malformed one changes nothing.
    """
    found = read_unsubscribe_token(token)
    if found is None:
        return "invalid", None
    member_id, what = found
    with unit_of_work():
        if db.session.get(Member, member_id) is None:
            return "invalid", None
        if what == "digest":
            state = services._state(member_id)
            changed = state.digest_frequency != "never"
            state.digest_frequency = "never"
        else:
            kind = types.get_type(what)
            current = services.channel_for(member_id, what)
            # Off email: the notice still shows in the centre.
            target = "app" if current in ("email", "digest") else current
            changed = services.set_channel(member_id, what, target) if kind else False
    label = _l("the digest") if what == "digest" else types.get_type(what).label
    return ("done" if changed else "already"), label


# --- one notification email ----------------------------------------------------------------


def queue_notification_email(member: Member, notice: Notification) -> None:
    """Queue the email of one notice (the caller asked `may_contact` first)."""
    kind = types.get_type(notice.type)
    locale = member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    actor = db.session.get(Member, notice.actor_id) if notice.actor_id else None
    with services.site_urls(), force_locale(locale):
        text = kind.describe(notice, actor.name if actor else str(_l("Someone")))
        path = services.notice_url(notice)
        link = (current_app.config["SITE_URL"].rstrip("/") + path) if path else None
        stop_url = unsubscribe_url(member.id, notice.type)
        message = queue_mail(
            member.email,
            text,
            "notification",
            locale=locale,
            kind="notification",
            member=member,
            text_line=text,
            excerpt=(notice.data or {}).get("excerpt", ""),
            link=link,
            unsubscribe_url=stop_url,
            type_label=kind.label,
            settings_url=url_for("notifications.settings", _external=True),
        )
    message.unsubscribe_url = stop_url


# --- digests -----------------------------------------------------------------------------


def _last_visit(member: Member, state: NotificationState | None) -> Any:
    from app.community.forums.models import TopicReadState

    read = db.session.scalar(
        select(func.max(TopicReadState.updated_at)).where(TopicReadState.member_id == member.id)
    )
    moments = [aware(m) for m in (member.last_seen_at, read, state and state.seen_at) if m]
    return max(moments) if moments else None


def _interest_topics(member: Member, since: Any) -> list[Any]:
    """New topics since `since` in readable categories tied to the member's interests."""
    from app.community.forums import access
    from app.community.forums.models import Category, Topic
    from app.members.models import MemberInterest

    interest_ids = select(MemberInterest.interest_id).where(MemberInterest.member_id == member.id)
    readable = access.readable_category_ids(member)
    if not readable:
        return []
    return list(
        db.session.scalars(
            select(Topic)
            .join(Category, Category.id == Topic.category_id)
            .where(
                Category.interest_id.in_(interest_ids),
                Topic.category_id.in_(readable),
                Topic.deleted_at.is_(None),
                Topic.moderation_state == "visible",  # held or hidden: not announced
                Topic.created_at > since,
                Topic.author_id != member.id,
            )
            .order_by(Topic.created_at.desc())
            .limit(DIGEST_TOPICS)
        )
    )


def send_digest(member: Member, now: Any = None) -> bool:
    """Queue one member's digest if one is due and there is something they missed.

    Due: `digest_frequency` (daily or weekly) since the last digest. Skipped when the member
    visited since then, or when nothing new concerns them. Sending records `last_digest_at`
    and marks the listed notices emailed in the same transaction: run twice, it sends once.
    """
    now = now or utcnow()
    state = services._state(member.id, lock=True)
    period = DIGEST_PERIODS.get(state.digest_frequency)
    if period is None:
        return False
    if state.last_digest_at is not None and aware(state.last_digest_at) > now - period:
        return False
    since = aware(state.last_digest_at) if state.last_digest_at else now - period
    visit = _last_visit(member, state)
    state.last_digest_at = now  # this period is settled, sent or skipped
    if visit is not None and visit > since:
        return False
    if not services.may_contact(member, "digest"):
        return False
    readable = services._readable_category_ids(member)
    notices = list(
        db.session.scalars(
            select(Notification)
            .where(
                Notification.member_id == member.id,
                Notification.read_at.is_(None),
                Notification.emailed_at.is_(None),
                Notification.updated_at > since,
                Notification.category_id.is_(None) | Notification.category_id.in_(readable or {0}),
            )
            .order_by(Notification.updated_at.desc())
            .limit(DIGEST_NOTICES)
        )
    )
    notices = [n for n in notices if services.channel_for(member.id, n.type) != "off"]
    topics = _interest_topics(member, since)
    if not notices and not topics:
        return False
    locale = member.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
    base = current_app.config["SITE_URL"].rstrip("/")
    with services.site_urls(), force_locale(locale):
        lines = [
            (view.text, base + view.url if view.url else None)
            for view in services.describe_many(notices)
        ]
        topic_lines = [
            (t.title, base + url_for("community.topic_short", topic_id=t.id)) for t in topics
        ]
        stop_url = unsubscribe_url(member.id, "digest")
        message = queue_mail(
            member.email,
            _l("What you missed at %(site)s", site=current_app.config["SITE_NAME"]),
            "digest",
            locale=locale,
            kind="digest",
            member=member,
            lines=lines,
            topic_lines=topic_lines,
            unsubscribe_url=stop_url,
            settings_url=url_for("notifications.settings", _external=True),
        )
    message.unsubscribe_url = stop_url
    for notice in notices:
        notice.emailed_at = now
    return True


def send_due_digests(now: Any = None) -> int:
    """The periodic job: every member whose digest is due, in batches of short transactions."""
    from app.core.db import gate

    now = now or utcnow()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    sent, after = 0, 0
    while True:
        with gate(app):
            ids = list(
                db.session.scalars(
                    select(Member.id)
                    .outerjoin(NotificationState, NotificationState.member_id == Member.id)
                    .where(
                        Member.id > after,
                        Member.email_verified_at.is_not(None),
                        (NotificationState.member_id.is_(None))
                        | (
                            (NotificationState.digest_frequency != "never")
                            & (
                                NotificationState.last_digest_at.is_(None)
                                | (NotificationState.last_digest_at <= now - timedelta(days=1))
                            )
                        ),
                    )
                    .order_by(Member.id)
                    .limit(DIGEST_BATCH)
                )
            )
        if not ids:
            return sent
        for member_id in ids:
            with gate(app), unit_of_work():
                member = db.session.get(Member, member_id)
                if member is not None and send_digest(member, now):
                    sent += 1
        after = ids[-1]
