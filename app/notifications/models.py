"""The email outbox: every message is recorded first, then sent by the worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db

STATUSES = ("pending", "sending", "sent", "stored", "failed")


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
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
