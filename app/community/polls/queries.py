"""Reading polls for pages: the list, one poll's page, the polls embedded in a topic or idea.

Every function runs a bounded number of queries whatever the number of polls or answers:
the list reads one page of polls, their options are not needed, the viewer's answers come
in one query; a poll page reads the poll and its options (2), the viewer's answer (1) and,
when the results are shown, their counts (3–4).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import get_locale
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from app.community.polls import results as poll_results
from app.community.polls import services
from app.community.polls.models import Poll
from app.core.pagination import Page
from app.core.time import utcnow
from app.extensions import db

PER_PAGE = 20


def locale() -> str:
    return str(get_locale() or "en")


@dataclass
class PollRow:
    poll: Poll
    state: str
    answered: bool
    in_audience: bool


def poll_list(viewer: Any, state: str, page: int) -> Page[PollRow]:
    """Open (and scheduled, for managers) or closed polls, newest first. Polls hidden from
    the viewer are dropped from the page (polls are few; a page may then be shorter)."""
    now = utcnow()
    query = select(Poll)
    if state == "closed":
        query = query.where(Poll.closes_at.is_not(None), Poll.closes_at <= now)
    else:
        query = query.where(or_(Poll.closes_at.is_(None), Poll.closes_at > now))
        if not services.can_manage(viewer):
            query = query.where(Poll.opens_at <= now)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    polls = list(
        db.session.scalars(
            query.order_by(Poll.opens_at.desc(), Poll.id.desc())
            .limit(PER_PAGE)
            .offset((page - 1) * PER_PAGE)
        )
    )
    answered = services.answered_poll_ids(viewer, [p.id for p in polls])
    rows = [
        PollRow(p, p.state(now), p.id in answered, services.in_audience(viewer, p))
        for p in polls
        if services.can_view(viewer, p, now)
    ]
    return Page(rows, page, PER_PAGE, total)


@dataclass
class PollView:
    poll: Poll
    state: str
    standing: services.Standing
    show_results: bool
    results: poll_results.PollResults | None
    in_audience: bool
    answer: Any
    chosen: dict[int, int | None]


def poll_view(viewer: Any, poll: Poll, attribute: str | None = None) -> PollView:
    from app.community.polls.models import PollChoice

    answer = services.answer_of(viewer, poll.id)
    chosen: dict[int, int | None] = {}
    if answer is not None and poll.uses_options:
        chosen = dict(
            db.session.execute(
                select(PollChoice.option_id, PollChoice.rank).where(
                    PollChoice.answer_id == answer.id
                )
            ).all()
        )
    standing = services.standing(viewer, poll, answer is not None)
    show = services.results_visible(viewer, poll, answer is not None)
    results = None
    if show:
        if attribute not in (None, *services.CELL_ATTRIBUTES):
            attribute = None
        results = poll_results.compute(poll, attribute, locale())
    return PollView(
        poll=poll,
        state=poll.state(),
        standing=standing,
        show_results=show,
        results=results,
        in_audience=services.in_audience(viewer, poll),
        answer=answer,
        chosen=chosen,
    )


def embedded(
    viewer: Any, *, topic_id: int | None = None, idea_id: int | None = None
) -> list[PollView]:
    """The polls embedded in a topic or an idea that the viewer may see (one query when
    there are none, which is most topics)."""
    if topic_id is None and idea_id is None:
        return []
    column = Poll.topic_id if topic_id is not None else Poll.idea_id
    target = topic_id if topic_id is not None else idea_id
    polls = db.session.scalars(
        select(Poll)
        .where(column == target)
        .options(selectinload(Poll.options))
        .order_by(Poll.id)
        .limit(5)
    ).all()
    return [poll_view(viewer, p) for p in polls if services.can_view(viewer, p)]


def load_with_options(poll_id: int) -> Poll | None:
    return db.session.scalar(
        select(Poll).where(Poll.id == poll_id).options(selectinload(Poll.options))
    )
