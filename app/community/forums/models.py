"""Forum models. Counters shown on lists are stored here and kept by the services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member

POSTS_PER_PAGE = 20
# A post or topic is shown to everyone only when visible; held and hidden ones are shown
# to their author and staff (app.community.forums.services.moderation_state).
MODERATION_STATES = ("visible", "held", "hidden")
TOPICS_PER_PAGE = 30


class Category(db.Model):
    """A forum. Optionally restricted to some roles and/or a minimum loyalty tier."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_en: Mapped[str] = mapped_column(String(80))
    name_fr: Mapped[str] = mapped_column(String(80))
    description_en: Mapped[str] = mapped_column(String(500), default="")
    description_fr: Mapped[str] = mapped_column(String(500), default="")
    colour: Mapped[str] = mapped_column(String(7), default="#b4462f")
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    # Comma-separated roles that may read; NULL: every role (and visitors, unless min_tier).
    allowed_roles: Mapped[str | None] = mapped_column(String(100))
    # 0 = no tier needed; 1 Silver, 2 Gold, 3 Platinum (app.members.models.TIERS ranks).
    min_tier_rank: Mapped[int] = mapped_column(Integer, default=0)
    # Q&A: the asker or staff may mark one reply as the topic's solution.
    qa: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    interest_id: Mapped[int | None] = mapped_column(
        ForeignKey("interests.id", ondelete="SET NULL"), index=True
    )
    # The audience rule's criteria beyond the two columns above (interests, stages, trust):
    # app.members.audience.Audience.to_json(); {} adds nothing.
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    last_posted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_topic_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def name(self, locale: str = "en") -> str:
        return self.name_fr if locale == "fr" and self.name_fr else self.name_en

    def description(self, locale: str = "en") -> str:
        return (
            self.description_fr if locale == "fr" and self.description_fr else self.description_en
        )

    @property
    def is_restricted(self) -> bool:
        return bool(self.allowed_roles) or self.min_tier_rank > 0 or bool(self.audience)


class Topic(db.Model):
    __tablename__ = "topics"
    __table_args__ = (
        # Category page: pinned first, then last activity.
        Index("ix_topics_category_list", "category_id", "pinned", "last_posted_at"),
        # /latest: last activity across readable categories.
        Index("ix_topics_last_posted_at", "last_posted_at"),
        # ?status=solved|unsolved on a category page or /latest, by last activity.
        Index("ix_topics_category_solved", "category_id", "solved", "last_posted_at"),
        # /top (created in the period) and /new (created since).
        Index("ix_topics_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_posted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_poster_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # Posts in the topic, first post included; replies = post_count - 1.
    post_count: Mapped[int] = mapped_column(Integer, default=0)
    highest_post_number: Mapped[int] = mapped_column(Integer, default=0)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    lock_reason: Mapped[str] = mapped_column(String(280), default="")
    # The reply marked as the answer (Q&A categories); `solved` mirrors it for the lists'
    # index. No foreign key: topics and posts would reference each other.
    solution_post_id: Mapped[int | None] = mapped_column(Integer)
    solved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # visible | held (awaiting approval) | hidden (by flags or staff): see MODERATION_STATES.
    moderation_state: Mapped[str] = mapped_column(
        String(16), default="visible", server_default="visible", index=True
    )

    category: Mapped[Category] = relationship(lazy="joined", innerjoin=True)
    author: Mapped[Member] = relationship(foreign_keys=[author_id], lazy="select")
    last_poster: Mapped[Member | None] = relationship(foreign_keys=[last_poster_id], lazy="select")

    @property
    def reply_count(self) -> int:
        return max(0, self.post_count - 1)

    @property
    def page_count(self) -> int:
        return max(1, -(-self.highest_post_number // POSTS_PER_PAGE))


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        UniqueConstraint("topic_id", "post_number"),
        Index("ix_posts_author_created", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    post_number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    body: Mapped[str] = mapped_column(Text)
    # The sanitised rendering, made once on write (never per view).
    body_html: Mapped[str] = mapped_column(Text)
    reply_to_post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    like_count: Mapped[int] = mapped_column(Integer, default=0)
    # {"❤️": 3, "👍": 1}: stored counts of FORUM_REACTIONS, kept under the topic's row lock.
    reaction_counts: Mapped[dict | None] = mapped_column(JSON)
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    moderation_state: Mapped[str] = mapped_column(
        String(16), default="visible", server_default="visible", index=True
    )
    # When the post was first visible to everyone; NULL while it has never been (held since
    # it was written): its approval then announces it as new (PostCreated).
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Why a held or hidden post is not shown: a short code its author sees explained, or
    # the reason staff gave.
    moderation_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    topic: Mapped[Topic] = relationship(lazy="select")
    author: Mapped[Member] = relationship(foreign_keys=[author_id], lazy="select")


class PostRevision(db.Model):
    """The body a post had before an edit. Append-only."""

    __tablename__ = "post_revisions"
    __table_args__ = (UniqueConstraint("post_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(String(200))
    editor_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Why staff changed someone else's post (shown in the post's history); "" otherwise.
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")


class PostLike(db.Model):
    __tablename__ = "post_likes"
    __table_args__ = (UniqueConstraint("post_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PostReaction(db.Model):
    """One reaction (an emoji of FORUM_REACTIONS) of one member on one post."""

    __tablename__ = "post_reactions"
    __table_args__ = (UniqueConstraint("post_id", "member_id", "reaction"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    reaction: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Bookmark(db.Model):
    """A member's bookmark on a post (a topic's bookmark is on its first post)."""

    __tablename__ = "bookmarks"
    __table_args__ = (
        UniqueConstraint("member_id", "post_id"),
        # /bookmarks: newest first; the topic page: this member's bookmarks in the topic.
        Index("ix_bookmarks_member_created", "member_id", "created_at"),
        Index("ix_bookmarks_member_topic", "member_id", "topic_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    # Kept with the post when staff split or merge topics (structure._renumber).
    post_number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TopicFollow(db.Model):
    __tablename__ = "topic_follows"
    __table_args__ = (UniqueConstraint("topic_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TopicReadState(db.Model):
    """How far a member has read a topic (highest post number seen)."""

    __tablename__ = "topic_read_states"
    __table_args__ = (UniqueConstraint("member_id", "topic_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    last_read_post_number: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TopicViewDay(db.Model):
    """One row per topic, viewer and day: a view counts once per member or visitor a day."""

    __tablename__ = "topic_view_days"
    __table_args__ = (UniqueConstraint("topic_id", "viewer_key", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"))
    # "m:<member id>" or "v:<hash of the visitor's address and agent>"
    viewer_key: Mapped[str] = mapped_column(String(40))
    day: Mapped[date] = mapped_column(Date, index=True)


class TopicStructureChange(db.Model):
    """A staff move, merge or split, with what undoing it needs (services/structure.py).

    `details["posts"]` lists `[post id, number before, number after]`; a merge also keeps
    the source topic's counters. `undone_at` is set once, when it is undone.
    """

    __tablename__ = "topic_structure_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # move | merge | split
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id"), index=True)
    target_topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id"), index=True)
    from_category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    to_category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    undone_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
