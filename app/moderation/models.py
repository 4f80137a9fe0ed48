"""The audit log: an append-only record of what staff did, to whom, and why."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(40), index=True)
    target_type: Mapped[str] = mapped_column(String(40))
    target_id: Mapped[int] = mapped_column()
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )


class TrustStats(db.Model):
    """The activity numbers trust levels are computed from, one row per member.

    A snapshot taken by the recompute (app.moderation.trust) from where the numbers are
    kept: topic view days (days visited), read states (topics and posts read),
    `Member.post_count`, `Member.likes_received`, upheld flags.
    """

    __tablename__ = "trust_stats"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    days_visited: Mapped[int] = mapped_column(Integer, default=0)
    last_visit_on: Mapped[date | None] = mapped_column(Date)
    topics_read: Mapped[int] = mapped_column(Integer, default=0)
    posts_read: Mapped[int] = mapped_column(Integer, default=0)
    flags_upheld: Mapped[int] = mapped_column(Integer, default=0)
    computed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


REVIEW_KINDS = ("held", "flagged", "rule", "spam")
REVIEW_STATUSES = ("pending", "approved", "hidden", "deleted", "dismissed")


class ReviewItem(db.Model):
    """One post waiting for a moderator's decision (the /mod/ queue).

    At most one *pending* item per post (a unique partial index, on SQLite and
    PostgreSQL): a second flag or rule hit on the same post adds to the open item.
    """

    __tablename__ = "review_items"
    __table_args__ = (
        Index("ix_review_items_queue", "status", "created_at"),
        Index("ix_review_items_category", "status", "category_id", "created_at"),
        Index("ix_review_items_reason", "status", "reason", "created_at"),
        Index(
            "uq_review_items_pending_post",
            "post_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(String(32))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    flag_weight: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    first_action_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution_note: Mapped[str] = mapped_column(String(500), default="")


FLAG_REASONS = ("spam", "abusive", "off_topic", "other")
FLAG_STATUSES = ("pending", "upheld", "rejected")


class Flag(db.Model):
    """A member's report of a post; once per member and post."""

    __tablename__ = "flags"
    __table_args__ = (
        UniqueConstraint("post_id", "member_id"),
        Index("ix_flags_reason_created", "reason", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    reason: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(String(500), default="")
    weight: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


SANCTION_KINDS = ("warning", "silence", "suspension")


class Sanction(db.Model):
    """A warning, silence (cannot write) or suspension (cannot log in) of a member.

    In force while `lifted_at` is NULL and `ends_at` is NULL or in the future: expiry is
    read from the clock, so no job is needed for a sanction to end on time.
    """

    __tablename__ = "sanctions"
    __table_args__ = (Index("ix_sanctions_member_kind_ends", "member_id", "kind", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Set by the expiry job once the end has passed (a record; enforcement reads ends_at).
    expiry_recorded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    def in_force(self, now: datetime) -> bool:
        if self.lifted_at is not None:
            return False
        return self.ends_at is None or _aware(self.ends_at) > now


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone-aware columns: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


WATCHED_WORD_ACTIONS = ("block", "hold", "flag", "replace")


class WatchedWord(db.Model):
    """A word or phrase (with `*` wildcards only) and what a post containing it gets."""

    __tablename__ = "watched_words"
    __table_args__ = (UniqueConstraint("pattern", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    replacement: Mapped[str] = mapped_column(String(100), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
