"""Forum structure: staff move a topic, merge two topics, split replies into a new topic.

Every change is recorded as a `TopicStructureChange` holding what it needs to be undone
exactly (the posts' former topics and numbers, the counters the topics had), so moderation
stays reversible: `undo_change` puts each post back where it was. Counters are kept in the
same transaction, by the forums' rules (docs/decisions.md "Forums"): a post counts in its
topic and category when it is neither deleted nor held or hidden; a topic counts in its
category when it is neither deleted nor held. Topics are row-locked in id order, so two
staff moving the same posts at once queue instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select, update

from app.community.forums import access
from app.community.forums.events import (
    TopicMoved,
    TopicsMerged,
    TopicSplit,
    TopicStructureUndone,
)
from app.community.forums.models import (
    Bookmark,
    Category,
    Post,
    Topic,
    TopicFollow,
    TopicStructureChange,
)
from app.community.forums.services.base import (
    clean_title,
    recount_category,
    refresh_topic_last,
    require_staff,
    slugify,
    title_error,
    topic_lock_statement,
)
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound
from app.core.events import emit
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member

REASON_MAX = 500
SPLIT_MAX_POSTS = 500


def counts(post: Post) -> bool:
    """A post counts in its topic's and category's numbers: not deleted, not held/hidden."""
    return post.deleted_at is None and getattr(post, "moderation_state", "visible") == "visible"


def topic_counts(topic: Topic) -> bool:
    """A topic counts in its category's numbers: not deleted, neither held nor hidden."""
    return topic.deleted_at is None and getattr(topic, "moderation_state", "visible") == "visible"


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise Invalid(
            {
                "reason": _(
                    "At most %(n)d characters (you wrote %(m)d).", n=REASON_MAX, m=len(reason)
                )
            }
        )
    return reason


def _lock_topics(actor: Any, *topic_ids: int) -> dict[int, Topic]:
    """The topics, row-locked in id order (no deadlock between two staff); 404 if unseen."""
    found = {}
    for topic_id in sorted(set(topic_ids)):
        topic = db.session.scalars(topic_lock_statement(topic_id)).unique().one_or_none()
        found[topic_id] = access.visible_topic(actor, topic)
    return found


def _posts_of(topic_id: int) -> list[Post]:
    return list(
        db.session.scalars(
            select(Post)
            .where(Post.topic_id == topic_id)
            .order_by(Post.post_number)
            .execution_options(populate_existing=True)
        )
    )


def _highest_number(topic_id: int) -> int:
    return (
        db.session.scalar(select(func.max(Post.post_number)).where(Post.topic_id == topic_id)) or 0
    )


def _tally(posts: Iterable[Post]) -> tuple[int, int]:
    """(posts that count, their likes)."""
    counted = [p for p in posts if counts(p)]
    return len(counted), sum(p.like_count for p in counted)


def _renumber(posts: Sequence[Post], topic: Topic, numbers: Sequence[int]) -> None:
    """Give each post its new topic and number. Two passes through negative numbers, so no
    intermediate state breaks the (topic_id, post_number) unique constraint."""
    for post in posts:
        post.post_number = -post.id
    db.session.flush()
    for post, number in zip(posts, numbers, strict=True):
        post.topic_id = topic.id
        post.post_number = number
    db.session.flush()
    # Bookmarks keep their post's topic and number (the /bookmarks link, the topic page's
    # marks): they follow the post, or a member's list would link to the old place.
    bookmarks = Bookmark.__table__
    if posts:
        db.session.execute(
            update(bookmarks)
            .where(bookmarks.c.post_id == bindparam("moved_id"))
            .values(topic_id=bindparam("new_topic"), post_number=bindparam("new_number")),
            [
                {"moved_id": post.id, "new_topic": topic.id, "new_number": number}
                for post, number in zip(posts, numbers, strict=True)
            ],
        )
    for post in posts:
        db.session.expire(post, ["topic"])


def _category(actor: Any, category_id: int | None) -> Category:
    category = db.session.get(Category, category_id) if category_id else None
    if category is None or not access.can_read(actor, category):
        raise Invalid({"category_id": _("Choose a category.")})
    return category


def _record(actor: Member, kind: str, reason: str, **fields: Any) -> TopicStructureChange:
    change = TopicStructureChange(
        kind=kind, actor_id=actor.id, reason=reason, created_at=utcnow(), **fields
    )
    db.session.add(change)
    db.session.flush()
    return change


def move_topic(
    actor: Member, topic_id: int, category_id: int, reason: str = ""
) -> TopicStructureChange:
    """Staff move a topic to another category; both categories' counts follow it."""
    require_staff(actor, _("Only the community team can move topics."))
    reason = _clean_reason(reason)
    with unit_of_work():
        topic = _lock_topics(actor, topic_id)[topic_id]
        target = _category(actor, category_id)
        if target.id == topic.category_id:
            raise Invalid({"category_id": _("The topic is already in this category.")})
        source_id = topic.category_id
        change = _record(
            actor,
            "move",
            reason,
            topic_id=topic.id,
            from_category_id=source_id,
            to_category_id=target.id,
            details={},
        )
        _move_between_categories(topic, source_id, target.id)
        emit(
            TopicMoved(
                topic_id=topic.id,
                from_category_id=source_id,
                to_category_id=target.id,
                actor_id=actor.id,
                change_id=change.id,
                reason=reason,
            )
        )
    return change


def _move_between_categories(topic: Topic, source_id: int, target_id: int) -> None:
    topic.category_id = target_id
    db.session.flush()
    db.session.expire(topic, ["category"])
    if topic_counts(topic):
        recount_category(source_id, topic_count=-1, post_count=-topic.post_count)
        recount_category(target_id, topic_count=1, post_count=topic.post_count)


def merge_topics(
    actor: Member, source_id: int, target_id: int, reason: str = ""
) -> TopicStructureChange:
    """Staff merge a topic into another: its posts follow the target's, in their order, and
    the emptied source topic is closed (deleted), remembering everything needed to undo."""
    require_staff(actor, _("Only the community team can merge topics."))
    reason = _clean_reason(reason)
    if source_id == target_id:
        raise Invalid({"target_id": _("Choose another topic to merge into.")})
    with unit_of_work():
        topics = _lock_topics(actor, source_id, target_id)
        source, target = topics[source_id], topics[target_id]
        if source.deleted_at is not None:
            raise Invalid({"target_id": _("This topic is deleted: restore it first.")})
        if target.deleted_at is not None:
            raise Invalid({"target_id": _("The topic to merge into is deleted.")})
        posts = _posts_of(source.id)
        base = target.highest_post_number
        moved, likes = _tally(posts)
        source_counted = topic_counts(source)
        details = {
            "posts": [[p.id, p.post_number, base + i] for i, p in enumerate(posts, 1)],
            "source": {
                "post_count": source.post_count,
                "like_count": source.like_count,
                "highest_post_number": source.highest_post_number,
                "title": source.title,
            },
        }
        change = _record(
            actor,
            "merge",
            reason,
            topic_id=source.id,
            target_topic_id=target.id,
            from_category_id=source.category_id,
            to_category_id=target.category_id,
            details=details,
        )
        _renumber(posts, target, [base + i for i in range(1, len(posts) + 1)])
        target.highest_post_number = base + len(posts)
        target.post_count += moved
        target.like_count += likes
        refresh_topic_last(target)
        now = utcnow()
        source.post_count = 0
        source.like_count = 0
        source.highest_post_number = 0
        source.deleted_at = now
        source.deleted_by_id = actor.id
        db.session.flush()
        if source_counted:
            recount_category(source.category_id, topic_count=-1, post_count=-moved)
        if topic_counts(target):
            recount_category(target.category_id, post_count=moved)
        emit(
            TopicsMerged(
                source_topic_id=source.id,
                target_topic_id=target.id,
                actor_id=actor.id,
                change_id=change.id,
                post_ids=tuple(p.id for p in posts),
                reason=reason,
            )
        )
    return change


def split_posts(
    actor: Member,
    topic_id: int,
    post_ids: Iterable[int],
    title: str,
    category_id: int | None = None,
    reason: str = "",
) -> TopicStructureChange:
    """Staff move some replies of a topic into a new topic (title 5–200, in the same or
    another category). The first post stays: splitting it would leave a topic without its
    question. The new topic's first post must be one everybody sees."""
    require_staff(actor, _("Only the community team can split topics."))
    reason = _clean_reason(reason)
    title = clean_title(title)
    wanted = sorted({int(i) for i in post_ids})
    errors = {}
    if problem := title_error(title):
        errors["title"] = problem
    if not wanted:
        errors["post_ids"] = _("Choose at least one reply to move.")
    elif len(wanted) > SPLIT_MAX_POSTS:
        errors["post_ids"] = _("At most %(n)d replies at once.", n=SPLIT_MAX_POSTS)
    with unit_of_work():
        source = _lock_topics(actor, topic_id)[topic_id]
        category = _category(actor, category_id or source.category_id)
        if source.deleted_at is not None:
            errors["post_ids"] = _("This topic is deleted: restore it first.")
        if errors:
            raise Invalid(errors)
        posts = list(
            db.session.scalars(
                select(Post)
                .where(Post.topic_id == source.id, Post.id.in_(wanted))
                .order_by(Post.post_number)
                .execution_options(populate_existing=True)
            )
        )
        if len(posts) != len(wanted):
            raise Invalid({"post_ids": _("Some of these posts are not in this topic.")})
        if any(p.post_number == 1 for p in posts):
            raise Invalid({"post_ids": _("The first post stays with its topic: choose replies.")})
        if not counts(posts[0]):
            raise Invalid({"post_ids": _("The new topic must start with a post everyone can see.")})
        first = posts[0]
        moved, likes = _tally(posts)
        new = Topic(
            category_id=category.id,
            author_id=first.author_id,
            title=title,
            slug=slugify(title),
            created_at=first.created_at,
            last_posted_at=first.created_at,
            last_poster_id=first.author_id,
            post_count=moved,
            highest_post_number=len(posts),
            like_count=likes,
            view_count=0,
            pinned=False,
            locked=False,
            lock_reason="",
        )
        db.session.add(new)
        db.session.flush()
        change = _record(
            actor,
            "split",
            reason,
            topic_id=source.id,
            target_topic_id=new.id,
            from_category_id=source.category_id,
            to_category_id=category.id,
            details={
                "posts": [[p.id, p.post_number, i] for i, p in enumerate(posts, 1)],
                "title": title,
            },
        )
        _renumber(posts, new, list(range(1, len(posts) + 1)))
        refresh_topic_last(new)
        # The question's solution went with the split: the question is unsolved again (the
        # lists said "Solved" with no answer to show); undo marks it again.
        if source.solution_post_id in {p.id for p in posts}:
            change.details = {**change.details, "solution_post_id": source.solution_post_id}
            source.solution_post_id = None
            source.solved = False
        # As when starting a topic, the author of its first post follows it.
        if not db.session.scalar(
            select(TopicFollow.id).where(
                TopicFollow.topic_id == new.id, TopicFollow.member_id == first.author_id
            )
        ):
            db.session.add(
                TopicFollow(topic_id=new.id, member_id=first.author_id, created_at=utcnow())
            )
        source.post_count -= moved
        source.like_count -= likes
        source.highest_post_number = _highest_number(source.id)
        refresh_topic_last(source)
        db.session.flush()
        if topic_counts(source):
            recount_category(source.category_id, post_count=-moved)
        recount_category(category.id, topic_count=1, post_count=moved)
        emit(
            TopicSplit(
                source_topic_id=source.id,
                new_topic_id=new.id,
                category_id=category.id,
                actor_id=actor.id,
                change_id=change.id,
                post_ids=tuple(p.id for p in posts),
                reason=reason,
            )
        )
    return change


def undo_change(actor: Member, change_id: int) -> TopicStructureChange:
    """Staff undo a move, merge or split: each post goes back to its topic and number.

    Refused, with the reason, when what came after makes it impossible (the posts moved
    again, or the split-off topic has replies of its own): nothing is half undone.
    """
    require_staff(actor, _("Only the community team can undo this."))
    with unit_of_work():
        change = db.session.get(
            TopicStructureChange, change_id, with_for_update=True, populate_existing=True
        )
        if change is None:
            raise NotFound()
        if change.undone_at is not None:
            raise Invalid(_("This change is already undone."))
        topic_ids = [change.topic_id] + ([change.target_topic_id] if change.target_topic_id else [])
        topics = _lock_topics(actor, *topic_ids)
        if change.kind == "move":
            _undo_move(change, topics[change.topic_id])
        elif change.kind == "merge":
            _undo_merge(actor, change, topics[change.topic_id], topics[change.target_topic_id])
        else:
            _undo_split(actor, change, topics[change.topic_id], topics[change.target_topic_id])
        change.undone_at = utcnow()
        change.undone_by_id = actor.id
        emit(
            TopicStructureUndone(
                change_id=change.id,
                kind=change.kind,
                actor_id=actor.id,
                topic_ids=tuple(topic_ids),
            )
        )
    return change


def _undo_move(change: TopicStructureChange, topic: Topic) -> None:
    if topic.category_id != change.to_category_id:
        raise Invalid(_("The topic has moved again since: move it from where it is now."))
    _move_between_categories(topic, change.to_category_id, change.from_category_id)


def _moved_posts(change: TopicStructureChange, holder: Topic) -> tuple[list[Post], list[int]]:
    """The change's posts, checked to be still where it put them, and their former numbers."""
    rows = change.details.get("posts", [])
    by_id = {
        p.id: p
        for p in db.session.scalars(
            select(Post)
            .where(Post.id.in_([r[0] for r in rows]))
            .execution_options(populate_existing=True)
        )
    }
    posts, numbers = [], []
    for post_id, old_number, new_number in rows:
        post = by_id.get(post_id)
        if post is None or post.topic_id != holder.id or post.post_number != new_number:
            raise Invalid(_("Some of these posts have moved since: this cannot be undone."))
        posts.append(post)
        numbers.append(old_number)
    return posts, numbers


def _undo_merge(actor: Member, change: TopicStructureChange, source: Topic, target: Topic) -> None:
    posts, numbers = _moved_posts(change, target)
    moved, likes = _tally(posts)
    _renumber(posts, source, numbers)
    target.post_count -= moved
    target.like_count -= likes
    target.highest_post_number = _highest_number(target.id)
    refresh_topic_last(target)
    before = change.details.get("source", {})
    source.post_count = moved
    source.like_count = likes
    source.highest_post_number = max(before.get("highest_post_number", 0), max(numbers, default=0))
    source.deleted_at = None
    source.deleted_by_id = None
    refresh_topic_last(source)
    db.session.flush()
    if topic_counts(target):
        recount_category(target.category_id, post_count=-moved)
    if topic_counts(source):
        recount_category(source.category_id, topic_count=1, post_count=moved)


def _undo_split(actor: Member, change: TopicStructureChange, source: Topic, new: Topic) -> None:
    posts, numbers = _moved_posts(change, new)
    others = db.session.scalar(
        select(func.count())
        .select_from(Post)
        .where(Post.topic_id == new.id, Post.id.not_in([p.id for p in posts]))
    )
    if others:
        raise Invalid(_("The new topic has replies of its own since: merge it back instead."))
    moved, likes = _tally(posts)
    new_counted = topic_counts(new)
    _renumber(posts, source, numbers)
    solution_id = change.details.get("solution_post_id")
    if solution_id and source.solution_post_id is None:
        source.solution_post_id = solution_id
        source.solved = True
    source.post_count += moved
    source.like_count += likes
    source.highest_post_number = max(source.highest_post_number, max(numbers, default=0))
    refresh_topic_last(source)
    # The emptied topic is closed, never removed: links to it still lead somewhere.
    new.post_count = 0
    new.like_count = 0
    new.highest_post_number = 0
    new.deleted_at = utcnow()
    new.deleted_by_id = actor.id
    db.session.flush()
    if new_counted:
        recount_category(new.category_id, topic_count=-1, post_count=-moved)
    if topic_counts(source):
        recount_category(source.category_id, post_count=moved)
