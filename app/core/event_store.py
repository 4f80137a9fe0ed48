"""The tables behind durable events: the log, each subscriber's position, parked events.

- `domain_events` is append-only: one row per emitted event, written in the transaction of
  the change (app/core/events.py). Ids grow in commit order.
- `event_subscribers` holds, per durable subscriber, the id of the last event it handled
  and the state of its current retry. The worker locks a subscriber's row for the length
  of a batch (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single writer does the
  same), so two workers never handle one event for the same subscriber.
- `parked_events`: an event a subscriber failed on too often. The subscriber moves past
  it; staff see it in /admin/events with its error and can replay it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db

# SQLite's INTEGER PRIMARY KEY is its 64-bit rowid; PostgreSQL gets a BIGSERIAL.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class DomainEventRecord(db.Model):
    __tablename__ = "domain_events"
    # AUTOINCREMENT on SQLite: an id is never reused, even after the newest row is gone.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(EventId, primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSON)
    actor_id: Mapped[int | None] = mapped_column(Integer)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SubscriberPosition(db.Model):
    __tablename__ = "event_subscribers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(EventId, default=0)
    # The event being retried (the one after `position`), its failures so far, when to
    # try again and why it failed last.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str] = mapped_column(Text, default="")
    handled: Mapped[int] = mapped_column(EventId, default=0)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class ParkedEvent(db.Model):
    __tablename__ = "parked_events"
    __table_args__ = (
        Index("ix_parked_events_open", "resolved_at", "subscriber"),
        db.UniqueConstraint("subscriber", "event_id", name="uq_parked_events_subscriber_event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int] = mapped_column(
        EventId, ForeignKey("domain_events.id", ondelete="CASCADE"), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    parked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set when a replay succeeded (the row stays: what failed, and when it was mended).
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
