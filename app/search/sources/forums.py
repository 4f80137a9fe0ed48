"""Forum posts as search documents, read through the forums' models and readability rule.

A topic's first post is a `topic` document (the topic's title, weighted, and its body);
every other post is a `reply` document (body only; its line shows the topic's title).
A post leaves the index when it or its topic is deleted. Visibility is the category
(`category:<id>`): who may read a category is decided at query time by
`access.readable_category_ids`, so changing a category's roles or tier needs no reindex.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.community.forums import access, queries
from app.community.forums.models import Post, Topic
from app.extensions import db
from app.members.models import Member
from app.search.analysis import plain_text
from app.search.documents import Document, Shown, Source

NAME = "post"


def _scope(category_id: int) -> str:
    return f"category:{category_id}"


def build(ids: list[int]) -> dict[int, Document | None]:
    rows = db.session.execute(
        select(
            Post,
            Topic.title,
            Topic.category_id,
            Topic.deleted_at,
            Topic.moderation_state,
            Member.username,
        )
        .join(Topic, Topic.id == Post.topic_id)
        .join(Member, Member.id == Post.author_id)
        .where(Post.id.in_(ids))
    ).all()
    out: dict[int, Document | None] = {}
    for post, title, category_id, topic_deleted_at, topic_state, username in rows:
        # Held and hidden posts (and topics) stay out of the index until visible.
        hidden = post.moderation_state != "visible" or topic_state != "visible"
        if post.deleted_at is not None or topic_deleted_at is not None or hidden:
            out[post.id] = None
            continue
        first = post.post_number == 1
        out[post.id] = Document(
            key=f"{NAME}:{post.id}",
            type="topic" if first else "reply",
            doc_id=post.id,
            parent_id=post.topic_id,
            title=title if first else "",
            body=plain_text(post.body),
            author=username.lower(),
            author_id=post.author_id,
            place=_scope(category_id),
            visibility=_scope(category_id),
            created=post.created_at,
        )
    return out


def ids_after(last_id: int, limit: int) -> list[int]:
    return list(
        db.session.scalars(select(Post.id).where(Post.id > last_id).order_by(Post.id).limit(limit))
    )


def scopes(viewer: Any) -> set[str]:
    return {_scope(i) for i in access.readable_category_ids(viewer)}


def places(viewer: Any, locale: str) -> dict[str, str]:
    return {_scope(c.id): c.name(locale) for c in access.readable_categories(viewer)}


def resolve_place(viewer: Any, slug: str) -> str | None:
    """`in:<slug>` (or a category's name, spaces as dashes) to the place the viewer reads."""
    wanted = slug.strip().lower()
    for category in access.readable_categories(viewer):
        names = {category.slug, category.name_en.lower(), category.name_fr.lower()}
        if wanted in names or wanted in {n.replace(" ", "-") for n in names}:
            return _scope(category.id)
    return None


def show(ids: list[int], viewer: Any, locale: str) -> dict[int, Shown]:
    """Result lines: one query for the posts with their topics and authors."""
    if not ids:
        return {}
    readable = access.readable_category_ids(viewer)
    names = {c.id: c.name(locale) for c in access.all_categories()}
    rows = db.session.execute(
        select(
            Post.id,
            Post.post_number,
            Post.deleted_at,
            Post.moderation_state,
            Topic,
            Member.username,
            Member,
        )
        .join(Topic, Topic.id == Post.topic_id)
        .join(Member, Member.id == Post.author_id)
        .where(Post.id.in_(ids))
    ).all()
    out: dict[int, Shown] = {}
    for post_id, number, deleted_at, state, topic, username, member in rows:
        if deleted_at is not None or topic.deleted_at is not None:
            continue
        if state != "visible" or topic.moderation_state != "visible":
            continue  # an index not yet caught up never shows a held or hidden post
        if topic.category_id not in readable:
            continue
        out[post_id] = Shown(
            url=queries.post_url(topic, number) if number > 1 else queries.topic_url(topic),
            title=topic.title,
            place_label=names.get(topic.category_id, ""),
            author_name=member.name,
            author_username=username,
        )
    return out


SOURCE = Source(
    name=NAME,
    types=("topic", "reply"),
    build=build,
    ids_after=ids_after,
    scopes=scopes,
    places=places,
    show=show,
    resolve_place=resolve_place,
    count=lambda: db.session.scalar(select(func.count(Post.id))) or 0,
)


def topic_keys(topic_id: int) -> list[str]:
    """Every post of a topic (a topic deleted or restored takes its replies with it)."""
    ids = db.session.scalars(select(Post.id).where(Post.topic_id == topic_id).order_by(Post.id))
    return [f"{NAME}:{i}" for i in ids]


def author_keys(member_id: int) -> list[str]:
    """Every post a member wrote (their name changed: an erased account)."""
    ids = db.session.scalars(select(Post.id).where(Post.author_id == member_id).order_by(Post.id))
    return [f"{NAME}:{i}" for i in ids]
