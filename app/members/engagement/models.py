"""The engagement log, the profile rollups kept from it, consent and pending profiles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db

STAGES = ("new", "active", "advocate", "reactivated", "at_risk", "lapsed")
CHANNELS = ("community", "shop", "store", "support", "newsletter", "other")


class PendingProfile(db.Model):
    """A customer the API told us about before they joined; a registration with the same
    email (or a later API event naming the member) claims it."""

    __tablename__ = "pending_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EngagementEvent(db.Model):
    """One thing someone did. Append-only: services never update a row, except to attach a
    visitor's or pending profile's rows to the member they turn out to be, and erasure."""

    __tablename__ = "engagement_events"
    __table_args__ = (
        Index("ix_engagement_member_time", "member_id", "occurred_at"),
        Index("ix_engagement_type_time", "type", "occurred_at"),
        Index("ix_engagement_time", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    visitor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    pending_id: Mapped[int | None] = mapped_column(
        ForeignKey("pending_profiles.id", ondelete="SET NULL"), index=True
    )
    type: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(16), default="community")
    object_type: Mapped[str | None] = mapped_column(String(24))
    object_id: Mapped[str | None] = mapped_column(String(64))
    interest_id: Mapped[int | None] = mapped_column(Integer)
    # Purchases: the amount in the base currency's cents (the original is in properties).
    value_cents: Mapped[int | None] = mapped_column(BigInteger)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Idempotency: `d:<domain event id>:<type>` or `api:<idempotency key>`.
    source_key: Mapped[str] = mapped_column(String(200), unique=True)


class MemberActiveDay(db.Model):
    """A member was active on this UTC day (kept with the log): the dashboard counts
    active members per day from these rows, not from every event of the period."""

    __tablename__ = "member_active_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class MemberProfile(db.Model):
    """The rollup of one member's log, folded in log order (flask profiles recompute redoes
    the same fold from nothing and must land on the same values)."""

    __tablename__ = "member_profiles"
    __table_args__ = (Index("ix_member_profiles_stage", "stage"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    # Σ weight × 2^((t − epoch) / half-life): today's score is this × 2^(−(now − epoch)/h).
    score_base: Mapped[float] = mapped_column(Float, default=0.0, index=True)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    first_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    # The last activity that came after a silence of LIFECYCLE_LAPSED_DAYS or more.
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    purchase_count: Mapped[int] = mapped_column(Integer, default=0)
    monetary_cents: Mapped[int] = mapped_column(BigInteger, default=0, index=True)
    last_purchase_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    stage: Mapped[str] = mapped_column(String(16), default="new")
    stage_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class MemberAffinity(db.Model):
    """Interest inferred from what the member reads, writes and likes (decayed like the
    score). Only for members who consent to personalisation."""

    __tablename__ = "member_affinities"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    interest_id: Mapped[int] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), primary_key=True
    )
    score_base: Mapped[float] = mapped_column(Float, default=0.0)


class LifecycleChange(db.Model):
    """A member's lifecycle stage changed (append-only history for the 360 view)."""

    __tablename__ = "lifecycle_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    old_stage: Mapped[str | None] = mapped_column(String(16))
    new_stage: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MemberConsent(db.Model):
    """What a member agreed to: personalisation (behavioural inference) and marketing email."""

    __tablename__ = "member_consents"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    personalisation: Mapped[bool] = mapped_column(Boolean, default=False)
    personalisation_since: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    marketing_email: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffNote(db.Model):
    """A community manager's note on a member (staff only, shown on the 360 view)."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
