"""Forum rules: the only code that changes categories, topics, posts, likes and follows.

Every service authorises and validates inside its unit of work before it writes anything,
keeps the stored counters (topic and category post/like counts, last activity) in the same
transaction, and emits its event, dispatched after commit.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.community.forums import access
from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostEdited,
    PostLiked,
    PostRestored,
    PostUnliked,
    TopicCreated,
    TopicFollowed,
)
from app.community.forums.models import (
    Category,
    Post,
    PostLike,
    PostRevision,
    Topic,
    TopicFollow,
    TopicReadState,
)
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied, ServiceError
from app.core.events import emit
from app.core.markup import render_markdown
from app.core.time import aware, utcnow
from app.core.validation import check_bilingual, check_slug, parse_position
from app.extensions import db
from app.members.models import ROLES, TIERS, Member

TITLE_MIN, TITLE_MAX = 5, 200
BODY_MIN, BODY_MAX = 2, 32_000
LOCK_REASON_MAX = 280
DUPLICATE_WINDOW = timedelta(seconds=60)
SLUG_MAX = 80
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class DuplicateSubmission(ServiceError):
    """The same member sent the same text again within a minute: the first one stands."""

    def __init__(self, post: Post) -> None:
        super().__init__(_("You already posted this; here it is."))
        self.post = post


# --- helpers -----------------------------------------------------------------------------


def slugify(title: str) -> str:
    """ASCII, lower-case, dash-separated; `topic` when nothing is left."""
    text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return text[:SLUG_MAX].rstrip("-") or "topic"


def _clean_title(title: str | None) -> str:
    return " ".join((title or "").split())


def _clean_body(body: str | None) -> str:
    return (body or "").replace("\r\n", "\n").strip()


def _title_error(title: str) -> str | None:
    if len(title) < TITLE_MIN:
        return _("Give your topic a title of at least %(n)d characters.", n=TITLE_MIN)
    if len(title) > TITLE_MAX:
        return _(
            "A title has at most %(n)d characters (yours has %(m)d).", n=TITLE_MAX, m=len(title)
        )
    return None


def _body_error(body: str) -> str | None:
    if len(body) < BODY_MIN:
        return _("Write at least %(n)d characters.", n=BODY_MIN)
    if len(body) > BODY_MAX:
        return _(
            "A post has at most %(n)s characters (yours has %(m)s).",
            n=f"{BODY_MAX:,}",
            m=f"{len(body):,}",
        )
    return None


def _require_member(actor: Any) -> None:
    if not access.is_member(actor):
        raise PermissionDenied(_("Log in to take part."))


def _topic_for_write(actor: Any, topic_id: int) -> Topic:
    """The topic, row-locked (PostgreSQL) so post numbers and counters stay consistent."""
    topic = db.session.get(Topic, topic_id, with_for_update=True)
    return access.visible_topic(actor, topic)


def _post_for_write(actor: Any, post_id: int) -> tuple[Post, Topic]:
    post = db.session.get(Post, post_id)
    if post is None:
        raise NotFound()
    topic = _topic_for_write(actor, post.topic_id)
    return post, topic


def _bump_category(category_id: int, **deltas: Any) -> None:
    values = {}
    for name, value in deltas.items():
        column = getattr(Category, name)
        values[name] = column + value if name.endswith("_count") else value
    db.session.execute(
        update(Category).where(Category.id == category_id).values(**values),
        execution_options={"synchronize_session": False},
    )


def _refresh_category_last(category_id: int) -> None:
    """Point the category's "latest" at its most recently active visible topic."""
    row = db.session.execute(
        select(Topic.id, Topic.last_posted_at)
        .where(Topic.category_id == category_id, Topic.deleted_at.is_(None))
        .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
        .limit(1)
    ).first()
    _bump_category(
        category_id,
        last_topic_id=row.id if row else None,
        last_posted_at=row.last_posted_at if row else None,
    )


def _recount_category(category_id: int, **deltas: Any) -> None:
    """Apply count changes, then re-point "latest" (after a delete or a restore)."""
    _bump_category(category_id, **deltas)
    db.session.flush()
    _refresh_category_last(category_id)


def _refresh_topic_last(topic: Topic) -> None:
    """Last activity = the newest visible post (after one was deleted or restored)."""
    row = db.session.execute(
        select(Post.created_at, Post.author_id)
        .where(Post.topic_id == topic.id, Post.deleted_at.is_(None))
        .order_by(Post.post_number.desc())
        .limit(1)
    ).first()
    if row is not None:
        topic.last_posted_at = row.created_at
        topic.last_poster_id = row.author_id


def _duplicate_of(actor: Member, body: str, topic_id: int | None = None) -> Post | None:
    """The member's latest post, if it has this body (and topic) and is under a minute old."""
    last = db.session.scalar(
        select(Post)
        .where(Post.author_id == actor.id, Post.deleted_at.is_(None))
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(1)
    )
    if last is None or last.body != body:
        return None
    if topic_id is not None and last.topic_id != topic_id:
        return None
    if utcnow() - aware(last.created_at) > DUPLICATE_WINDOW:
        return None
    return last


def _mark_read(member_id: int, topic_id: int, post_number: int) -> None:
    """Raise the member's read position to `post_number` (never lower it)."""
    table = TopicReadState.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    greatest = func.greatest if dialect == "postgresql" else func.max
    stmt = insert(table).values(
        member_id=member_id, topic_id=topic_id, last_read_post_number=post_number,
        updated_at=utcnow(),
    )  # fmt: skip
    stmt = stmt.on_conflict_do_update(
        index_elements=["member_id", "topic_id"],
        set_={
            "last_read_post_number": greatest(
                table.c.last_read_post_number, stmt.excluded.last_read_post_number
            ),
            "updated_at": stmt.excluded.updated_at,
        },
    )
    db.session.execute(stmt)


def _new_post(topic: Topic, number: int, actor: Member, body: str, now: Any) -> Post:
    return Post(
        topic_id=topic.id,
        post_number=number,
        author_id=actor.id,
        body=body,
        body_html=render_markdown(body),
        created_at=now,
        revision_count=0,
        like_count=0,
    )


# --- topics and posts --------------------------------------------------------------------


def create_topic(actor: Member, category_id: int, title: str, body: str) -> Topic:
    """A member starts a topic in a category they may read; title 5–200, body 2–32,000."""
    _require_member(actor)
    title, body = _clean_title(title), _clean_body(body)
    with unit_of_work():
        category = db.session.get(Category, category_id)
        if category is None or not access.can_read(actor, category):
            raise NotFound()
        errors = {}
        if problem := _title_error(title):
            errors["title"] = problem
        if problem := _body_error(body):
            errors["body"] = problem
        if errors:
            raise Invalid(errors)
        duplicate = _duplicate_of(actor, body)
        if duplicate is not None and duplicate.post_number == 1 and duplicate.topic.title == title:
            raise DuplicateSubmission(duplicate)
        now = utcnow()
        topic = Topic(
            category_id=category.id,
            author_id=actor.id,
            title=title,
            slug=slugify(title),
            created_at=now,
            last_posted_at=now,
            last_poster_id=actor.id,
            post_count=1,
            highest_post_number=1,
            like_count=0,
            view_count=0,
            pinned=False,
            locked=False,
            lock_reason="",
        )
        db.session.add(topic)
        db.session.flush()
        post = _new_post(topic, 1, actor, body, now)
        db.session.add(post)
        # Discourse's default: you follow the topics you start.
        db.session.add(TopicFollow(topic_id=topic.id, member_id=actor.id, created_at=now))
        db.session.flush()
        _mark_read(actor.id, topic.id, 1)
        _bump_category(
            category.id, topic_count=1, post_count=1, last_posted_at=now, last_topic_id=topic.id
        )
        emit(
            TopicCreated(
                topic_id=topic.id,
                category_id=category.id,
                author_id=actor.id,
                post_id=post.id,
                title=title,
            )
        )
        emit(
            PostCreated(
                post_id=post.id,
                topic_id=topic.id,
                category_id=category.id,
                author_id=actor.id,
                post_number=1,
                reply_to_post_id=None,
            )
        )
    return topic


def reply(actor: Member, topic_id: int, body: str, reply_to_post_id: int | None = None) -> Post:
    """A member replies to a topic they may read; a locked topic takes replies from staff only."""
    _require_member(actor)
    body = _clean_body(body)
    with unit_of_work():
        topic = _topic_for_write(actor, topic_id)
        if topic.deleted_at is not None:
            raise Invalid({"body": _("This topic is deleted: it takes no replies.")})
        if topic.locked and not actor.is_staff:
            raise Invalid({"body": lock_message(topic)})
        if problem := _body_error(body):
            raise Invalid({"body": problem})
        duplicate = _duplicate_of(actor, body, topic_id=topic.id)
        if duplicate is not None:
            raise DuplicateSubmission(duplicate)
        if reply_to_post_id is not None:
            target = db.session.get(Post, reply_to_post_id)
            if target is None or target.topic_id != topic.id:
                reply_to_post_id = None
        now = utcnow()
        number = topic.highest_post_number + 1
        post = _new_post(topic, number, actor, body, now)
        post.reply_to_post_id = reply_to_post_id
        db.session.add(post)
        topic.highest_post_number = number
        topic.post_count = topic.post_count + 1
        topic.last_posted_at = now
        topic.last_poster_id = actor.id
        db.session.flush()
        _mark_read(actor.id, topic.id, number)
        _bump_category(topic.category_id, post_count=1, last_posted_at=now, last_topic_id=topic.id)
        emit(
            PostCreated(
                post_id=post.id,
                topic_id=topic.id,
                category_id=topic.category_id,
                author_id=actor.id,
                post_number=number,
                reply_to_post_id=reply_to_post_id,
            )
        )
    return post


def lock_message(topic: Topic) -> str:
    if topic.lock_reason:
        return _("This topic is locked: %(reason)s", reason=topic.lock_reason)
    return _("This topic is locked: it takes no new replies.")


def may_edit(actor: Any, post: Post) -> bool:
    """Authors edit their own posts; staff edit anyone's (as on Discourse)."""
    return access.is_member(actor) and (actor.id == post.author_id or actor.is_staff)


def may_delete(actor: Any, post: Post) -> bool:
    return may_edit(actor, post)


def edit_post(actor: Member, post_id: int, body: str, title: str | None = None) -> Post:
    """The author (or staff) edits a post; the previous text is kept as a revision.

    `title` is only read for a topic's first post. An edit that changes nothing writes
    nothing.
    """
    _require_member(actor)
    body = _clean_body(body)
    with unit_of_work():
        post, topic = _post_for_write(actor, post_id)
        if not may_edit(actor, post):
            raise PermissionDenied(_("You can only edit your own posts."))
        if post.deleted_at is not None:
            raise Invalid({"body": _("This post is deleted. Restore it before editing it.")})
        errors = {}
        new_title = topic.title
        if post.post_number == 1 and title is not None:
            new_title = _clean_title(title)
            if problem := _title_error(new_title):
                errors["title"] = problem
        if problem := _body_error(body):
            errors["body"] = problem
        if errors:
            raise Invalid(errors)
        title_changed = new_title != topic.title
        if body == post.body and not title_changed:
            return post
        now = utcnow()
        number = post.revision_count + 1
        db.session.add(
            PostRevision(
                post_id=post.id,
                number=number,
                body=post.body,
                title=topic.title if post.post_number == 1 else None,
                editor_id=actor.id,
                created_at=now,
            )
        )
        post.body = body
        post.body_html = render_markdown(body)
        post.edited_at = now
        post.revision_count = number
        if title_changed:
            topic.title = new_title
            topic.slug = slugify(new_title)
        emit(
            PostEdited(
                post_id=post.id,
                topic_id=topic.id,
                editor_id=actor.id,
                author_id=post.author_id,
                revision_number=number,
                title_changed=title_changed,
            )
        )
    return post


def delete_post(actor: Member, post_id: int) -> Post:
    """Soft delete by the author or staff; deleting the first post deletes the topic."""
    _require_member(actor)
    with unit_of_work():
        post, topic = _post_for_write(actor, post_id)
        if not may_delete(actor, post):
            raise PermissionDenied(_("You can only delete your own posts."))
        if post.deleted_at is not None:
            raise Invalid(_("This post is already deleted."))
        now = utcnow()
        post.deleted_at = now
        post.deleted_by_id = actor.id
        topic.post_count = topic.post_count - 1
        topic.like_count = topic.like_count - post.like_count
        topic_deleted = post.post_number == 1 and topic.deleted_at is None
        if topic_deleted:
            topic.deleted_at = now
            topic.deleted_by_id = actor.id
            # The topic leaves the category with every post it still shows.
            _recount_category(topic.category_id, topic_count=-1, post_count=-(topic.post_count + 1))
        else:
            db.session.flush()
            _refresh_topic_last(topic)
            if topic.deleted_at is None:
                _recount_category(topic.category_id, post_count=-1)
        emit(
            PostDeleted(
                post_id=post.id,
                topic_id=topic.id,
                actor_id=actor.id,
                author_id=post.author_id,
                topic_deleted=topic_deleted,
            )
        )
    return post


def restore_post(actor: Member, post_id: int) -> Post:
    """Staff undo a delete; restoring a deleted topic's first post restores the topic."""
    _require_member(actor)
    if not actor.is_staff:
        raise PermissionDenied(_("Only the community team can restore posts."))
    with unit_of_work():
        post, topic = _post_for_write(actor, post_id)
        if post.deleted_at is None:
            raise Invalid(_("This post is not deleted."))
        post.deleted_at = None
        post.deleted_by_id = None
        topic.post_count = topic.post_count + 1
        topic.like_count = topic.like_count + post.like_count
        topic_restored = post.post_number == 1 and topic.deleted_at is not None
        db.session.flush()
        _refresh_topic_last(topic)
        if topic_restored:
            topic.deleted_at = None
            topic.deleted_by_id = None
            _recount_category(topic.category_id, topic_count=1, post_count=topic.post_count)
        elif topic.deleted_at is None:
            _recount_category(topic.category_id, post_count=1)
        emit(
            PostRestored(
                post_id=post.id,
                topic_id=topic.id,
                actor_id=actor.id,
                author_id=post.author_id,
                topic_restored=topic_restored,
            )
        )
    return post


def toggle_like(actor: Member, post_id: int) -> tuple[bool, int]:
    """One like per member and post, never on one's own or a deleted post; a second call
    takes the like back. Returns (liked, the post's like count)."""
    _require_member(actor)
    with unit_of_work():
        # Locked for the transaction (PostgreSQL), so two clicks in the same instant
        # toggle one after the other instead of both inserting a like.
        post = db.session.get(Post, post_id, with_for_update=True)
        if post is None:
            raise NotFound()
        topic = access.visible_topic(actor, post.topic)
        if post.deleted_at is not None or topic.deleted_at is not None:
            raise Invalid(_("You cannot like a deleted post."))
        if post.author_id == actor.id:
            raise Invalid(_("You cannot like your own post."))
        existing = db.session.scalar(
            select(PostLike.id).where(PostLike.post_id == post.id, PostLike.member_id == actor.id)
        )
        delta = -1 if existing else 1
        if existing:
            db.session.execute(delete(PostLike).where(PostLike.id == existing))
        else:
            db.session.add(PostLike(post_id=post.id, member_id=actor.id, created_at=utcnow()))
        post.like_count = Post.like_count + delta
        topic.like_count = Topic.like_count + delta
        db.session.flush()
        db.session.refresh(post, ["like_count"])
        event = PostUnliked if existing else PostLiked
        emit(
            event(
                post_id=post.id,
                topic_id=topic.id,
                member_id=actor.id,
                post_author_id=post.author_id,
            )
        )
        liked, count = not existing, post.like_count
    return liked, count


def toggle_follow(actor: Member, topic_id: int) -> bool:
    """A member follows a topic they may read, or stops following it. Returns following."""
    _require_member(actor)
    with unit_of_work():
        topic = access.get_topic(actor, topic_id)
        existing = db.session.scalar(
            select(TopicFollow.id).where(
                TopicFollow.topic_id == topic.id, TopicFollow.member_id == actor.id
            )
        )
        if existing:
            db.session.execute(delete(TopicFollow).where(TopicFollow.id == existing))
        else:
            db.session.add(TopicFollow(topic_id=topic.id, member_id=actor.id, created_at=utcnow()))
        emit(TopicFollowed(topic_id=topic.id, member_id=actor.id, following=not existing))
    return not existing


def _require_staff(actor: Any, message: str) -> None:
    _require_member(actor)
    if not actor.is_staff:
        raise PermissionDenied(message)


def set_pinned(actor: Member, topic_id: int, pinned: bool) -> Topic:
    """Staff pin a topic to the top of its category, or unpin it."""
    _require_staff(actor, _("Only the community team can pin topics."))
    with unit_of_work():
        topic = _topic_for_write(actor, topic_id)
        topic.pinned = bool(pinned)
    return topic


def set_locked(actor: Member, topic_id: int, locked: bool, reason: str = "") -> Topic:
    """Staff lock a topic (no more replies, with the reason shown) or unlock it."""
    _require_staff(actor, _("Only the community team can lock topics."))
    reason = " ".join((reason or "").split())
    with unit_of_work():
        topic = _topic_for_write(actor, topic_id)
        if locked and len(reason) > LOCK_REASON_MAX:
            raise Invalid(
                {"reason": _("At most %(n)d characters (you wrote %(m)d).", n=280, m=len(reason))}
            )
        topic.locked = bool(locked)
        topic.lock_reason = reason if locked else ""
    return topic


# --- categories --------------------------------------------------------------------------


def _validate_category(data: dict, category_id: int | None) -> dict:
    errors: dict[str, str] = {}
    roles = [r for r in (data.get("allowed_roles") or []) if r]
    clean: dict[str, Any] = {
        "slug": (data.get("slug") or "").strip().lower(),
        "name_en": (data.get("name_en") or "").strip(),
        "name_fr": (data.get("name_fr") or "").strip(),
        "description_en": (data.get("description_en") or "").strip(),
        "description_fr": (data.get("description_fr") or "").strip(),
        "colour": (data.get("colour") or "").strip().lower(),
        "position": data.get("position"),
        "allowed_roles": ",".join(r for r in ROLES if r in roles) or None,
        "min_tier_rank": data.get("min_tier_rank") or 0,
        "interest_id": data.get("interest_id") or None,
    }
    check_slug(
        errors,
        clean["slug"],
        Category.slug,
        Category.id,
        category_id,
        _("Another category already uses this slug."),
    )
    check_bilingual(errors, clean, description_max=500)
    if not COLOUR_RE.match(clean["colour"]):
        errors["colour"] = _("A colour such as #b4462f.")
    if set(roles) - set(ROLES):
        errors["allowed_roles"] = _("Choose roles from the list.")
    try:
        clean["min_tier_rank"] = int(clean["min_tier_rank"])
        if not 0 <= clean["min_tier_rank"] < len(TIERS):
            raise ValueError
    except (TypeError, ValueError):
        errors["min_tier_rank"] = _("Choose a tier from the list.")
    if clean["position"] in (None, ""):
        clean["position"] = None
    else:
        clean["position"] = parse_position(errors, clean["position"])
    if errors:
        raise Invalid(errors)
    return clean


def save_category(actor: Member, data: dict, category_id: int | None = None) -> Category:
    """Admins add or edit categories: unique slug, names in EN and FR, a #rrggbb colour."""
    _require_member(actor)
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators manage categories."))
    with unit_of_work():
        clean = _validate_category(data, category_id)
        if clean["position"] is None:
            if category_id is None:
                highest = db.session.scalar(select(func.max(Category.position)))
                clean["position"] = (highest or 0) + 10
            else:
                clean.pop("position")
        if category_id is None:
            category = Category(topic_count=0, post_count=0, created_at=utcnow(), **clean)
            db.session.add(category)
        else:
            category = db.session.get(Category, category_id)
            if category is None:
                raise NotFound()
            for key, value in clean.items():
                setattr(category, key, value)
    access.forget_categories()
    return category
