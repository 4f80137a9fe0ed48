"""Read side of ideas: the board page, one idea, the roadmap and the changelog.

Every list is one bounded query over indexed columns, plus one query each for the page's
authors, the viewer's votes and statuses (cached per request): the board page costs the
same with 50 ideas or 5,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, has_request_context, url_for
from sqlalchemy import func, select

from app.community.forums.models import Post, Topic
from app.community.ideas import boards
from app.community.ideas.models import IDEAS_PER_PAGE, Idea, IdeaBoard, IdeaStatus
from app.community.ideas.services import my_votes, shown_ideas
from app.core.pagination import Page
from app.extensions import db
from app.members.models import Member

SORTS = ("top", "new", "active", "weighted")
COMMENTS_SHOWN = 50
ROADMAP_PER_COLUMN = 30
CHANGELOG_PER_PAGE = 20


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


def _members(ids: set[int]) -> dict[int, Member]:
    if not ids:
        return {}
    return {m.id: m for m in db.session.scalars(select(Member).where(Member.id.in_(ids)))}


@dataclass
class IdeaRow:
    idea: Idea
    status: IdeaStatus | None
    author: Member | None
    my_importance: int | None
    url: str = ""  # /ideas/<id>: the idea is at url-slug, its actions under url/


def _rows(viewer: Any, ideas: list[Idea]) -> list[IdeaRow]:
    authors = _members({i.author_id for i in ideas})
    votes = my_votes(viewer, [i.id for i in ideas])
    status_of = boards.status_map()
    # One URL built, the others derived: a list page has 30 of them (url_for is costly).
    prefix = url_for("ideas.index") if has_request_context() else "/ideas/"
    return [
        IdeaRow(
            i,
            status_of.get(i.status),
            authors.get(i.author_id),
            votes.get(i.id),
            f"{prefix}{i.id}",
        )
        for i in ideas
    ]


def _order(sort: str) -> list[Any]:
    if sort == "new":
        return [Idea.created_at.desc(), Idea.id.desc()]
    if sort == "active":
        return [Idea.last_activity_at.desc(), Idea.id.desc()]
    if sort == "weighted":
        return [Idea.importance_total.desc(), Idea.id.desc()]
    return [Idea.vote_count.desc(), Idea.id.desc()]


def board_page(
    viewer: Any, board: IdeaBoard, page_number: int, sort: str = "top", status: str = ""
) -> Page[IdeaRow]:
    """The board's ideas (merged ones left out), 30 a page, by votes, date or activity,
    optionally one status only. The total is counted on the same indexed filter."""
    sort = sort if sort in SORTS else "top"
    where = [Idea.board_id == board.id, Idea.merged_into_id.is_(None), *shown_ideas(viewer)]
    if status:
        where.append(Idea.status == status)
    total = int(db.session.scalar(select(func.count()).select_from(Idea).where(*where)) or 0)
    page = Page(items=[], page=page_number, per_page=IDEAS_PER_PAGE, total=total)
    if page_number > page.pages:
        abort(404)
    ideas = list(
        db.session.scalars(
            select(Idea)
            .where(*where)
            .order_by(*_order(sort))
            .offset(page.offset)
            .limit(IDEAS_PER_PAGE)
        )
    )
    return Page(_rows(viewer, ideas), page.page, page.per_page, page.total)


def all_boards_page(viewer: Any) -> list[tuple[IdeaBoard, list[IdeaRow]]]:
    """/ideas/: each visible board with its three most-voted open ideas."""
    out = []
    visible = boards.visible_boards(viewer)
    if not visible:
        return out
    ranked = (
        select(
            Idea.id,
            func.row_number()
            .over(partition_by=Idea.board_id, order_by=(Idea.vote_count.desc(), Idea.id.desc()))
            .label("rank"),
        )
        .where(
            Idea.board_id.in_([b.id for b in visible]),
            Idea.merged_into_id.is_(None),
            *shown_ideas(viewer),
        )
        .subquery()
    )
    ideas = list(
        db.session.scalars(
            select(Idea).join(ranked, ranked.c.id == Idea.id).where(ranked.c.rank <= 3)
        )
    )
    rows = _rows(viewer, ideas)
    by_board: dict[int, list[IdeaRow]] = {}
    for row in rows:
        by_board.setdefault(row.idea.board_id, []).append(row)
    for board in visible:
        items = sorted(by_board.get(board.id, []), key=lambda r: (-r.idea.vote_count, -r.idea.id))
        out.append((board, items))
    return out


@dataclass
class Comment:
    post: Post
    author: Member | None
    from_idea: Idea | None  # set when the comment came with a merged idea


def comments(idea: Idea, merged: list[Idea]) -> tuple[list[Comment], int]:
    """The idea's comments (replies in its topic) and those of the ideas merged into it,
    oldest first, the latest 50; and how many there are in all."""
    topic_ids = {idea.topic_id: None} if idea.topic_id else {}
    for other in merged:
        if other.topic_id:
            topic_ids[other.topic_id] = other
    if not topic_ids:
        return [], 0
    where = [
        Post.topic_id.in_(list(topic_ids)),
        Post.post_number > 1,
        Post.deleted_at.is_(None),
    ]
    if hasattr(Post, "moderation_state"):
        where.append(Post.moderation_state == "visible")
    total = int(db.session.scalar(select(func.count()).select_from(Post).where(*where)) or 0)
    posts = list(
        db.session.scalars(
            select(Post)
            .where(*where)
            .order_by(Post.created_at.desc(), Post.id.desc())
            .limit(COMMENTS_SHOWN)
        )
    )
    posts.reverse()
    authors = _members({p.author_id for p in posts})
    return [Comment(p, authors.get(p.author_id), topic_ids.get(p.topic_id)) for p in posts], total


def topic_of(idea: Idea) -> Topic | None:
    return db.session.get(Topic, idea.topic_id) if idea.topic_id else None


@dataclass
class RoadmapColumn:
    status: IdeaStatus
    ideas: list[IdeaRow]
    total: int


def roadmap(viewer: Any, board: IdeaBoard | None = None) -> list[RoadmapColumn]:
    """The roadmap: one column per status marked `roadmap`, most-voted first (shipped:
    latest first), per product (board) or across the boards the viewer sees."""
    board_ids = [board.id] if board else boards.visible_board_ids(viewer)
    columns = []
    for status in boards.statuses():
        if not status.roadmap:
            continue
        if not board_ids:
            columns.append(RoadmapColumn(status, [], 0))
            continue
        where = [
            Idea.board_id.in_(board_ids),
            Idea.status == status.slug,
            Idea.merged_into_id.is_(None),
            *shown_ideas(viewer),
        ]
        order = (
            [Idea.shipped_at.desc(), Idea.id.desc()]
            if status.is_shipped
            else [Idea.vote_count.desc(), Idea.id.desc()]
        )
        total = int(db.session.scalar(select(func.count()).select_from(Idea).where(*where)) or 0)
        ideas = list(
            db.session.scalars(
                select(Idea).where(*where).order_by(*order).limit(ROADMAP_PER_COLUMN)
            )
        )
        columns.append(RoadmapColumn(status, _rows(viewer, ideas), total))
    return columns


def changelog(viewer: Any, page_number: int, board: IdeaBoard | None = None) -> Page[IdeaRow]:
    """Shipped ideas, latest first, with the response that announced them."""
    board_ids = [board.id] if board else boards.visible_board_ids(viewer)
    where = [
        Idea.board_id.in_(board_ids or [-1]),
        Idea.shipped_at.is_not(None),
        Idea.merged_into_id.is_(None),
        *shown_ideas(viewer),
    ]
    total = int(db.session.scalar(select(func.count()).select_from(Idea).where(*where)) or 0)
    page = Page(items=[], page=page_number, per_page=CHANGELOG_PER_PAGE, total=total)
    if page_number > page.pages:
        abort(404)
    ideas = list(
        db.session.scalars(
            select(Idea)
            .where(*where)
            .order_by(Idea.shipped_at.desc(), Idea.id.desc())
            .offset(page.offset)
            .limit(CHANGELOG_PER_PAGE)
        )
    )
    return Page(_rows(viewer, ideas), page.page, page.per_page, page.total)


def ship_responses(idea_ids: list[int]) -> dict[int, Any]:
    """The latest change to a shipped status of each idea (its announcement)."""
    from app.community.ideas.models import IdeaStatusChange

    if not idea_ids:
        return {}
    shipped = [s.slug for s in boards.statuses() if s.is_shipped]
    rows = db.session.scalars(
        select(IdeaStatusChange)
        .where(IdeaStatusChange.idea_id.in_(idea_ids), IdeaStatusChange.new_status.in_(shipped))
        .order_by(IdeaStatusChange.id)
    )
    return {c.idea_id: c for c in rows}
