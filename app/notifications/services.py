"""Notifications: write a notice, count it, read it, and decide who may be contacted.

`notify` is called by the durable subscriber (app/notifications/subscribers.py) inside the
worker's transaction: it writes through `db.session`, never commits. Every other service
here is called by routes and opens its own unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.core.db import unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.core.events import emit
from app.core.pagination import Page
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member
from app.notifications import types
from app.notifications.events import NotificationCreated
from app.notifications.models import (
    CHANNELS,
    DIGEST_FREQUENCIES,
    Notification,
    NotificationPreference,
    NotificationState,
)

PER_PAGE = 20
FILTERS = ("all", "unread", *("reply_to_post", "followed_reply", "mention", "quote", "like"))


# --- state ------------------------------------------------------------------------------


def _state(member_id: int, lock: bool = False) -> NotificationState:
    """The member's state row, made on first use."""
    state = db.session.get(NotificationState, member_id, with_for_update=lock or None)
    if state is None:
        state = NotificationState(member_id=member_id, unread_count=0, digest_frequency="weekly")
        db.session.add(state)
        db.session.flush()
    return state


def unread_count(member_id: int) -> int:
    return (
        db.session.scalar(
            select(NotificationState.unread_count).where(NotificationState.member_id == member_id)
        )
        or 0
    )


def channel_for(member_id: int, type_key: str) -> str:
    """The member's channel for a type: their choice, else the type's default."""
    kind = types.get_type(type_key)
    chosen = db.session.scalar(
        select(NotificationPreference.channel).where(
            NotificationPreference.member_id == member_id, NotificationPreference.type == type_key
        )
    )
    if chosen in CHANNELS:
        return chosen
    return kind.default_channel if kind else "app"


# --- writing a notice (durable subscriber) -----------------------------------------------


def notify(
    member: Member,
    type_key: str,
    *,
    actor_id: int | None,
    topic: Any = None,
    post_id: int | None = None,
    data: dict | None = None,
    group_key: str = "",
) -> Notification | None:
    """Record one notice for `member` (None when none is due).

    Never about the member's own action, nor about a topic they cannot read (restricted
    category, deleted topic): the forums' readability rule decides, at write time, and the
    centre checks again at read time. Unread notices with the same `group_key` merge into
    one ("Ana and 4 others liked …") and the badge counts the group once.
    """
    if actor_id is not None and actor_id == member.id:
        return None
    if topic is not None and not _can_read_topic(member, topic):
        return None
    channel = channel_for(member.id, type_key)
    if channel == "off":
        return None
    now = utcnow()
    notice = None
    if group_key:
        notice = db.session.scalar(
            select(Notification)
            .where(
                Notification.member_id == member.id,
                Notification.group_key == group_key,
                Notification.read_at.is_(None),
            )
            .limit(1)
        )
    if notice is not None:
        notice.actor_count += 1
        notice.actor_id = actor_id
        notice.updated_at = now
        notice.data = {**(notice.data or {}), **(data or {})}
        # The merged notice has not been mailed in its new form; the digest may list it.
        notice.emailed_at = None
    else:
        notice = Notification(
            member_id=member.id,
            type=type_key,
            actor_id=actor_id,
            actor_count=1,
            topic_id=getattr(topic, "id", None),
            post_id=post_id,
            category_id=getattr(topic, "category_id", None),
            group_key=group_key,
            data=dict(data or {}),
            created_at=now,
            updated_at=now,
        )
        db.session.add(notice)
        _state(member.id)
        db.session.execute(
            update(NotificationState)
            .where(NotificationState.member_id == member.id)
            .values(unread_count=NotificationState.unread_count + 1)
        )
    db.session.flush()
    if channel == "email" and may_contact(member, type_key, "email"):
        from app.notifications.emails import queue_notification_email

        queue_notification_email(member, notice)
        notice.emailed_at = now
    emit(NotificationCreated(member_id=member.id, notification_id=notice.id))
    return notice


def _can_read_topic(member: Member, topic: Any) -> bool:
    from app.community.forums import access
    from app.core.errors import NotFound

    try:
        access.visible_topic(member, topic)
    except NotFound:
        return False
    return True


# --- the one contact decision -------------------------------------------------------------


def may_contact(member: Member, type_key: str, channel: str = "email") -> bool:
    """May this member be sent this non-transactional message now?

    Every notification email and digest asks here first. Today: the member's preference
    for the type (a digest asks with `type_key="digest"`), a verified address, and the
    hourly cap of notification emails (NOTIFY_EMAIL_PER_HOUR). The contact budget of the
    campaigns (one pressure cap across channels) will be added here, in one place.
    """
    if member is None or not member.email or member.email_verified_at is None:
        return False
    if type_key == "digest":
        state = db.session.get(NotificationState, member.id)
        if (state.digest_frequency if state else "weekly") == "never":
            return False
    elif channel_for(member.id, type_key) != channel:
        return False
    from app.notifications.models import OutboxMessage

    cap = int(current_app.config.get("NOTIFY_EMAIL_PER_HOUR", 6))
    sent = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.to_address == member.email,
            OutboxMessage.kind.in_(("notification", "digest")),
            OutboxMessage.created_at >= utcnow() - timedelta(hours=1),
        )
    )
    return (sent or 0) < cap


# --- reading -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeView:
    notice: Notification
    text: str
    url: str | None
    icon: str
    actor: Member | None


def _readable_category_ids(member: Member) -> set[int]:
    from app.community.forums import access

    return access.readable_category_ids(member)


def notifications_page(member: Member, filter_: str = "all", page: int = 1) -> Page[NoticeView]:
    """The member's notices, newest first, only those about content they may still read
    (three queries: count, page, actors)."""
    if filter_ not in FILTERS:
        filter_ = "all"
    readable = _readable_category_ids(member)
    conditions = [
        Notification.member_id == member.id,
        Notification.category_id.is_(None) | Notification.category_id.in_(readable or {0}),
    ]
    if filter_ == "unread":
        conditions.append(Notification.read_at.is_(None))
    elif filter_ != "all":
        conditions.append(Notification.type == filter_)
    total = db.session.scalar(select(func.count()).select_from(Notification).where(*conditions))
    rows = list(
        db.session.scalars(
            select(Notification)
            .where(*conditions)
            .order_by(Notification.updated_at.desc(), Notification.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    return Page(items=describe_many(rows), page=page, per_page=PER_PAGE, total=total or 0)


def describe_many(rows: list[Notification]) -> list[NoticeView]:
    actor_ids = {n.actor_id for n in rows if n.actor_id}
    actors = (
        {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(actor_ids)))}
        if actor_ids
        else {}
    )
    views = []
    for notice in rows:
        kind = types.get_type(notice.type)
        actor = actors.get(notice.actor_id) if notice.actor_id else None
        name = actor.name if actor else str(_l("Someone"))
        text = kind.describe(notice, name) if kind else notice.type
        views.append(
            NoticeView(notice, text, notice_url(notice), kind.icon if kind else "bell", actor)
        )
    return views


def notice_url(notice: Notification) -> str | None:
    from flask import url_for

    data = notice.data or {}
    if notice.topic_id and data.get("post_number"):
        return url_for(
            "community.post_permalink_short",
            topic_id=notice.topic_id,
            post_number=int(data["post_number"]),
        )
    if notice.topic_id:
        return url_for("community.topic_short", topic_id=notice.topic_id)
    return data.get("url")


def _require_member(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to see your notifications."))


def mark_read(actor: Any, notification_ids: Iterable[int]) -> int:
    """Mark some of the actor's own notices read; the badge goes down by as many."""
    _require_member(actor)
    ids = [int(i) for i in notification_ids][:100]
    if not ids:
        return 0
    with unit_of_work():
        state = _state(actor.id, lock=True)
        changed = db.session.execute(
            update(Notification)
            .where(
                Notification.member_id == actor.id,
                Notification.id.in_(ids),
                Notification.read_at.is_(None),
            )
            .values(read_at=utcnow()),
            execution_options={"synchronize_session": False},
        ).rowcount
        state.unread_count = max(0, state.unread_count - changed)
    _push_badge(actor.id)
    return changed


def mark_all_read(actor: Any) -> int:
    _require_member(actor)
    with unit_of_work():
        state = _state(actor.id, lock=True)
        changed = db.session.execute(
            update(Notification)
            .where(Notification.member_id == actor.id, Notification.read_at.is_(None))
            .values(read_at=utcnow()),
            execution_options={"synchronize_session": False},
        ).rowcount
        state.unread_count = 0
        state.seen_at = utcnow()
    _push_badge(actor.id)
    return changed


def record_visit(actor: Any) -> None:
    """The member opened the centre: a visit the digest takes into account."""
    with unit_of_work():
        _state(actor.id).seen_at = utcnow()


def _push_badge(member_id: int) -> None:
    """Every open tab of the member shows the new count (an absolute number: repeatable)."""
    from app.realtime.publisher import publish_to_member

    publish_to_member(member_id, "badge", {"unread": unread_count(member_id)})


# --- preferences -------------------------------------------------------------------------


def preferences(member: Member) -> tuple[dict[str, str], str]:
    """Channel per type (defaults filled in) and the digest frequency."""
    chosen = dict(
        db.session.execute(
            select(NotificationPreference.type, NotificationPreference.channel).where(
                NotificationPreference.member_id == member.id
            )
        ).all()
    )
    state = db.session.get(NotificationState, member.id)
    return (
        {t.key: chosen.get(t.key, t.default_channel) for t in types.all_types()},
        state.digest_frequency if state else "weekly",
    )


def set_preferences(actor: Any, channels: dict[str, str], digest_frequency: str) -> None:
    """Save the member's channel per type and digest rhythm; unknown values are refused."""
    _require_member(actor)
    errors: dict[str, str] = {}
    for key, channel in channels.items():
        kind = types.get_type(key)
        if kind is None or channel not in kind.channels():
            errors[f"type-{key}"] = _("Choose one of the offered options.")
    if digest_frequency not in DIGEST_FREQUENCIES:
        errors["digest_frequency"] = _("Choose one of the offered options.")
    if errors:
        raise Invalid(errors)
    with unit_of_work():
        existing = {
            p.type: p
            for p in db.session.scalars(
                select(NotificationPreference).where(NotificationPreference.member_id == actor.id)
            )
        }
        for key, channel in channels.items():
            row = existing.get(key)
            if row is None:
                db.session.add(
                    NotificationPreference(member_id=actor.id, type=key, channel=channel)
                )
            elif row.channel != channel:
                row.channel = channel
                row.updated_at = utcnow()
        _state(actor.id).digest_frequency = digest_frequency


def set_channel(member_id: int, type_key: str, channel: str) -> bool:
    """One preference, inside the caller's unit of work; True when it changed."""
    row = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.member_id == member_id, NotificationPreference.type == type_key
        )
    )
    if row is None:
        kind = types.get_type(type_key)
        if kind is not None and kind.default_channel == channel:
            return False
        db.session.add(NotificationPreference(member_id=member_id, type=type_key, channel=channel))
        return True
    if row.channel == channel:
        return False
    row.channel = channel
    row.updated_at = utcnow()
    return True


# --- URLs outside a request ---------------------------------------------------------------


@contextmanager
def site_urls() -> Iterator[None]:
    """`url_for(..., _external=True)` that works in the worker (no request): SITE_URL."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        yield
        return
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        yield


def notice_for(actor: Any, notification_id: int) -> str | None:
    """The link of one of the actor's own notices (None: not theirs or no link)."""
    _require_member(actor)
    notice = db.session.get(Notification, notification_id)
    if notice is None or notice.member_id != actor.id:
        return None
    if notice.category_id is not None and notice.category_id not in _readable_category_ids(actor):
        return None
    return notice_url(notice)
