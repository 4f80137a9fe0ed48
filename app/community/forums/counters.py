"""Recount the forums' stored counters from their rows (`flask counters recount`).

The services keep these counters in the writing transaction (docs/decisions.md "Forums");
this module states the same rules as queries over the rows, compares, and repairs what
differs. The rules:

- post `like_count`: its likes;
- topic `post_count`: its posts not deleted; `highest_post_number`: its highest post
  number, deleted posts included (numbers are never reused); `like_count`: the likes of
  its posts not deleted; `last_posted_at` / `last_poster_id`: the date and author of its
  newest post not deleted (left as they are when every post is deleted);
- category `topic_count`: its topics not deleted; `post_count`: the posts not deleted of
  those topics; `last_topic_id` / `last_posted_at`: its topic not deleted with the latest
  `last_posted_at` (ties: highest id), or none.

A few grouped queries per table, whatever the amount of data; one write per wrong row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select, update

from app.community.forums.models import Category, Post, PostLike, Topic
from app.core.db import unit_of_work
from app.core.time import aware
from app.extensions import db


def _same(stored: Any, actual: Any) -> bool:
    if isinstance(stored, datetime) or isinstance(actual, datetime):
        return aware(stored) == aware(actual)
    return stored == actual


def _show(value: Any) -> str:
    if isinstance(value, datetime):
        return aware(value).isoformat(timespec="seconds")
    return "none" if value is None else str(value)


def _repair(
    model: Any, label: str, stored: dict[int, dict], actual: dict[int, dict], report: list[str]
) -> None:
    """UPDATE each row whose stored values differ from `actual`; describe each change."""
    for row_id in sorted(actual):
        changes = {
            name: value
            for name, value in actual[row_id].items()
            if not _same(stored[row_id][name], value)
        }
        if not changes:
            continue
        for name, value in changes.items():
            report.append(
                f"{label} {row_id} {name}: {_show(stored[row_id][name])} → {_show(value)}"
            )
        db.session.execute(
            update(model).where(model.id == row_id).values(**changes),
            execution_options={"synchronize_session": False},
        )


def _recount_posts(report: list[str]) -> None:
    likes = dict(
        db.session.execute(select(PostLike.post_id, func.count()).group_by(PostLike.post_id)).all()
    )
    # Only posts that have likes, or claim some, can be wrong: the rest hold 0 either way.
    stored = {
        row.id: {"like_count": row.like_count}
        for row in db.session.execute(
            select(Post.id, Post.like_count).where(
                (Post.like_count != 0) | Post.id.in_(select(PostLike.post_id))
            )
        )
    }
    actual = {post_id: {"like_count": likes.get(post_id, 0)} for post_id in stored}
    _repair(Post, "post", stored, actual, report)


def _recount_topics(report: list[str]) -> None:
    # Held and hidden posts are not counted (app.community.forums.services.moderation_state).
    visible = and_(Post.deleted_at.is_(None), Post.moderation_state == "visible")
    totals = {
        row.topic_id: row
        for row in db.session.execute(
            select(
                Post.topic_id,
                func.max(Post.post_number).label("highest"),
                func.count(Post.id).filter(visible).label("posts"),
                func.max(Post.post_number).filter(visible).label("newest"),
            ).group_by(Post.topic_id)
        )
    }
    likes = dict(
        db.session.execute(
            select(Post.topic_id, func.count(PostLike.id))
            .join(PostLike, PostLike.post_id == Post.id)
            .where(visible)
            .group_by(Post.topic_id)
        ).all()
    )
    newest_posts = (
        select(Post.topic_id, func.max(Post.post_number).label("number"))
        .where(visible)
        .group_by(Post.topic_id)
        .subquery()
    )
    last = {
        row.topic_id: row
        for row in db.session.execute(
            select(Post.topic_id, Post.created_at, Post.author_id).join(
                newest_posts,
                and_(
                    Post.topic_id == newest_posts.c.topic_id,
                    Post.post_number == newest_posts.c.number,
                ),
            )
        )
    }
    fields = ("post_count", "highest_post_number", "like_count", "last_posted_at", "last_poster_id")
    stored: dict[int, dict] = {}
    actual: dict[int, dict] = {}
    for row in db.session.execute(select(Topic.id, *(getattr(Topic, f) for f in fields))):
        stored[row.id] = {f: getattr(row, f) for f in fields}
        total = totals.get(row.id)
        actual[row.id] = {
            "post_count": total.posts if total else 0,
            "highest_post_number": total.highest if total else 0,
            "like_count": likes.get(row.id, 0),
        }
        if row.id in last:
            actual[row.id]["last_posted_at"] = last[row.id].created_at
            actual[row.id]["last_poster_id"] = last[row.id].author_id
    _repair(Topic, "topic", stored, actual, report)


def _recount_categories(report: list[str]) -> None:
    alive = and_(Topic.deleted_at.is_(None), Topic.moderation_state == "visible")
    topics = dict(
        db.session.execute(
            select(Topic.category_id, func.count()).where(alive).group_by(Topic.category_id)
        ).all()
    )
    posts = dict(
        db.session.execute(
            select(Topic.category_id, func.count(Post.id))
            .join(Post, Post.topic_id == Topic.id)
            .where(alive, Post.deleted_at.is_(None), Post.moderation_state == "visible")
            .group_by(Topic.category_id)
        ).all()
    )
    ranked = (
        select(
            Topic.category_id,
            Topic.id,
            Topic.last_posted_at,
            func.row_number()
            .over(
                partition_by=Topic.category_id,
                order_by=(Topic.last_posted_at.desc(), Topic.id.desc()),
            )
            .label("rank"),
        )
        .where(alive)
        .subquery()
    )
    latest = {
        row.category_id: row
        for row in db.session.execute(
            select(ranked.c.category_id, ranked.c.id, ranked.c.last_posted_at).where(
                ranked.c.rank == 1
            )
        )
    }
    fields = ("topic_count", "post_count", "last_topic_id", "last_posted_at")
    stored: dict[int, dict] = {}
    actual: dict[int, dict] = {}
    for row in db.session.execute(select(Category.id, *(getattr(Category, f) for f in fields))):
        stored[row.id] = {f: getattr(row, f) for f in fields}
        newest = latest.get(row.id)
        actual[row.id] = {
            "topic_count": topics.get(row.id, 0),
            "post_count": posts.get(row.id, 0),
            "last_topic_id": newest.id if newest else None,
            "last_posted_at": newest.last_posted_at if newest else None,
        }
    _repair(Category, "category", stored, actual, report)


def recount_forum_counters() -> list[str]:
    """Repair every forum counter that differs from the rows, in one unit of work.

    Returns one line per value changed ("topic 12 post_count: 5 → 6"); [] when all agree.
    Posts first, then topics, then categories: each level's "latest" reads the level below
    as repaired.
    """
    report: list[str] = []
    with unit_of_work():
        _recount_posts(report)
        _recount_topics(report)
        db.session.flush()
        _recount_categories(report)
    db.session.expire_all()
    return report
