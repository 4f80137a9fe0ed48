"""The feedback report: per product (idea board) and period, what members ask for and who
asks it.

Every figure is an aggregation in SQL over indexed columns (votes by `created_at`, ideas by
board, answers by poll), never a loop over rows in Python: about fifteen queries whatever the
number of ideas and votes. The report is a list of `Table`s; the page, the CSV and the JSON
are all drawn from the same tables, formatted once, so the exports are exactly the screen.

Weighted votes: each vote counts the weight of its voter's cell at the time of the vote
(the vote's snapshot), by tier, value band or lifecycle stage — chosen in the report, with
editable weights (defaults below).
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from flask import url_for
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from sqlalchemy import Text, case, cast, distinct, func, literal, or_, select, union

from app.community.ideas.models import Idea, IdeaBoard, IdeaStatus, IdeaStatusChange, IdeaVote
from app.community.polls import services as poll_services
from app.community.polls.models import Poll, PollAnswer, PollChoice
from app.core.time import utcnow
from app.extensions import db
from app.members import audience as audiences
from app.members.models import TIERS, Interest

ATTRIBUTES = ("tier", "value_band", "stage")
DEFAULT_WEIGHTS: dict[str, dict[str, float]] = {
    "tier": {"bronze": 1, "silver": 2, "gold": 3, "platinum": 4},
    "value_band": {"none": 1, "low": 2, "medium": 3, "high": 5},
    "stage": {"new": 1, "active": 2, "advocate": 3, "reactivated": 2, "at_risk": 2, "lapsed": 1},
}
PERIODS = {"30d": 30, "90d": 90, "365d": 365}
TOP = 10
MAX_POLLS = 6
MAX_INTERESTS = 12
WEIGHT_MAX = 100.0


def cells(attribute: str) -> tuple[str, ...]:
    if attribute == "tier":
        return TIERS
    if attribute == "stage":
        return audiences.STAGES
    return audiences.VALUE_BANDS


# --- parameters ----------------------------------------------------------------------------


@dataclass
class Params:
    board: IdeaBoard | None
    start: datetime
    end: datetime
    period: str
    weight_by: str
    weights: dict[str, float]

    @property
    def last_day(self) -> datetime:
        return self.end - timedelta(days=1)

    @property
    def previous(self) -> tuple[datetime, datetime]:
        length = self.end - self.start
        return self.start - length, self.start

    def query(self, **extra: Any) -> dict[str, Any]:
        """The URL arguments that rebuild these parameters (for links and exports)."""
        args: dict[str, Any] = {"period": self.period, "weight_by": self.weight_by}
        if self.board is not None:
            args["board"] = self.board.slug
        if self.period == "custom":
            args["from"] = self.start.date().isoformat()
            args["to"] = self.last_day.date().isoformat()
        defaults = DEFAULT_WEIGHTS[self.weight_by]
        for cell, weight in self.weights.items():
            if weight != defaults.get(cell):
                args[f"w_{cell}"] = f"{weight:g}"
        args.update(extra)
        return args


def parse_params(args: Any, now: datetime | None = None) -> tuple[Params, dict[str, str]]:
    """Read the report's parameters from a query string; unreadable ones fall back to the
    defaults and come back as messages to show."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    board = None
    slug = (args.get("board") or "").strip()
    if slug:
        board = db.session.scalar(select(IdeaBoard).where(IdeaBoard.slug == slug[:60]))
        if board is None:
            errors["board"] = _("No board has this address: showing every board.")
    period = args.get("period") or "90d"
    today = now.astimezone(UTC).date()
    end = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
    if period == "custom":
        first, last = _parse_day(args.get("from")), _parse_day(args.get("to"))
        if first is None or last is None or last < first or (last - first).days > 3660:
            errors["period"] = _(
                "Enter a start and an end date (YYYY-MM-DD), the end after the start."
            )
            period = "90d"
        else:
            start = datetime.combine(first, datetime.min.time(), UTC)
            end = datetime.combine(last + timedelta(days=1), datetime.min.time(), UTC)
    if period not in PERIODS and period != "custom":
        period = "90d"
    if period != "custom":
        start = end - timedelta(days=PERIODS[period])
    weight_by = args.get("weight_by") if args.get("weight_by") in ATTRIBUTES else "tier"
    weights = dict(DEFAULT_WEIGHTS[weight_by])
    for cell in cells(weight_by):
        raw = (args.get(f"w_{cell}") or "").strip()
        if not raw:
            continue
        try:
            value = float(raw.replace(",", "."))
        except ValueError:
            value = -1.0
        if not 0 <= value <= WEIGHT_MAX:
            errors[f"w_{cell}"] = _("A weight goes from 0 to 100.")
            continue
        weights[cell] = value
    return Params(board, start, end, period, weight_by, weights), errors


def _parse_day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


# --- tables --------------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    href: str | None = None
    value: float | None = None  # the number behind the text, for charts


@dataclass
class Table:
    id: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    numeric: set[int] = field(default_factory=set)  # column indexes shown right-aligned
    chart: str | None = None  # "bars": a bar per row from column `chart_column`
    chart_column: int = 1
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "columns": self.columns,
            "rows": [[c.text for c in row] for row in self.rows],
        }


@dataclass
class Report:
    params: Params
    sections: list[tuple[str, list[Table]]]

    def tables(self) -> list[Table]:
        return [t for _title, tables in self.sections for t in tables]


def number(value: float | int | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        value = round(value, 1)
        if not value.is_integer():
            return format_decimal(value, format="#,##0.0")
    return format_decimal(int(value), format="#,##0")


def percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0%")


def change(current: float, previous: float) -> str:
    if not previous:
        return _("new") if current else "—"
    return format_percent((current - previous) / previous, format="+#,##0%;-#,##0%")


def _weight_case(column: Any, weights: dict[str, float]) -> Any:
    return case(*[(column == c, literal(w)) for c, w in weights.items()], else_=literal(0.0))


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


# --- the report ----------------------------------------------------------------------------


def build(params: Params) -> Report:
    locale = _locale()
    statuses = list(db.session.scalars(select(IdeaStatus).order_by(IdeaStatus.position)))
    status_names = {s.slug: s.name(locale) for s in statuses}
    boards = {b.id: b for b in db.session.scalars(select(IdeaBoard))}
    vote_filter = _vote_filter(params)
    summary, top_votes, top_weighted, who = _ideas_tables(
        params, vote_filter, status_names, boards, locale
    )
    sections = [
        (_("Summary"), [summary]),
        (_("Top ideas"), [top_votes, top_weighted]),
        (_("Who asks"), _who_asks(params, vote_filter, locale, *who)),
        (_("Status funnel and official responses"), _funnel(params, statuses, locale)),
        (_("Most discussed"), [_discussed(params, status_names)]),
        (_("Poll results"), _polls(params, locale)),
    ]
    return Report(params, sections)


def _board_ideas(params: Params) -> list[Any]:
    return [Idea.board_id == params.board.id] if params.board is not None else []


def _board_votes(params: Params) -> list[Any]:
    """Votes on the chosen board's ideas (no join: an IN over the board's idea ids)."""
    if params.board is None:
        return []
    # `idea_id + 0`: the planner must not walk the votes idea by idea (a table read per
    # vote); the period's range of the covering index, filtered by board, is far cheaper.
    board_ideas = select(Idea.id).where(Idea.board_id == params.board.id)
    return [(IdeaVote.idea_id + 0).in_(board_ideas)]


def _not_merged_away() -> Any:
    """Votes left on a merged idea are those of members who also voted on the idea it
    joined: out of every count, or a merge would count such a member twice."""
    return (IdeaVote.idea_id + 0).not_in(select(Idea.id).where(Idea.merged_into_id.is_not(None)))


def _vote_filter(params: Params) -> list[Any]:
    return [
        IdeaVote.created_at >= params.start,
        IdeaVote.created_at < params.end,
        *_board_votes(params),
        _not_merged_away(),
    ]


def idea_href(idea_id: int, slug: str) -> str:
    return url_for("ideas.idea", idea_id=idea_id, slug=slug)


def _ideas_tables(params, vote_filter, status_names, boards, locale):  # type: ignore[no-untyped-def]
    weight = _weight_case(getattr(IdeaVote, params.weight_by), params.weights)
    # This period per idea (one pass over the period's range of the covering index), with
    # the votes per snapshot cell (tier, stage, value band) summed in the same pass for
    # "who asks" (a second scan of the period cost about 15% of the report); the period
    # before only as totals (no GROUP BY, no sort) and, per idea, for the few shown.
    groups = who_asks_cells()
    current = db.session.execute(
        select(
            IdeaVote.idea_id,
            func.count(),
            func.sum(weight),
            *[func.sum(case((getattr(IdeaVote, a) == c, 1), else_=0)) for a, c in groups],
        )
        .where(*vote_filter)
        .group_by(IdeaVote.idea_id)
    ).all()
    by_cell = {
        group: sum(int(row[3 + i] or 0) for row in current) for i, group in enumerate(groups)
    }
    prev_start, prev_end = params.previous
    prev_filter = [
        IdeaVote.created_at >= prev_start,
        IdeaVote.created_at < prev_end,
        *_board_votes(params),
        _not_merged_away(),
    ]
    prev_total, prev_weighted = db.session.execute(
        select(func.count(), func.sum(weight)).where(*prev_filter)
    ).one()
    votes = {row[0]: int(row[1]) for row in current}
    weighted = {row[0]: float(row[2] or 0) for row in current}
    by_votes = sorted(votes, key=lambda i: (-votes[i], -weighted[i], i))[:TOP]
    by_weighted = sorted(weighted, key=lambda i: (-weighted[i], -votes[i], i))[:TOP]
    shown = set(by_votes) | set(by_weighted)
    previous = (
        dict(
            db.session.execute(
                select(IdeaVote.idea_id, func.count())
                .where(
                    IdeaVote.idea_id.in_(shown),
                    IdeaVote.created_at >= prev_start,
                    IdeaVote.created_at < prev_end,
                )
                .group_by(IdeaVote.idea_id)
            ).all()
        )
        if shown
        else {}
    )
    ideas = {
        row.id: row
        for row in db.session.execute(
            select(Idea.id, Idea.title, Idea.slug, Idea.status, Idea.board_id).where(
                Idea.id.in_(shown)
            )
        )
    }

    def idea_cell(idea_id: int) -> Cell:
        row = ideas[idea_id]
        return Cell(row.title, idea_href(row.id, row.slug))

    top_votes = Table(
        "top-votes",
        _("By votes"),
        [_("Idea"), _("Board"), _("Status"), _("Votes"), _("Previous period"), _("Change")],
        numeric={3, 4, 5},
        chart="bars",
        chart_column=3,
    )
    for idea_id in by_votes:
        row = ideas[idea_id]
        before = int(previous.get(idea_id, 0))
        board = boards.get(row.board_id)
        top_votes.rows.append(
            [
                idea_cell(idea_id),
                Cell(board.name(locale) if board else ""),
                Cell(status_names.get(row.status, row.status)),
                Cell(number(votes[idea_id]), value=votes[idea_id]),
                Cell(number(before), value=before),
                Cell(change(votes[idea_id], before)),
            ]
        )
    top_weighted = Table(
        "top-weighted",
        _(
            "By weighted votes (%(attribute)s)",
            attribute=poll_services.attribute_label(params.weight_by),
        ),
        [_("Idea"), _("Weighted votes"), _("Votes"), _("Rank by votes")],
        numeric={1, 2, 3},
        chart="bars",
        chart_column=1,
    )
    vote_rank = {
        idea_id: n
        for n, idea_id in enumerate(sorted(votes, key=lambda i: (-votes[i], -weighted[i], i)), 1)
    }
    for idea_id in by_weighted:
        top_weighted.rows.append(
            [
                idea_cell(idea_id),
                Cell(number(weighted[idea_id]), value=weighted[idea_id]),
                Cell(number(votes[idea_id]), value=votes[idea_id]),
                Cell(number(vote_rank[idea_id])),
            ]
        )

    summary = Table(
        "summary",
        _("This period and the one before"),
        [_("Figure"), _("This period"), _("Previous period"), _("Change")],
        numeric={1, 2, 3},
    )

    def count_ideas(start: datetime, end: datetime) -> int:
        return (
            db.session.scalar(
                select(func.count())
                .select_from(Idea)
                .where(
                    Idea.created_at >= start,
                    Idea.created_at < end,
                    Idea.merged_into_id.is_(None),
                    *_board_ideas(params),
                )
            )
            or 0
        )

    def count_responses(start: datetime, end: datetime) -> int:
        return (
            db.session.scalar(
                select(func.count())
                .select_from(IdeaStatusChange)
                .join(Idea, Idea.id == IdeaStatusChange.idea_id)
                .where(
                    IdeaStatusChange.created_at >= start,
                    IdeaStatusChange.created_at < end,
                    IdeaStatusChange.response != "",
                    *_board_ideas(params),
                )
            )
            or 0
        )

    ideas_link = url_for("reports.feedback_ideas", **params.query(view="posted"))
    figures = [
        (
            _("Ideas posted"),
            count_ideas(params.start, params.end),
            count_ideas(prev_start, prev_end),
            ideas_link,
        ),
        (
            _("Votes"),
            sum(votes.values()),
            int(prev_total or 0),
            url_for("reports.feedback_ideas", **params.query()),
        ),
        (_("Weighted votes"), sum(weighted.values()), float(prev_weighted or 0), None),
        (
            _("Official responses"),
            count_responses(params.start, params.end),
            count_responses(prev_start, prev_end),
            None,
        ),
    ]
    for label, now_value, before, href in figures:
        summary.rows.append(
            [
                Cell(label),
                Cell(number(now_value), href, now_value),
                Cell(number(before), value=before),
                Cell(change(now_value, before)),
            ]
        )
    return summary, top_votes, top_weighted, (by_cell, sum(votes.values()))


def who_asks_cells() -> list[tuple[str, str]]:
    """The snapshot cells "who asks" counts: every tier, lifecycle stage and value band."""
    return [(a, c) for a in ("tier", "stage", "value_band") for c in cells(a)]


def _who_asks(
    params: Params,
    vote_filter: list[Any],
    locale: str,
    by_cell: dict[tuple[str, str], int],
    total: int,
) -> list[Table]:
    """Votes of the period by the voters' snapshot: tier, lifecycle stage and value band as
    counted per cell in the per-idea pass (`_ideas_tables`: a sum per cell, read from the
    report's covering index), then interests in a second pass (a sum per known interest:
    "the snapshot's list holds it")."""
    slugs = list(db.session.scalars(select(Interest.slug).order_by(Interest.position, Interest.id)))
    interest_sums = (
        db.session.execute(
            select(
                *[
                    func.sum(case((has_interest(IdeaVote.interests, slug), 1), else_=0))
                    for slug in slugs
                ]
            ).where(*vote_filter)
        ).one()
        if slugs
        else ()
    )
    rows = [(a, c, n) for (a, c), n in by_cell.items()]
    tables = []
    for attribute, title in (
        ("tier", _("Votes by tier")),
        ("stage", _("Votes by lifecycle stage")),
        ("value_band", _("Votes by value band")),
    ):
        counts = {c: n for a, c, n in rows if a == attribute}
        table = Table(
            f"who-{attribute.replace('_', '-')}",
            title,
            [_("Group"), _("Votes"), _("Share")],
            numeric={1, 2},
            chart="bars",
        )
        for cell in cells(attribute):
            n = counts.get(cell, 0)
            href = url_for("reports.feedback_ideas", **params.query(**{attribute: cell}))
            table.rows.append(
                [
                    Cell(poll_services.cell_label(attribute, cell)),
                    Cell(number(n), href if n else None, n),
                    Cell(percent(n / total if total else None)),
                ]
            )
        tables.append(table)
    by_interest = {slug: int(interest_sums[i] or 0) for i, slug in enumerate(slugs)}
    top = sorted((s for s in slugs if by_interest[s]), key=lambda s: (-by_interest[s], s))
    names = _interest_names(top[:MAX_INTERESTS], locale)
    table = Table(
        "who-interest",
        _("Votes by interest"),
        [_("Interest"), _("Votes"), _("Share of votes")],
        numeric={1, 2},
        chart="bars",
        note=_("A voter with several interests counts once under each."),
    )
    for slug in top[:MAX_INTERESTS]:
        n = by_interest[slug]
        href = url_for("reports.feedback_ideas", **params.query(interest=slug))
        table.rows.append(
            [
                Cell(names.get(slug, slug)),
                Cell(number(n), href, n),
                Cell(percent(n / total if total else None)),
            ]
        )
    tables.append(table)
    return tables


def has_interest(column: Any, slug: str) -> Any:
    """The snapshot's JSON list of slugs holds `slug` (slugs are [a-z0-9-]: no escaping)."""
    return cast(column, Text).like(f'%"{slug}"%')


def _interest_values(column: Any) -> Any:
    """The JSON list of interest slugs as rows (`value`), on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.json_array_elements_text(column).table_valued("value").lateral()
    return func.json_each(column).table_valued("value")


def _interest_names(slugs: list[str], locale: str) -> dict[str, str]:
    if not slugs:
        return {}
    return {
        i.slug: i.name(locale)
        for i in db.session.scalars(select(Interest).where(Interest.slug.in_(slugs)))
    }


def _funnel(params: Params, statuses: list[IdeaStatus], locale: str) -> list[Table]:
    """Ideas posted in the period, by each status they reached (now or in their timeline),
    in the statuses' order; then the time to the first official response."""
    posted = [
        Idea.created_at >= params.start,
        Idea.created_at < params.end,
        Idea.merged_into_id.is_(None),
        *_board_ideas(params),
    ]
    reached = union(
        select(Idea.id.label("idea_id"), Idea.status.label("status")).where(*posted),
        select(IdeaStatusChange.idea_id, IdeaStatusChange.new_status)
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .where(*posted),
        select(IdeaStatusChange.idea_id, IdeaStatusChange.old_status)
        .join(Idea, Idea.id == IdeaStatusChange.idea_id)
        .where(*posted, IdeaStatusChange.old_status.is_not(None)),
    ).subquery()
    counts = dict(
        db.session.execute(
            select(reached.c.status, func.count(distinct(reached.c.idea_id))).group_by(
                reached.c.status
            )
        ).all()
    )
    total = db.session.scalar(select(func.count()).select_from(Idea).where(*posted)) or 0
    funnel = Table(
        "funnel",
        _("Ideas posted in the period, by the statuses they reached"),
        [_("Status"), _("Ideas"), _("Share of ideas posted")],
        numeric={1, 2},
        chart="bars",
    )
    for status in statuses:
        n = int(counts.get(status.slug, 0))
        href = url_for("reports.feedback_ideas", **params.query(view="posted", status=status.slug))
        funnel.rows.append(
            [
                Cell(status.name(locale)),
                Cell(number(n), href if n else None, n),
                Cell(percent(n / total if total else None)),
            ]
        )

    delays = [
        (responded - created).total_seconds() / 86400
        for created, responded in db.session.execute(
            select(Idea.created_at, Idea.first_response_at).where(
                *posted, Idea.first_response_at.is_not(None)
            )
        )
    ]
    response = Table(
        "response", _("Time to the first official response"), [_("Figure"), _("Value")], numeric={1}
    )
    answered = len(delays)
    response.rows = [
        [
            Cell(_("Ideas with an official response")),
            Cell(
                number(answered),
                url_for("reports.feedback_ideas", **params.query(view="posted", responded="yes")),
                answered,
            ),
        ],
        [
            Cell(_("Ideas still waiting")),
            Cell(
                number(total - answered),
                url_for("reports.feedback_ideas", **params.query(view="posted", responded="no")),
                total - answered,
            ),
        ],
        [
            Cell(_("Median time to respond (days)")),
            Cell(number(statistics.median(delays)) if delays else "—"),
        ],
        [
            Cell(_("Mean time to respond (days)")),
            Cell(number(statistics.fmean(delays)) if delays else "—"),
        ],
    ]
    return [funnel, response]


def _discussed(params: Params, status_names: dict[str, str]) -> Table:
    table = Table(
        "discussed",
        _("Ideas with the most comments, active in the period"),
        [_("Idea"), _("Status"), _("Comments"), _("Votes")],
        numeric={2, 3},
        chart="bars",
        chart_column=2,
    )
    for row in db.session.execute(
        select(Idea.id, Idea.title, Idea.slug, Idea.status, Idea.comment_count, Idea.vote_count)
        .where(
            Idea.last_activity_at >= params.start,
            Idea.last_activity_at < params.end,
            Idea.comment_count > 0,
            Idea.merged_into_id.is_(None),
            *_board_ideas(params),
        )
        .order_by(Idea.comment_count.desc(), Idea.id)
        .limit(TOP)
    ):
        table.rows.append(
            [
                Cell(row.title, idea_href(row.id, row.slug)),
                Cell(status_names.get(row.status, row.status)),
                Cell(number(row.comment_count), value=row.comment_count),
                Cell(number(row.vote_count), value=row.vote_count),
            ]
        )
    return table


def _polls(params: Params, locale: str) -> list[Table]:
    """Polls open during the period (those embedded in another board's ideas left out when a
    board is chosen): per option, the answers from each tier, stage and interest."""
    query = (
        select(Poll)
        .where(
            Poll.opens_at < params.end,
            or_(Poll.closes_at.is_(None), Poll.closes_at >= params.start),
        )
        .order_by(Poll.opens_at.desc())
        .limit(MAX_POLLS)
    )
    if params.board is not None:
        query = query.where(
            or_(
                Poll.idea_id.is_(None),
                Poll.idea_id.in_(select(Idea.id).where(Idea.board_id == params.board.id)),
            )
        )
    tables: list[Table] = []
    for poll in db.session.scalars(query):
        tables.extend(_poll_tables(poll, locale))
    return tables


def _poll_tables(poll: Poll, locale: str) -> list[Table]:
    title = poll.title(locale)
    out = []
    for attribute, label in (
        ("tier", _("by tier")),
        ("stage", _("by lifecycle stage")),
        ("interest", _("by interest")),
    ):
        if attribute == "interest":
            expanded = _interest_values(PollAnswer.interests)
            group = expanded.c.value
        else:
            group = getattr(PollAnswer, attribute)
        if poll.kind == "number":
            query = select(group, func.avg(PollAnswer.number_value), func.count()).where(
                PollAnswer.poll_id == poll.id
            )
            if attribute == "interest":
                query = query.select_from(PollAnswer).join(expanded, literal(True))
            rows = db.session.execute(query.group_by(group)).all()
            groups = _ordered_groups(attribute, [r[0] for r in rows])
            values = {r[0]: (float(r[1]), int(r[2])) for r in rows}
            table = Table(
                f"poll-{poll.id}-{attribute}",
                f"{title} — {label}",
                [_("Answer"), *[_group_label(attribute, g, locale) for g in groups]],
                numeric=set(range(1, len(groups) + 1)),
            )
            table.rows.append(
                [Cell(_("Mean"))]
                + [Cell(number(values[g][0]), _answers_href(poll, attribute, g)) for g in groups]
            )
            table.rows.append(
                [Cell(_("Answers"))]
                + [
                    Cell(number(values[g][1]), _answers_href(poll, attribute, g), values[g][1])
                    for g in groups
                ]
            )
        else:
            query = (
                select(PollChoice.option_id, group, func.count())
                .select_from(PollChoice)
                .join(PollAnswer, PollAnswer.id == PollChoice.answer_id)
                .where(PollChoice.poll_id == poll.id)
            )
            if poll.kind == "ranked":
                query = query.where(PollChoice.rank == 1)
            if attribute == "interest":
                query = query.join(expanded, literal(True))
            rows = db.session.execute(query.group_by(PollChoice.option_id, group)).all()
            groups = _ordered_groups(attribute, [r[1] for r in rows])
            counts = {(r[0], r[1]): int(r[2]) for r in rows}
            heading = _("First choice") if poll.kind == "ranked" else _("Option")
            table = Table(
                f"poll-{poll.id}-{attribute}",
                f"{title} — {label}",
                [heading, *[_group_label(attribute, g, locale) for g in groups]],
                numeric=set(range(1, len(groups) + 1)),
            )
            for option in poll.options:
                table.rows.append(
                    [Cell(option.label(locale))]
                    + [
                        Cell(
                            number(counts.get((option.id, g), 0)),
                            _answers_href(poll, attribute, g, option.id)
                            if counts.get((option.id, g))
                            else None,
                            counts.get((option.id, g), 0),
                        )
                        for g in groups
                    ]
                )
        if attribute == "interest":
            table.note = _("An answerer with several interests counts once under each.")
        out.append(table)
    return out


def _ordered_groups(attribute: str, found: list[str]) -> list[str]:
    if attribute == "interest":
        return sorted(set(found))[:MAX_INTERESTS]
    order = cells(attribute)
    return [c for c in order if c in set(found)]


def _group_label(attribute: str, value: str, locale: str) -> str:
    if attribute == "interest":
        return _interest_names([value], locale).get(value, value)
    return poll_services.cell_label(attribute, value)


def _answers_href(poll: Poll, attribute: str, group: str, option_id: int | None = None) -> str:
    args: dict[str, Any] = {attribute: group}
    if option_id is not None:
        args["option"] = option_id
    return url_for("polls.answers", poll_id=poll.id, **args)


# --- the ideas behind a figure -------------------------------------------------------------


def ideas_behind(params: Params, args: Any, limit: int = 100) -> tuple[list[dict[str, Any]], str]:
    """The ideas a figure counts: with `view=posted`, ideas posted in the period (by status
    reached, or with/without a response); otherwise ideas by their votes of the period,
    restricted to one snapshot cell (tier, stage, value band, interest) when given."""
    locale = _locale()
    status_names = {s.slug: s.name(locale) for s in db.session.scalars(select(IdeaStatus))}
    if args.get("view") == "posted":
        posted = [
            Idea.created_at >= params.start,
            Idea.created_at < params.end,
            Idea.merged_into_id.is_(None),
            *_board_ideas(params),
        ]
        status = (args.get("status") or "")[:40]
        if status:
            reached = select(IdeaStatusChange.idea_id).where(
                or_(IdeaStatusChange.new_status == status, IdeaStatusChange.old_status == status)
            )
            posted.append(or_(Idea.status == status, Idea.id.in_(reached)))
        if args.get("responded") == "yes":
            posted.append(Idea.first_response_at.is_not(None))
        elif args.get("responded") == "no":
            posted.append(Idea.first_response_at.is_(None))
        rows = db.session.execute(
            select(Idea.id, Idea.title, Idea.slug, Idea.status, Idea.vote_count)
            .where(*posted)
            .order_by(Idea.created_at.desc())
            .limit(limit)
        ).all()
        label = _("Ideas posted in the period")
        return [
            {
                "id": r.id,
                "title": r.title,
                "href": idea_href(r.id, r.slug),
                "status": status_names.get(r.status, r.status),
                "votes": r.vote_count,
            }
            for r in rows
        ], label
    filters = _vote_filter(params)
    label_parts = []
    for attribute in ATTRIBUTES:
        value = (args.get(attribute) or "")[:16]
        if value:
            filters.append(getattr(IdeaVote, attribute) == value)
            label_parts.append(poll_services.cell_label(attribute, value))
    query = (
        select(Idea.id, Idea.title, Idea.slug, Idea.status, func.count().label("votes"))
        .select_from(IdeaVote)
        .join(Idea, Idea.id == IdeaVote.idea_id)
    )
    interest = (args.get("interest") or "")[:60]
    if interest:
        filters.append(has_interest(IdeaVote.interests, re.sub(r"[^a-z0-9-]", "", interest)))
        label_parts.append(_interest_names([interest], locale).get(interest, interest))
    rows = db.session.execute(
        query.where(*filters)
        .group_by(Idea.id, Idea.title, Idea.slug, Idea.status)
        .order_by(func.count().desc(), Idea.id)
        .limit(limit)
    ).all()
    label = _("Votes of the period") + (": " + ", ".join(label_parts) if label_parts else "")
    return [
        {
            "id": r.id,
            "title": r.title,
            "href": idea_href(r.id, r.slug),
            "status": status_names.get(r.status, r.status),
            "votes": r.votes,
        }
        for r in rows
    ], label
