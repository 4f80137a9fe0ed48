"""Members: accounts, roles, profiles, loyalty standing and interests."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import utcnow
from app.extensions import db

ROLES = ("member", "moderator", "product", "admin")
STAFF_ROLES = frozenset({"moderator", "admin"})
TIERS = ("bronze", "silver", "gold", "platinum")
INTEREST_KINDS = ("product", "theme")


def tier_rank(tier: str | None) -> int:
    """0 for Bronze up to 3 for Platinum; an unknown tier ranks lowest."""
    return TIERS.index(tier) if tier in TIERS else 0


class Member(UserMixin, db.Model):
    __tablename__ = "members"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role_known"),
        CheckConstraint(f"tier IN {TIERS!r}", name="tier_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(30))
    # Discourse's approach: a lower-cased copy carries the case-insensitive uniqueness.
    username_lower: Mapped[str] = mapped_column(String(30), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(60), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(16), default="member", index=True)
    tier: Mapped[str] = mapped_column(String(16), default="bronze", index=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    locale: Mapped[str | None] = mapped_column(String(8))
    email_verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, index=True
    )
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Bumped on password change: every other session and remember-me cookie stops working.
    auth_version: Mapped[int] = mapped_column(Integer, default=1)
    # Activity counters kept by subscribers of community events.
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    likes_received: Mapped[int] = mapped_column(Integer, default=0)
    # Moderation rights, 0-3, recomputed from activity (app.moderation.trust) unless locked.
    trust_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    trust_level_locked: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The end of a silence in force (far future: until lifted), kept by moderation's
    # sanctions so pages show the banner without a query; the sanctions table decides.
    silenced_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The brand's own customer id (shop, CRM), matched by the events API.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Set when the member erased their account: the row stays (posts, ledger) as a pseudonym.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    interests: Mapped[list[Interest]] = relationship(
        secondary="member_interests", order_by="Interest.position", lazy="select"
    )

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_version}"

    @property
    def name(self) -> str:
        return self.display_name or self.username

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def tier_rank(self) -> int:
        return tier_rank(self.tier)

    def __repr__(self) -> str:
        return f"<Member {self.username}>"


class Interest(db.Model):
    """One entry of the brand's taxonomy: a product or a theme members can follow."""

    __tablename__ = "interests"
    __table_args__ = (CheckConstraint(f"kind IN {INTEREST_KINDS!r}", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="theme")
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    description_en: Mapped[str] = mapped_column(String(280), default="")
    description_fr: Mapped[str] = mapped_column(String(280), default="")
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def name(self, locale: str = "en") -> str:
        return self.name_fr if locale == "fr" and self.name_fr else self.name_en

    def description(self, locale: str = "en") -> str:
        return (
            self.description_fr if locale == "fr" and self.description_fr else self.description_en
        )


class MemberInterest(db.Model):
    __tablename__ = "member_interests"
    __table_args__ = (UniqueConstraint("member_id", "interest_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    interest_id: Mapped[int] = mapped_column(
        ForeignKey("interests.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
