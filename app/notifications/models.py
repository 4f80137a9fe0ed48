"""The email outbox, in-app notifications, each member's notification state and choices."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from app.core.time import utcnow
from app.extensions import db

STATUSES = ("pending", "sending", "sent", "stored", "failed")

# How a member wants to hear about one type of notification.
CHANNELS = ("app", "email", "digest", "off")
DIGEST_FREQUENCIES = ("daily", "weekly", "never")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40), default="")
    # pending: waiting for the worker; sending: claimed by a worker (until claimed_until);
    # sent; stored: no MAIL_SERVER, written to MAIL_FILE_DIR; failed: gave up.
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # A security message: the purpose and subject of the token the worker mints at send
    # time, and the link with TOKEN_SLOT where it goes. No token is ever stored.
    secure_purpose: Mapped[str] = mapped_column(String(40), default="")
    secure_subject_id: Mapped[int | None] = mapped_column(Integer)
    secure_link_template: Mapped[str] = mapped_column(String(500), default="")
    # A keyed digest of what the token is about (address, password or verification state)
    # when the mail was asked for: if that changed before sending, no token is minted.
    secure_state: Mapped[str] = mapped_column(String(64), default="")
    # Non-transactional mail (notifications, digests): the one-click unsubscribe URL sent
    # as List-Unsubscribe with List-Unsubscribe-Post (RFC 8058).
    unsubscribe_url: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(db.Model):
    """One notice for one member. Likes on one post group into one row while it is unread
    ("Ana and 4 others liked …"): `group_key` names the group, `actor_count` counts."""

    __tablename__ = "notifications"
    __table_args__ = (
        # The centre: a member's notices, newest first (and the unread filter).
        Index("ix_notifications_member_updated", "member_id", "updated_at"),
        Index("ix_notifications_member_group", "member_id", "group_key", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    actor_count: Mapped[int] = mapped_column(Integer, default=1)
    topic_id: Mapped[int | None] = mapped_column(Integer)
    post_id: Mapped[int | None] = mapped_column(Integer)
    # The category at the time: the centre hides notices of categories the member can no
    # longer read.
    category_id: Mapped[int | None] = mapped_column(Integer)
    group_key: Mapped[str] = mapped_column(String(80), default="")
    # Small display data copied at write time (topic title, post number, tier...).
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # When the notice left by email (at once or in a digest): never twice.
    emailed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NotificationState(db.Model):
    """Per member: the unread badge's stored counter, the digest's rhythm and last send."""

    __tablename__ = "notification_states"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    unread_count: Mapped[int] = mapped_column(Integer, default=0)
    digest_frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    last_digest_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Last time the member opened the centre (a visit, for the digest's "missed since").
    seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class NotificationPreference(db.Model):
    """A member's channel for one notification type (no row: the type's default)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (UniqueConstraint("member_id", "type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def attach_unread_counter() -> None:
    """`Member.unread_notifications`: the header badge reads the stored counter with the
    session member's own row load (a correlated subquery on the one member query every
    page makes anyway, which undefers it), not with a query more. Attached at app
    creation, not on import: the members area imports the outbox, so importing members
    here would be a cycle."""
    from app.members.models import Member

    if "unread_notifications" in Member.__mapper__.attrs:
        return
    Member.unread_notifications = column_property(
        select(func.coalesce(func.max(NotificationState.unread_count), 0))
        .where(NotificationState.member_id == Member.id)
        .correlate_except(NotificationState)
        .scalar_subquery(),
        # Only the session member's load asks for it (members.services.load_session_member):
        # lists of authors do not pay a subquery per row.
        deferred=True,
    )
