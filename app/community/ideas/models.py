"""Ideas: boards per product, ideas members vote on, statuses with official responses.

Counters shown on lists (votes, comments, followers, ideas per board) are stored and kept
by the services. A vote keeps a snapshot of who the voter was when they voted (tier,
lifecycle stage, value band, interests), so reports show who asked then.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import utcnow
from app.extensions import db
from app.members.models import Interest, Member

IDEAS_PER_PAGE = 30
IMPORTANCE = (1, 2, 3)  # nice to have, important, critical


class IdeaStatus(db.Model):
    """A status an idea can be in; admins configure the list (names in EN and FR)."""

    __tablename__ = "idea_statuses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name_en: Mapped[str] = mapped_column(String(60))
    name_fr: Mapped[str] = mapped_column(String(60))
    colour: Mapped[str] = mapped_column(String(7), default="#6b7280")
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Members may vote on ideas in this status (closed statuses: shipped, declined...).
    accepts_votes: Mapped[bool] = mapped_column(Boolean, default=True)
    # Shown as a column of /roadmap.
    roadmap: Mapped[bool] = mapped_column(Boolean, default=False)
    # The status of new ideas (exactly one).
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reaching it closes the loop: author and voters told, points, the changelog.
    is_shipped: Mapped[bool] = mapped_column(Boolean, default=False)

    def name(self, locale: str = "en") -> str:
        return self.name_fr if locale == "fr" and self.name_fr else self.name_en


class IdeaBoard(db.Model):
    """Ideas about one product or product area, optionally gated to an audience."""

    __tablename__ = "idea_boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    description_en: Mapped[str] = mapped_column(String(500), default="")
    description_fr: Mapped[str] = mapped_column(String(500), default="")
    # The product: an interest of kind "product" from the taxonomy, else a free name.
    product_interest_id: Mapped[int | None] = mapped_column(
        ForeignKey("interests.id", ondelete="SET NULL"), index=True
    )
    product: Mapped[str] = mapped_column(String(80), default="")
    # app.members.audience.Audience.to_json(); {} is everyone.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The forum category that holds the ideas' discussion topics (same audience).
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("categories.id", ondelete="SET NULL")
    )
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    idea_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    product_interest: Mapped[Interest | None] = relationship(lazy="joined")

    def name(self, locale: str = "en") -> str:
        return self.name_fr if locale == "fr" and self.name_fr else self.name_en

    def description(self, locale: str = "en") -> str:
        return (
            self.description_fr if locale == "fr" and self.description_fr else self.description_en
        )

    def product_name(self, locale: str = "en") -> str:
        if self.product_interest is not None:
            return self.product_interest.name(locale)
        return self.product or self.name(locale)


class Idea(db.Model):
    __tablename__ = "ideas"
    __table_args__ = (
        # Board page: top (votes), new (created), active (last activity), per status.
        Index("ix_ideas_board_votes", "board_id", "vote_count", "id"),
        Index("ix_ideas_board_created", "board_id", "created_at"),
        Index("ix_ideas_board_activity", "board_id", "last_activity_at"),
        Index("ix_ideas_board_status", "board_id", "status", "vote_count"),
        # Roadmap and changelog.
        Index("ix_ideas_status_changed", "status", "status_changed_at"),
        Index("ix_ideas_shipped_at", "shipped_at"),
        Index("ix_ideas_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("idea_boards.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    body: Mapped[str] = mapped_column(Text)
    # The sanitised rendering, made once on write.
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(40))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Members with a vote; the sum of their importance (1–3) weighs them.
    vote_count: Mapped[int] = mapped_column(Integer, default=0)
    importance_total: Mapped[int] = mapped_column(Integer, default=0)
    comment_count: Mapped[int] = mapped_column(Integer, default=0)
    follower_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"), index=True)
    # The forum topic that holds the discussion (likes, quotes, mentions come with it).
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    board: Mapped[IdeaBoard] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[Member] = relationship(foreign_keys=[author_id], lazy="select")

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class IdeaVote(db.Model):
    """One member's vote on one idea, with who they were when they voted."""

    __tablename__ = "idea_votes"
    __table_args__ = (
        UniqueConstraint("idea_id", "member_id"),
        CheckConstraint("importance IN (1, 2, 3)", name="importance_known"),
        Index("ix_idea_votes_created_at", "created_at"),
        Index("ix_idea_votes_idea_tier", "idea_id", "tier"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    importance: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The snapshot (app.members.audience.snapshot) at vote time.
    tier: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    value_band: Mapped[str] = mapped_column(String(16))
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Set when a merge moved the vote here from another idea (an unmerge moves it back).
    merged_from_idea_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"), index=True)


class IdeaFollow(db.Model):
    """A member follows an idea: told when its status changes."""

    __tablename__ = "idea_follows"
    __table_args__ = (UniqueConstraint("idea_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class IdeaStatusChange(db.Model):
    """A status change with its official response: the idea's public timeline. Append-only."""

    __tablename__ = "idea_status_changes"
    __table_args__ = (
        Index("ix_idea_status_changes_idea", "idea_id", "created_at"),
        Index("ix_idea_status_changes_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    old_status: Mapped[str | None] = mapped_column(String(40))
    new_status: Mapped[str] = mapped_column(String(40))
    response: Mapped[str] = mapped_column(Text, default="")
    response_html: Mapped[str] = mapped_column(Text, default="")
    actor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor: Mapped[Member] = relationship(lazy="joined")
