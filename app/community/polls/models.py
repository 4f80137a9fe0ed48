"""Co-design polls: the poll, its options, one answer per member (with the answerer's
snapshot), the options an answer chose, and the quota cells that cap answers per group."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import aware, utcnow
from app.extensions import db

POLL_KINDS = ("single", "multiple", "number", "ranked")
# Who sees the results: everyone at once, those who answered, everyone after the close,
# or the product team and admins only.
RESULTS_VISIBILITY = ("always", "after_vote", "after_close", "staff")
# Members outside the poll's audience see it read-only, or not at all (404).
OUTSIDERS = ("read_only", "hidden")
# Attributes of the answerer's snapshot that quotas and re-weighting work on.
CELL_ATTRIBUTES = ("tier", "stage", "value_band")
MAX_OPTIONS = 12


class Poll(db.Model):
    """A co-design poll by the product team or an admin. Texts in English, French optional
    (English is shown when the French is empty)."""

    __tablename__ = "polls"
    __table_args__ = (
        CheckConstraint(f"kind IN {POLL_KINDS!r}", name="kind_known"),
        CheckConstraint(f"results_visibility IN {RESULTS_VISIBILITY!r}", name="results_known"),
        CheckConstraint(f"outsiders IN {OUTSIDERS!r}", name="outsiders_known"),
        Index("ix_polls_opens_at", "opens_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str] = mapped_column(String(200))
    title_fr: Mapped[str] = mapped_column(String(200), default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_fr: Mapped[str] = mapped_column(Text, default="")
    description_html_en: Mapped[str] = mapped_column(Text, default="")
    description_html_fr: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="single")
    # Multiple choice: how many options an answer picks; ranked: how many it ranks.
    min_choices: Mapped[int] = mapped_column(Integer, default=1)
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    # Number or scale answers.
    number_min: Mapped[float | None] = mapped_column(Float)
    number_max: Mapped[float | None] = mapped_column(Float)
    number_step: Mapped[float | None] = mapped_column(Float)
    min_label_en: Mapped[str] = mapped_column(String(80), default="")
    min_label_fr: Mapped[str] = mapped_column(String(80), default="")
    max_label_en: Mapped[str] = mapped_column(String(80), default="")
    max_label_fr: Mapped[str] = mapped_column(String(80), default="")
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    outsiders: Mapped[str] = mapped_column(String(16), default="read_only")
    results_visibility: Mapped[str] = mapped_column(String(16), default="after_vote")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=True)
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Closed early by the product team (closes_at is then set to this moment as well).
    closed_early_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    quota_attribute: Mapped[str | None] = mapped_column(String(16))
    weight_attribute: Mapped[str] = mapped_column(String(16), default="tier")
    # Where the poll is embedded (shown under the topic's first post or on the idea).
    topic_id: Mapped[int | None] = mapped_column(
        ForeignKey("topics.id", ondelete="SET NULL"), index=True
    )
    idea_id: Mapped[int | None] = mapped_column(
        ForeignKey("ideas.id", ondelete="SET NULL"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    answer_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    options: Mapped[list[PollOption]] = relationship(
        order_by="PollOption.position, PollOption.id",
        back_populates="poll",
        cascade="all, delete-orphan",
    )

    def title(self, locale: str = "en") -> str:
        return (self.title_fr if locale == "fr" and self.title_fr else "") or self.title_en

    def description_html(self, locale: str = "en") -> str:
        if locale == "fr" and self.description_fr:
            return self.description_html_fr
        return self.description_html_en

    def min_label(self, locale: str = "en") -> str:
        return (self.min_label_fr if locale == "fr" else "") or self.min_label_en

    def max_label(self, locale: str = "en") -> str:
        return (self.max_label_fr if locale == "fr" else "") or self.max_label_en

    def state(self, now: datetime | None = None) -> str:
        """`scheduled`, `open` or `closed` at `now`."""
        now = now or utcnow()
        if aware(self.opens_at) > now:
            return "scheduled"
        if self.closes_at is not None and aware(self.closes_at) <= now:
            return "closed"
        return "open"

    @property
    def uses_options(self) -> bool:
        return self.kind != "number"


class PollOption(db.Model):
    __tablename__ = "poll_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    label_en: Mapped[str] = mapped_column(String(200))
    label_fr: Mapped[str] = mapped_column(String(200), default="")
    # An image already uploaded to the club (a same-site path such as /uploads/...).
    image_url: Mapped[str | None] = mapped_column(String(500))
    image_alt_en: Mapped[str] = mapped_column(String(200), default="")
    image_alt_fr: Mapped[str] = mapped_column(String(200), default="")

    poll: Mapped[Poll] = relationship(back_populates="options")

    def label(self, locale: str = "en") -> str:
        return (self.label_fr if locale == "fr" and self.label_fr else "") or self.label_en

    def image_alt(self, locale: str = "en") -> str:
        return (self.image_alt_fr if locale == "fr" else "") or self.image_alt_en


class PollAnswer(db.Model):
    """One member's answer, with who they were when they answered (tier, lifecycle stage,
    value band, interests). The member id is kept on anonymous polls too, for one answer
    per member only: anonymous answers are never shown with a name, to anyone."""

    __tablename__ = "poll_answers"
    __table_args__ = (
        UniqueConstraint("poll_id", "member_id", name="uq_poll_answers_poll_member"),
        Index("ix_poll_answers_poll_tier", "poll_id", "tier"),
        Index("ix_poll_answers_poll_created", "poll_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    number_value: Mapped[float | None] = mapped_column(Float)
    tier: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    value_band: Mapped[str] = mapped_column(String(16))
    interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PollChoice(db.Model):
    """An option an answer picked; `rank` (1 = first) for ranked polls."""

    __tablename__ = "poll_choices"
    __table_args__ = (
        UniqueConstraint("answer_id", "option_id", name="uq_poll_choices_answer_option"),
        Index("ix_poll_choices_poll_option", "poll_id", "option_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("poll_answers.id", ondelete="CASCADE"))
    poll_id: Mapped[int] = mapped_column(ForeignKey("polls.id", ondelete="CASCADE"))
    option_id: Mapped[int] = mapped_column(ForeignKey("poll_options.id", ondelete="CASCADE"))
    rank: Mapped[int | None] = mapped_column(Integer)


class PollQuotaCell(db.Model):
    """At most `capacity` answers from members whose `poll.quota_attribute` is `value`.
    `filled` is raised by a conditional UPDATE (`... WHERE filled < capacity`), so two
    answers at once can never overfill a cell."""

    __tablename__ = "poll_quota_cells"
    __table_args__ = (CheckConstraint("filled <= capacity", name="within_capacity"),)

    poll_id: Mapped[int] = mapped_column(
        ForeignKey("polls.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(16), primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    filled: Mapped[int] = mapped_column(Integer, default=0)
