"""Read side of the forums: the pages' queries and the functions other areas call.

Every list filters on `access.readable_category_ids(viewer)`. Every page runs a bounded
number of queries whatever the amount of data: counters are stored, authors come in one
`IN` query, the viewer's likes and read state in one query each, and a topic page reads one
range of post numbers through the (topic_id, post_number) unique index.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask import abort, current_app, url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import and_, bindparam, case, func, literal, or_, select, union_all
from sqlalchemy.orm import selectinload

from app.community.forums import access
from app.community.forums.models import (
    POSTS_PER_PAGE,
    TOPICS_PER_PAGE,
    Bookmark,
    Category,
    Post,
    PostLike,
    PostReaction,
    PostRevision,
    Topic,
    TopicFollow,
    TopicReadState,
)
from app.core.db import DriverQuery
from app.core.pagination import Page
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.models import Member

EXCERPT_LENGTH = 160
# A topic nobody has opened counts as "new" for a member this long after it started.
NEW_TOPIC_WINDOW = timedelta(days=7)


def _locale() -> str:
    return str(get_locale() or "en")


# --- URLs --------------------------------------------------------------------------------


def topic_url(topic: Topic, page: int | None = None, **kwargs: Any) -> str:
    return url_for(
        "community.topic",
        topic_id=topic.id,
        slug=topic.slug,
        page=page if page and page > 1 else None,
        **kwargs,
    )


def post_url(topic: Topic, post_number: int, **kwargs: Any) -> str:
    """The post's permalink, `/t/<id>-<slug>/<n>` (it redirects to the right page)."""
    return url_for(
        "community.post_permalink",
        topic_id=topic.id,
        slug=topic.slug,
        post_number=post_number,
        **kwargs,
    )


def page_of(post_number: int) -> int:
    return max(1, -(-post_number // POSTS_PER_PAGE))


def post_anchor_url(topic: Topic, post_number: int) -> str:
    """The page URL with the post's anchor: where a permalink lands."""
    return topic_url(topic, page_of(post_number), _anchor=f"post-{post_number}")


def category_url(category: Category, page: int | None = None) -> str:
    return url_for(
        "community.category", slug=category.slug, page=page if page and page > 1 else None
    )


def excerpt(html: str, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a rendered post, cut at a word boundary near `length` characters."""
    text = Markup(html or "").striptags()
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0].rstrip(" ,;:.-")
    return cut + "…"


def _members(ids: Iterable[int | None]) -> dict[int, Member]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(wanted)))}


def _check_page(page: Page) -> None:
    if page.page > page.pages:
        abort(404)


# --- /forums/ ----------------------------------------------------------------------------


@dataclass
class CategoryRow:
    category: Category
    name: str
    description: str
    url: str
    last_topic: Topic | None


def forum_index(viewer: Any) -> list[CategoryRow]:
    """Readable categories in order, each with its stored counts and latest topic."""
    categories = access.readable_categories(viewer)
    last_ids = [c.last_topic_id for c in categories if c.last_topic_id]
    last_topics = (
        {
            t.id: t
            for t in db.session.scalars(
                select(Topic).where(
                    Topic.id.in_(last_ids),
                    Topic.deleted_at.is_(None),
                    Topic.moderation_state == "visible",
                )
            )
        }
        if last_ids
        else {}
    )
    locale = _locale()
    return [
        CategoryRow(
            category=c,
            name=c.name(locale),
            description=c.description(locale),
            url=category_url(c),
            last_topic=last_topics.get(c.last_topic_id or 0),
        )
        for c in categories
    ]


# --- topic lists -------------------------------------------------------------------------


@dataclass
class TopicRow:
    topic: Topic
    url: str
    category: Category
    category_name: str
    author: Member | None
    last_poster: Member | None
    new_posts: int = 0
    is_new: bool = False
    last_read_url: str | None = None

    @property
    def unread(self) -> bool:
        return self.new_posts > 0 or self.is_new


def _rows(viewer: Any, topics: list[Topic]) -> list[TopicRow]:
    members = _members(id_ for t in topics for id_ in (t.author_id, t.last_poster_id))
    states: dict[int, int] = {}
    if access.is_member(viewer) and topics:
        states = dict(
            db.session.execute(
                select(TopicReadState.topic_id, TopicReadState.last_read_post_number).where(
                    TopicReadState.member_id == viewer.id,
                    TopicReadState.topic_id.in_([t.id for t in topics]),
                )
            ).all()
        )
    locale = _locale()
    new_since = None
    if access.is_member(viewer):
        new_since = max(aware(viewer.created_at) or utcnow(), utcnow() - NEW_TOPIC_WINDOW)
    rows = []
    for t in topics:
        row = TopicRow(
            topic=t,
            url=topic_url(t),
            category=t.category,
            category_name=t.category.name(locale),
            author=members.get(t.author_id),
            last_poster=members.get(t.last_poster_id) if t.last_poster_id else None,
        )
        last_read = states.get(t.id)
        if last_read is not None:
            if t.highest_post_number > last_read:
                row.new_posts = t.highest_post_number - last_read
                row.last_read_url = post_url(t, last_read + 1)
        elif new_since is not None and aware(t.created_at) >= new_since:
            row.is_new = True
        rows.append(row)
    return rows


def category_topics(viewer: Any, category: Category, page_number: int) -> Page[TopicRow]:
    """A category's topics: pinned first, then by last activity; 30 a page."""
    page = Page(items=[], page=page_number, per_page=TOPICS_PER_PAGE, total=category.topic_count)
    _check_page(page)
    topics = list(
        db.session.scalars(
            select(Topic)
            .where(
                Topic.category_id == category.id,
                Topic.deleted_at.is_(None),
                Topic.moderation_state == "visible",
            )
            .order_by(Topic.pinned.desc(), Topic.last_posted_at.desc(), Topic.id.desc())
            .offset(page.offset)
            .limit(TOPICS_PER_PAGE)
        )
    )
    return Page(_rows(viewer, topics), page.page, page.per_page, page.total)


def latest_page(viewer: Any, page_number: int) -> Page[TopicRow]:
    """Every readable topic by last activity; the total is the categories' stored counts."""
    categories = access.readable_categories(viewer)
    total = sum(c.topic_count for c in categories)
    page = Page(items=[], page=page_number, per_page=TOPICS_PER_PAGE, total=total)
    _check_page(page)
    topics = _latest(viewer, [c.id for c in categories], TOPICS_PER_PAGE, page.offset)
    return Page(_rows(viewer, topics), page.page, page.per_page, page.total)


def _latest(viewer: Any, category_ids: list[int], limit: int, offset: int = 0) -> list[Topic]:
    if not category_ids:
        return []
    return list(
        db.session.scalars(
            select(Topic)
            .where(
                Topic.category_id.in_(category_ids),
                Topic.deleted_at.is_(None),
                Topic.moderation_state == "visible",
            )
            .order_by(Topic.last_posted_at.desc(), Topic.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )


# --- topic page --------------------------------------------------------------------------


@dataclass
class TopicPage:
    """A page of a topic as every viewer of a standing sees it; what is this viewer's (likes,
    read position, follow) is filled in by the page's viewer holes (forums/holes.py)."""

    topic: Topic
    category: Category
    category_name: str
    page: Page[Post]
    # post id -> post number, for "in reply to #N" links
    reply_numbers: dict[int, int] = field(default_factory=dict)
    # Authors of the held or hidden posts among this page's numbers (only they and staff
    # see theirs): the page shared between members is never served to them.
    unlisted_authors: frozenset[int] = frozenset()

    @property
    def last_shown(self) -> int:
        return max((p.post_number for p in self.page.items), default=0)


def _shown_posts(viewer: Any) -> list:
    """Held and hidden posts are shown to staff and to their author only."""
    if access.is_staff(viewer):
        return []
    if access.is_member(viewer):
        return [or_(Post.moderation_state == "visible", Post.author_id == viewer.id)]
    return [Post.moderation_state == "visible"]


def topic_page(viewer: Any, topic: Topic, page_number: int) -> TopicPage:
    """Posts (page N = post numbers ((N-1)*20, N*20]) with their authors."""
    page = Page(
        items=[], page=page_number, per_page=POSTS_PER_PAGE, total=topic.highest_post_number
    )
    _check_page(page)
    posts = list(
        db.session.scalars(
            select(Post)
            .where(
                Post.topic_id == topic.id,
                Post.post_number > page.offset,
                Post.post_number <= page.offset + POSTS_PER_PAGE,
                *_shown_posts(viewer),
            )
            .order_by(Post.post_number)
            .options(selectinload(Post.author))
        )
    )
    result = TopicPage(
        topic=topic,
        category=topic.category,
        category_name=topic.category.name(_locale()),
        page=Page(posts, page.page, page.per_page, page.total),
    )
    on_page = {p.id: p.post_number for p in posts}
    targets = {p.reply_to_post_id for p in posts if p.reply_to_post_id} - set(on_page)
    result.reply_numbers = dict(on_page)
    if targets:
        result.reply_numbers.update(
            db.session.execute(select(Post.id, Post.post_number).where(Post.id.in_(targets))).all()
        )
    if access.is_member(viewer) and not access.is_staff(viewer):
        result.unlisted_authors = frozenset(
            db.session.scalars(
                select(Post.author_id)
                .where(
                    Post.topic_id == topic.id,
                    Post.post_number > page.offset,
                    Post.post_number <= page.offset + POSTS_PER_PAGE,
                    Post.moderation_state != "visible",
                )
                .distinct()
            )
        )
    return result


# --- history -----------------------------------------------------------------------------


@dataclass
class Change:
    number: int
    editor: Member | None
    at: datetime
    title_diff: list[tuple[str, str]] | None
    body_diff: list[tuple[str, str]]
    # Why staff changed the post ("" for the author's own edits).
    reason: str = ""


_TOKEN = re.compile(r"\s+|[^\s]+")


def _word_diff(old: str, new: str) -> list[tuple[str, str]]:
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("insert", "".join(b[j1:j2])))
    return out


def text_diff(old: str, new: str) -> list[tuple[str, str]]:
    """(op, text) runs — op is equal, insert or delete: lines first, words inside changes."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b).get_opcodes():
        if op == "equal":
            out.append(("equal", "".join(a[i1:i2])))
        elif op == "replace":
            out.extend(_word_diff("".join(a[i1:i2]), "".join(b[j1:j2])))
        elif op == "delete":
            out.append(("delete", "".join(a[i1:i2])))
        else:
            out.append(("insert", "".join(b[j1:j2])))
    return out


def post_history(post: Post) -> list[Change]:
    """Each edit of the post, newest first, as a diff from the text before to the text after."""
    revisions = list(
        db.session.scalars(
            select(PostRevision)
            .where(PostRevision.post_id == post.id)
            .order_by(PostRevision.number)
        )
    )
    editors = _members(r.editor_id for r in revisions)
    changes = []
    for index, revision in enumerate(revisions):
        following = revisions[index + 1] if index + 1 < len(revisions) else None
        body_after = following.body if following else post.body
        title_diff = None
        if revision.title is not None:
            title_after = following.title if following else post.topic.title
            if title_after is not None and title_after != revision.title:
                title_diff = _word_diff(revision.title, title_after)
        changes.append(
            Change(
                number=revision.number,
                editor=editors.get(revision.editor_id),
                at=revision.created_at,
                title_diff=title_diff,
                body_diff=text_diff(revision.body, body_after),
                reason=revision.reason or "",
            )
        )
    return list(reversed(changes))


# --- for other areas (home page, profiles) -----------------------------------------------


@dataclass(frozen=True)
class TopicSummary:
    url: str
    title: str
    category_name: str
    category_colour: str
    reply_count: int
    last_posted_at: datetime


@dataclass(frozen=True)
class CategorySummary:
    url: str
    name: str
    colour: str
    topic_count: int


@dataclass(frozen=True)
class PostSummary:
    url: str
    topic_title: str
    excerpt: str
    created_at: datetime


def _summaries(topics: list[Topic]) -> list[TopicSummary]:
    locale = _locale()
    return [
        TopicSummary(
            url=topic_url(t),
            title=t.title,
            category_name=t.category.name(locale),
            category_colour=t.category.colour,
            reply_count=t.reply_count,
            last_posted_at=t.last_posted_at,
        )
        for t in topics
    ]


def latest_topics(viewer: Any, limit: int = 8) -> list[TopicSummary]:
    """The most recently active topics `viewer` may read."""
    return _summaries(_latest(viewer, sorted(access.readable_category_ids(viewer)), limit))


def topics_for_interests(viewer: Any, interest_ids: list[int], limit: int = 8) -> list:
    """Recently active readable topics in the categories tied to these interests."""
    wanted = set(interest_ids or ())
    ids = [c.id for c in access.readable_categories(viewer) if c.interest_id in wanted]
    return _summaries(_latest(viewer, ids, limit))


def categories_overview(viewer: Any) -> list[CategorySummary]:
    """The readable categories in order, with their topic counts."""
    locale = _locale()
    return [
        CategorySummary(url=category_url(c), name=c.name(locale), colour=c.colour,
                        topic_count=c.topic_count)
        for c in access.readable_categories(viewer)
    ]  # fmt: skip


def recent_posts_by(member_id: int, viewer: Any, limit: int = 10) -> list[PostSummary]:
    """A member's latest visible posts in topics `viewer` may read."""
    ids = sorted(access.readable_category_ids(viewer))
    if not ids:
        return []
    rows = db.session.execute(
        select(Post, Topic)
        .join(Topic, Topic.id == Post.topic_id)
        .where(
            Post.author_id == member_id,
            Post.deleted_at.is_(None),
            Post.moderation_state == "visible",
            Topic.deleted_at.is_(None),
            Topic.moderation_state == "visible",
            Topic.category_id.in_(ids),
        )
        .order_by(Post.created_at.desc(), Post.id.desc())
        .limit(limit)
    ).all()
    return [
        PostSummary(
            url=post_url(topic, post.post_number),
            topic_title=topic.title,
            excerpt=excerpt(post.body_html),
            created_at=post.created_at,
        )
        for post, topic in rows
    ]


@dataclass(frozen=True)
class ActivityCounts:
    topics: int
    posts: int
    likes_received: int


def activity_counts(member: Member, viewer: Any) -> ActivityCounts:
    """A member's topics, posts and likes received, counted only in categories `viewer` may
    read, so a profile never reveals activity in a category hidden from its reader.

    A viewer who reads every category gets the member's stored counters (no query).
    Otherwise one aggregate over the member's posts (index on posts.author_id), joined to
    their topics by primary key, with the same rules as the stored counters: visible posts,
    topics not deleted, likes of every post.
    """
    readable = access.readable_category_ids(viewer)
    if len(readable) == len(access.all_categories()):
        return ActivityCounts(member.topic_count, member.post_count, member.likes_received)
    if not readable:
        return ActivityCounts(0, 0, 0)
    started = and_(
        Post.post_number == 1,
        Topic.author_id == Post.author_id,
        Topic.deleted_at.is_(None),
        Topic.moderation_state == "visible",
    )
    row = db.session.execute(
        select(
            func.count(case((started, 1))),
            func.count(
                case((and_(Post.deleted_at.is_(None), Post.moderation_state == "visible"), 1))
            ),
            func.coalesce(func.sum(Post.like_count), 0),
        )
        .select_from(Post)
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.author_id == member.id, Topic.category_id.in_(sorted(readable)))
    ).one()
    return ActivityCounts(int(row[0]), int(row[1]), int(row[2]))


@dataclass(frozen=True)
class AuthorTotals:
    topics: int = 0
    posts: int = 0
    likes_received: int = 0


def totals_by_author() -> dict[int, AuthorTotals]:
    """Every author's topics (not deleted), visible posts and likes received (on any of
    their posts), from the forum tables: what members' stored counters should hold.

    For `flask counters recount` (app/members/recount.py): three grouped queries, one row
    per author, whatever the number of posts.
    """
    topics = dict(
        db.session.execute(
            select(Topic.author_id, func.count())
            .where(Topic.deleted_at.is_(None), Topic.moderation_state == "visible")
            .group_by(Topic.author_id)
        ).all()
    )
    posts = dict(
        db.session.execute(
            select(Post.author_id, func.count())
            .where(Post.deleted_at.is_(None), Post.moderation_state == "visible")
            .group_by(Post.author_id)
        ).all()
    )
    likes = dict(
        db.session.execute(
            select(Post.author_id, func.count(PostLike.id))
            .join(PostLike, PostLike.post_id == Post.id)
            .group_by(Post.author_id)
        ).all()
    )
    return {
        author: AuthorTotals(topics.get(author, 0), posts.get(author, 0), likes.get(author, 0))
        for author in set(topics) | set(posts) | set(likes)
    }


# --- lists beyond /latest: status filter, Top, Unread, New ------------------------------

STATUSES = ("solved", "unsolved")
TOP_PERIODS = {"day": 1, "week": 7, "month": 30, "year": 365}
DEFAULT_TOP_PERIOD = "month"


def parse_status(value: str | None) -> str | None:
    """`?status=solved|unsolved`; anything else means no filter."""
    return value if value in STATUSES else None


def _status_filter(status: str | None, category_ids: list[int]) -> tuple[list[int], list]:
    """Narrow `category_ids` and add the WHERE clauses of a solved/unsolved filter.

    Unsolved means a topic of a Q&A category without a solution: topics of other
    categories are neither solved nor unsolved, so they leave an "unsolved" list.
    """
    if status is None:
        return category_ids, []
    if status == "unsolved":
        qa = {c.id for c in access.all_categories() if c.qa}
        return [i for i in category_ids if i in qa], [Topic.solved.is_(False)]
    return category_ids, [Topic.solved.is_(True)]


def _counted_page(
    viewer: Any, base: Any, order: list, page_number: int, per_page: int = TOPICS_PER_PAGE
) -> Page[TopicRow]:
    """One COUNT and one page of topics for the statement `base` (a select of Topic)."""
    # The same FROM and WHERE, counting ids only (no eager-loaded category join).
    total = db.session.scalar(base.with_only_columns(func.count(Topic.id)).order_by(None))
    page = Page(items=[], page=page_number, per_page=per_page, total=int(total or 0))
    _check_page(page)
    topics = list(db.session.scalars(base.order_by(*order).offset(page.offset).limit(per_page)))
    return Page(_rows(viewer, topics), page.page, page.per_page, page.total)


def filtered_topics(
    viewer: Any, status: str, page_number: int, category: Category | None = None
) -> Page[TopicRow]:
    """Solved or unsolved topics of one category (pinned first) or of every readable one,
    by last activity; index ix_topics_category_solved (category, solved, last activity)."""
    ids = [category.id] if category is not None else sorted(access.readable_category_ids(viewer))
    ids, clauses = _status_filter(status, ids)
    base = select(Topic).where(
        Topic.category_id.in_(ids or [-1]),
        Topic.deleted_at.is_(None),
        Topic.moderation_state == "visible",
        *clauses,
    )
    order = [Topic.last_posted_at.desc(), Topic.id.desc()]
    if category is not None:
        order.insert(0, Topic.pinned.desc())
    return _counted_page(viewer, base, order, page_number)


def top_topics(viewer: Any, period: str, page_number: int) -> Page[TopicRow]:
    """Topics started in the period, most liked first (then most replied, most viewed)."""
    since = utcnow() - timedelta(days=TOP_PERIODS[period])
    ids = sorted(access.readable_category_ids(viewer))
    base = select(Topic).where(
        Topic.category_id.in_(ids or [-1]),
        Topic.deleted_at.is_(None),
        Topic.moderation_state == "visible",
        Topic.created_at >= since,
    )
    order = [Topic.like_count.desc(), Topic.post_count.desc(), Topic.view_count.desc()]
    return _counted_page(viewer, base, [*order, Topic.id.desc()], page_number)


def unread_topics(viewer: Any, page_number: int) -> Page[TopicRow]:
    """Topics the member has opened that have posts past their read position."""
    return _counted_page(
        viewer, unread_statement(viewer), [Topic.last_posted_at.desc(), Topic.id.desc()],
        page_number,
    )  # fmt: skip


def unread_statement(viewer: Any) -> Any:
    """SELECT the member's Unread topics (also what "Dismiss" marks read)."""
    ids = sorted(access.readable_category_ids(viewer))
    return (
        select(Topic)
        .join(
            TopicReadState,
            and_(TopicReadState.topic_id == Topic.id, TopicReadState.member_id == viewer.id),
        )
        .where(
            Topic.category_id.in_(ids or [-1]),
            Topic.deleted_at.is_(None),
            Topic.moderation_state == "visible",
            Topic.highest_post_number > TopicReadState.last_read_post_number,
        )
    )


def new_since(viewer: Any) -> datetime:
    """A topic started after this and never opened is "new" to the member."""
    return max(aware(viewer.created_at) or utcnow(), utcnow() - NEW_TOPIC_WINDOW)


def new_topics(viewer: Any, page_number: int) -> Page[TopicRow]:
    """Topics started recently (since the member joined, at most a week) never opened."""
    return _counted_page(
        viewer, new_statement(viewer), [Topic.created_at.desc(), Topic.id.desc()], page_number
    )


def new_statement(viewer: Any) -> Any:
    """SELECT the member's New topics (also what "Dismiss" marks read)."""
    ids = sorted(access.readable_category_ids(viewer))
    return (
        select(Topic)
        .outerjoin(
            TopicReadState,
            and_(TopicReadState.topic_id == Topic.id, TopicReadState.member_id == viewer.id),
        )
        .where(
            Topic.category_id.in_(ids or [-1]),
            Topic.deleted_at.is_(None),
            Topic.moderation_state == "visible",
            Topic.created_at >= new_since(viewer),
            TopicReadState.id.is_(None),
        )
    )


# --- bookmarks ---------------------------------------------------------------------------

BOOKMARKS_PER_PAGE = 20


@dataclass
class BookmarkRow:
    bookmark: Bookmark
    post: Post
    topic: Topic
    author: Member
    url: str
    excerpt: str


def bookmarks_page(viewer: Any, page_number: int) -> Page[BookmarkRow]:
    """The member's bookmarks, newest first, of posts they may still read: one COUNT and
    one query (bookmark, post, topic and author joined) a page."""
    ids = sorted(access.readable_category_ids(viewer))
    visible = and_(
        Bookmark.member_id == viewer.id,
        Topic.category_id.in_(ids or [-1]),
        Post.deleted_at.is_(None),
        Post.moderation_state == "visible",
        Topic.deleted_at.is_(None),
        Topic.moderation_state == "visible",
    )
    joined = (
        select(Bookmark, Post, Topic, Member)
        .join(Post, Post.id == Bookmark.post_id)
        # The post's topic as it is now (a split or merge moves posts): readability is
        # decided on where the post is, never where it was bookmarked.
        .join(Topic, Topic.id == Post.topic_id)
        .join(Member, Member.id == Post.author_id)
        .where(visible)
    )
    total = db.session.scalar(
        select(func.count(Bookmark.id))
        .join(Post, Post.id == Bookmark.post_id)
        .join(Topic, Topic.id == Post.topic_id)
        .where(visible)
    )
    page = Page(items=[], page=page_number, per_page=BOOKMARKS_PER_PAGE, total=int(total or 0))
    _check_page(page)
    rows = db.session.execute(
        joined.order_by(Bookmark.created_at.desc(), Bookmark.id.desc())
        .offset(page.offset)
        .limit(BOOKMARKS_PER_PAGE)
    ).all()
    items = [
        BookmarkRow(
            bookmark=b,
            post=p,
            topic=t,
            author=m,
            url=post_url(t, p.post_number),
            excerpt=excerpt(p.body_html),
        )
        for b, p, t, m in rows
    ]
    return Page(items, page.page, page.per_page, page.total)


# --- the topic page's extras: reactions, bookmarks, solution, map, suggestions -----------

SUGGESTED_COUNT = 5
MAP_PARTICIPANTS = 6


@dataclass
class Participant:
    username: str
    name: str
    posts: int


@dataclass
class SuggestedRow:
    """A suggested topic: what a short list shows, without authors (no extra query)."""

    topic: Topic
    url: str
    category_name: str
    new_posts: int = 0
    is_new: bool = False


@dataclass
class TopicExtras:
    """What the topic page shows beyond its posts, the same for every viewer of a standing."""

    solution: Post | None = None
    solution_author: Member | None = None
    participants: list[Participant] = field(default_factory=list)


@dataclass
class ViewerMarks:
    """What one member did to some posts: liked, reacted (which reactions), bookmarked."""

    liked: set[int] = field(default_factory=set)
    reacted: dict[int, set[str]] = field(default_factory=dict)
    bookmarked: set[int] = field(default_factory=set)
    post_ids: frozenset[int] = frozenset()  # the posts asked about


@dataclass
class ReaderState:
    """One member on one page of a topic: their marks on its posts, where they stopped
    reading, whether they follow it."""

    marks: ViewerMarks
    last_read: int | None = None
    following: bool = False


_LIKE, _REACTION, _BOOKMARK, _READ, _FOLLOW = range(5)


def _reader_statement() -> Any:
    """Likes, reactions and bookmarks of the page's posts, the read position and the
    follow, as one UNION over the tables' unique indexes."""
    member, topic = bindparam("member"), bindparam("topic")
    posts = bindparam("posts", expanding=True)
    return union_all(
        select(PostLike.post_id, literal(_LIKE), literal("")).where(
            PostLike.member_id == member, PostLike.post_id.in_(posts)
        ),
        select(PostReaction.post_id, literal(_REACTION), PostReaction.reaction).where(
            PostReaction.member_id == member, PostReaction.post_id.in_(posts)
        ),
        select(Bookmark.post_id, literal(_BOOKMARK), literal("")).where(
            Bookmark.member_id == member, Bookmark.post_id.in_(posts)
        ),
        select(TopicReadState.last_read_post_number, literal(_READ), literal("")).where(
            TopicReadState.member_id == member, TopicReadState.topic_id == topic
        ),
        select(TopicFollow.topic_id, literal(_FOLLOW), literal("")).where(
            TopicFollow.member_id == member, TopicFollow.topic_id == topic
        ),
    )


# Run on every logged-in topic page: compiled once, straight to the driver.
_READER_STATE = DriverQuery(_reader_statement, {"posts": POSTS_PER_PAGE})


def reader_state(viewer: Any, topic_id: int, post_ids: list[int]) -> ReaderState:
    """The member's likes, reactions and bookmarks on these posts of the topic, their read
    position in it and their follow: one query (nothing for a visitor)."""
    state = ReaderState(ViewerMarks(post_ids=frozenset(post_ids)))
    if not access.is_member(viewer):
        return state
    marks = state.marks
    params = {"member": viewer.id, "topic": topic_id}
    if len(post_ids) <= POSTS_PER_PAGE:
        rows = _READER_STATE.rows(db.session, posts=list(post_ids), **params)
    else:
        rows = db.session.execute(_reader_statement(), {"posts": list(post_ids), **params})
    for value, kind, reaction in rows:
        if kind == _LIKE:
            marks.liked.add(value)
        elif kind == _REACTION:
            marks.reacted.setdefault(value, set()).add(reaction)
        elif kind == _BOOKMARK:
            marks.bookmarked.add(value)
        elif kind == _READ:
            state.last_read = value
        else:
            state.following = True
    return state


# Participants per topic version, kept a minute in each process: a long topic's map costs
# a grouped query over all its posts, and the answer only changes when a post is added.
# `FORUM_PARTICIPANTS_TTL` seconds (off under testing, where ids are reused).
_PARTICIPANTS: dict[tuple[int, int, int], tuple[float, list[Participant]]] = {}
PARTICIPANTS_CACHE_SIZE = 4096


def participants(topic: Topic, limit: int = MAP_PARTICIPANTS) -> list[Participant]:
    """The topic's most frequent posters with their visible posts: one grouped query
    (members grouped by primary key), over the (topic_id, post_number) index; cached a
    minute per topic version (id, post count, highest post number) in the process."""
    ttl = current_app.config.get("FORUM_PARTICIPANTS_TTL", 0 if current_app.testing else 60)
    key = (topic.id, topic.post_count, topic.highest_post_number)
    now = time.monotonic()
    cached = _PARTICIPANTS.get(key)
    if cached is not None and now - cached[0] < ttl:
        return cached[1]
    found = _participants_query(topic, limit)
    if ttl > 0:
        if len(_PARTICIPANTS) >= PARTICIPANTS_CACHE_SIZE:
            _PARTICIPANTS.clear()
        _PARTICIPANTS[key] = (now, found)
    return found


def _participants_query(topic: Topic, limit: int) -> list[Participant]:
    posts = func.count(Post.id)
    rows = db.session.execute(
        select(Member, posts)
        .join(Post, Post.author_id == Member.id)
        .where(
            Post.topic_id == topic.id,
            Post.deleted_at.is_(None),
            Post.moderation_state == "visible",
        )
        .group_by(Member.id)
        .order_by(posts.desc(), func.min(Post.post_number))
        .limit(limit)
    ).all()
    return [Participant(member.username, member.name, int(n)) for member, n in rows]


def suggested_topics(
    viewer: Any, topic_id: int, category_id: int, limit: int = SUGGESTED_COUNT
) -> list[SuggestedRow]:
    """At the end of a topic: the member's unread or new topics of the same category first,
    then the category's most liked of the last year, then the most recently active. One
    query (the member's read state joined), on the category's list index."""
    columns: list = [Topic]
    base_filter = [
        Topic.category_id == category_id,
        Topic.deleted_at.is_(None),
        Topic.moderation_state == "visible",
        Topic.id != topic_id,
    ]
    order: list = []
    member = access.is_member(viewer)
    if member:
        columns.append(TopicReadState.last_read_post_number)
        stmt = select(*columns).outerjoin(
            TopicReadState,
            and_(TopicReadState.topic_id == Topic.id, TopicReadState.member_id == viewer.id),
        )
        never_opened = and_(TopicReadState.id.is_(None), Topic.created_at >= new_since(viewer))
        unread = case(
            (never_opened, 1),
            (Topic.highest_post_number > TopicReadState.last_read_post_number, 1),
            else_=0,
        )
        order.append(unread.desc())
    else:
        columns.append(literal(None))
        stmt = select(*columns)
    recent = utcnow() - timedelta(days=TOP_PERIODS["year"])
    order += [
        case((Topic.created_at >= recent, Topic.like_count), else_=0).desc(),
        Topic.last_posted_at.desc(),
        Topic.id.desc(),
    ]
    rows = db.session.execute(stmt.where(*base_filter).order_by(*order).limit(limit)).all()
    locale = _locale()
    since = new_since(viewer) if member else None
    out = []
    for t, last_read in rows:
        row = SuggestedRow(topic=t, url=topic_url(t), category_name=t.category.name(locale))
        if last_read is not None and t.highest_post_number > last_read:
            row.new_posts = t.highest_post_number - last_read
        elif member and last_read is None and since is not None:
            row.is_new = aware(t.created_at) >= since
        out.append(row)
    return out


def topic_extras(viewer: Any, view: TopicPage) -> TopicExtras:
    """The solution (Q&A) and the topic map's participants: what the topic page shows
    beyond its posts, the same for every viewer of a standing (the per-viewer parts are
    its viewer holes, forums/holes.py). At most two queries."""
    topic = view.topic
    extras = TopicExtras()
    posts = list(view.page.items)
    if topic.solution_post_id:
        solution = next((p for p in posts if p.id == topic.solution_post_id), None)
        author = solution.author if solution is not None else None
        if solution is None:
            row = db.session.execute(
                select(Post, Member)
                .join(Member, Member.id == Post.author_id)
                .where(Post.id == topic.solution_post_id, Post.topic_id == topic.id)
            ).first()
            if row is not None:
                solution, author = row
        # A deleted solution is unmarked with its deletion; one held or hidden by moderation
        # shows only to those who may see the post.
        if (
            solution is not None
            and solution.deleted_at is None
            and access.sees_post(viewer, solution)
        ):
            extras.solution, extras.solution_author = solution, author
    extras.participants = participants(topic)
    return extras
