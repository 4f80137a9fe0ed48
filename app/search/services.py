"""Searching: what a viewer may find, and the `searched` event for each search.

The one rule: a viewer finds only documents in scopes they may read (each source's
`scopes(viewer)`, e.g. the forums' readable categories), applied inside the backend's
query, so results, totals, facet counts, snippets and "did you mean" never reveal the
rest. Result lines are then loaded from the database, dropping anything deleted or
hidden since it was indexed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape

from app.core.db import unit_of_work
from app.core.events import emit
from app.core.time import utcnow
from app.search.analysis import fold, spans
from app.search.backends import DATE_RANGES, SearchRequest, SearchUnavailable, get_backend
from app.search.documents import Shown, readable_scopes, sources, split_key
from app.search.events import Searched
from app.search.query import ParsedQuery, parse

log = logging.getLogger(__name__)

PER_PAGE = 20
MAX_PAGE = 500
SNIPPET_CHARS = 220
SUGGEST_LIMIT = 5
SORTS = ("relevance", "newest")


@dataclass
class Filters:
    type: str | None = None
    place: str | None = None
    author: str | None = None
    date: str | None = None  # week, month, year
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"
    page: int = 1
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    key: str
    type: str
    url: str
    title: Markup
    snippet: Markup
    author_name: str
    author_username: str
    place_label: str
    created: datetime


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class SearchPage:
    query: ParsedQuery
    filters: Filters
    results: list[Result] = field(default_factory=list)
    total: int = 0
    pages: int = 1
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None
    unavailable: str | None = None
    past_end: bool = False
    unknown_place: bool = False

    @property
    def searched(self) -> bool:
        return not self.query.is_empty


def parse_filters(args: Any) -> Filters:
    """The filter form's values; a bad one gets a message and is ignored, never a 500."""
    filters = Filters()
    filters.type = (args.get("type") or "").strip()[:20] or None
    filters.place = (args.get("place") or "").strip()[:60] or None
    filters.author = (args.get("author") or "").strip().lstrip("@").lower()[:40] or None
    preset = (args.get("date") or "").strip()
    filters.date = preset if preset in DATE_RANGES else None
    sort = args.get("sort") or "relevance"
    filters.sort = sort if sort in SORTS else "relevance"
    for name in ("date_from", "date_to"):
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        try:
            setattr(filters, name, date.fromisoformat(raw[:10]))
        except ValueError:
            filters.errors[name] = _("A date such as 2026-03-31.")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        filters.errors["date_to"] = _("The end date comes before the start date.")
        filters.date_to = None
    try:
        filters.page = min(max(int(args.get("page") or 1), 1), MAX_PAGE)
    except ValueError:
        filters.page = 1
    return filters


def _date_bounds(filters: Filters, now: datetime) -> tuple[datetime | None, datetime | None]:
    start = end = None
    if filters.date:
        start = now - timedelta(days=DATE_RANGES[filters.date])
    if filters.date_from:
        start = datetime.combine(filters.date_from, time.min, tzinfo=UTC)
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=UTC)
    return start, end


def highlight(text: str, wanted: set[str], limit: int = SNIPPET_CHARS) -> Markup:
    """`text` escaped, cut around the first match, matched words in <mark>."""
    matches = [(s, e) for s, e, term in spans(text) if term in wanted] if wanted else []
    start = 0
    if limit and len(text) > limit:
        if matches:
            start = max(0, matches[0][0] - limit // 4)
            # Start at a word boundary.
            space = text.rfind(" ", 0, start)
            start = space + 1 if start and space >= 0 else start
        end = min(len(text), start + limit)
        space = text.rfind(" ", start, end)
        if end < len(text) and space > start + limit // 2:
            end = space
    else:
        end = len(text)
    out = [Markup("…") if start else Markup("")]
    cursor = start
    for s, e in matches:
        if s < cursor or e > end:
            continue
        out.append(escape(text[cursor:s]))
        out.append(Markup("<mark>") + escape(text[s:e]) + Markup("</mark>"))
        cursor = e
    out.append(escape(text[cursor:end]))
    if end < len(text):
        out.append(Markup("…"))
    return Markup("").join(out)


def _type_labels() -> dict[str, str]:
    return {"topic": _("Topics"), "reply": _("Replies"), "idea": _("Ideas"), "poll": _("Polls")}


def _date_labels() -> dict[str, str]:
    return {"week": _("Past week"), "month": _("Past month"), "year": _("Past year")}


def _facets(
    raw: dict[str, dict[str, int]], filters: Filters, places: dict[str, str]
) -> dict[str, list[FacetValue]]:
    from sqlalchemy import select

    from app.extensions import db
    from app.members.models import Member

    out: dict[str, list[FacetValue]] = {}
    types = _type_labels()
    out["type"] = [
        FacetValue(k, types.get(k, k), n, filters.type == k)
        for k, n in sorted(raw.get("type", {}).items(), key=lambda kv: -kv[1])
    ]
    out["place"] = [
        FacetValue(k, places[k], n, filters.place == k)
        for k, n in sorted(raw.get("place", {}).items(), key=lambda kv: -kv[1])
        if k in places
    ]
    authors = sorted(raw.get("author", {}).items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    names = {}
    if authors:
        rows = db.session.execute(
            select(Member.username_lower, Member.display_name).where(
                Member.username_lower.in_([a for a, _n in authors])
            )
        )
        names = dict(rows.all())
    out["author"] = [FacetValue(k, names.get(k) or k, n, filters.author == k) for k, n in authors]
    dates = _date_labels()
    out["date"] = [
        FacetValue(k, dates[k], raw.get("date", {}).get(k, 0), filters.date == k)
        for k in DATE_RANGES
    ]
    return out


def _show(keys: list[str], viewer: Any, locale: str) -> dict[str, Shown]:
    by_source: dict[str, list[int]] = {}
    for key in keys:
        name, doc_id = split_key(key)
        by_source.setdefault(name, []).append(doc_id)
    shown: dict[str, Shown] = {}
    known = sources()
    for name, ids in by_source.items():
        if name in known:
            for doc_id, line in known[name].show(ids, viewer, locale).items():
                shown[f"{name}:{doc_id}"] = line
    return shown


def _corrected(query: ParsedQuery, corrections: dict[str, str]) -> str:
    def swap(match: re.Match) -> str:
        word = match.group()
        return corrections.get(fold(word), word)

    return re.sub(r"[^\W_]+", swap, query.text)


def search(
    viewer: Any,
    raw_query: str | None,
    filters: Filters,
    locale: str = "en",
    visitor_id: str | None = None,
) -> SearchPage:
    """Search what `viewer` may read; records a `searched` event for every real search."""
    query = parse(raw_query)
    page = SearchPage(query=query, filters=filters)
    if query.is_empty:
        return page
    now = utcnow()
    scopes = readable_scopes(viewer)
    places: dict[str, str] = {}
    for source in sources().values():
        places.update(source.places(viewer, locale))
    query_place = None
    if query.place_slug:
        query_place = next(
            (
                found
                for source in sources().values()
                if (found := source.resolve_place(viewer, query.place_slug))
            ),
            None,
        )
        if query_place is None:
            page.unknown_place = True
            query_place = "none"
    if filters.place and filters.place not in places:
        filters.place = None
    start, end = _date_bounds(filters, now)
    request = SearchRequest(
        query=query,
        scopes=scopes,
        query_author=query.author,
        query_place=query_place,
        type=filters.type,
        place=filters.place,
        author=filters.author,
        date_from=start,
        date_to=end,
        sort=filters.sort,
        page=filters.page,
        per_page=PER_PAGE,
        now=now,
    )
    backend = get_backend()
    try:
        raw = backend.search(request)
        if raw.total < 3 and query.has_text and query.words:
            corrections = backend.corrections(query.words)
            if corrections:
                text = _corrected(query, corrections)
                retry = SearchRequest(
                    query=parse(text),
                    scopes=scopes,
                    query_author=query.author,
                    query_place=query_place,
                    with_facets=False,
                )
                if text != query.text and backend.count(retry) > raw.total:
                    page.suggestion = text
    except SearchUnavailable as exc:
        page.unavailable = exc.state
        return page
    page.total = raw.total
    page.pages = max(1, -(-raw.total // PER_PAGE))
    page.past_end = raw.total > 0 and filters.page > page.pages
    page.facets = _facets(raw.facets, filters, places)
    wanted = query.positive_terms()
    shown = _show([h.key for h in raw.hits], viewer, locale)
    for hit in raw.hits:
        line = shown.get(hit.key)
        if line is None:
            continue
        page.results.append(
            Result(
                key=hit.key,
                type=hit.type,
                url=line.url,
                title=highlight(line.title, wanted, limit=0),
                snippet=highlight(hit.body, wanted),
                author_name=line.author_name,
                author_username=line.author_username,
                place_label=line.place_label,
                created=hit.created,
            )
        )
    _record(viewer, visitor_id, query.text, raw.total)
    return page


def _record(viewer: Any, visitor_id: str | None, text: str, count: int) -> None:
    member_id = viewer.id if getattr(viewer, "is_authenticated", False) else None
    with unit_of_work():
        emit(Searched(member_id=member_id, visitor_id=visitor_id, query=text, result_count=count))


def suggest(viewer: Any, raw_query: str | None, locale: str = "en") -> list[dict]:
    """Up to five topics like `raw_query` (the composer's "similar discussions")."""
    query = parse(raw_query)
    if not query.has_text:
        return []
    # Any of the words (not all): a draft title is long and says things its twin does not.
    relaxed = ParsedQuery(text=query.text, terms=query.terms[:8], match_any=True)
    request = SearchRequest(
        query=relaxed,
        scopes=readable_scopes(viewer),
        type="topic",
        per_page=SUGGEST_LIMIT,
        with_facets=False,
    )
    try:
        hits = get_backend().search(request).hits
    except SearchUnavailable:
        return []
    hits = hits[:SUGGEST_LIMIT]
    shown = _show([h.key for h in hits], viewer, locale)
    return [
        {
            "title": shown[h.key].title,
            "url": shown[h.key].url,
            "place": shown[h.key].place_label,
        }
        for h in hits
        if h.key in shown
    ]
