"""Earning rules, the points ledger and the tiers' thresholds and perks."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db


class EarningRule(db.Model):
    """Points for one engagement type; `per_unit`: points per currency unit (purchases)."""

    __tablename__ = "earning_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_type: Mapped[str] = mapped_column(String(32), unique=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    per_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    # Most points this rule gives one member per UTC day (None: no cap).
    daily_cap: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LedgerEntry(db.Model):
    """One movement of points. Append-only: a correction is a new entry, never an update;
    the balance is the sum of a member's entries."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_member_earned", "member_id", "earned_at"),
        Index("ix_ledger_reference", "member_id", "reference"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    points: Mapped[int] = mapped_column(Integer)
    # The rule's event type, or `reversal` / `adjustment`.
    source_type: Mapped[str] = mapped_column(String(32))
    # Idempotency: `e:<engagement id>`, `d:<domain event id>`...: a repeat is harmless.
    source_key: Mapped[str] = mapped_column(String(200), unique=True)
    # What the points are for (`post:12`, `like:12:7`): reversals find their award by it.
    reference: Mapped[str | None] = mapped_column(String(100))
    engagement_id: Mapped[int | None] = mapped_column(BigInteger)
    earned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    note: Mapped[str] = mapped_column(String(200), default="")


class PointsDaily(db.Model):
    """The ledger summed per member, UTC day and source type, kept with each entry.

    Caps (per member, rule and day), balances and the rolling 12 months read these few
    rows instead of every entry a member ever earned; `flask profiles recompute` rebuilds
    them from the ledger (and a test checks they always equal it)."""

    __tablename__ = "points_daily"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source_type: Mapped[str] = mapped_column(String(32), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)


class Tier(db.Model):
    """A tier's threshold (rolling 12-month points) and perks; the keys are fixed."""

    __tablename__ = "tiers"

    key: Mapped[str] = mapped_column(String(16), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    perks_en: Mapped[str] = mapped_column(Text, default="")
    perks_fr: Mapped[str] = mapped_column(Text, default="")

    def perks(self, locale: str = "en") -> list[str]:
        text = self.perks_fr if locale == "fr" and self.perks_fr else self.perks_en
        return [line.strip() for line in text.splitlines() if line.strip()]
