"""Search pages. Thin: parse the request, call the search service, render.

Bad input never fails: an empty or odd query, unknown filters or a page past the end
give a normal page with a message (app.search.services handles each).
"""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from app.search import bp, services
from app.search.query import MAX_QUERY_CHARS


def _locale() -> str:
    return str(get_locale() or "en")


@bp.get("/search")
def search():  # type: ignore[no-untyped-def]
    filters = services.parse_filters(request.args)
    page = services.search(current_user, request.args.get("q"), filters, _locale())
    args = {
        k: v
        for k, v in {
            "q": page.query.text,
            "type": filters.type,
            "place": filters.place,
            "author": filters.author,
            "date": filters.date,
            "date_from": filters.date_from.isoformat() if filters.date_from else None,
            "date_to": filters.date_to.isoformat() if filters.date_to else None,
            "sort": filters.sort if filters.sort != "relevance" else None,
        }.items()
        if v
    }

    def link(**changes: object) -> str:
        """This search with some arguments changed (None removes one; page 1 by default)."""
        merged = {**args, **changes}
        return url_for("search.search", **{k: v for k, v in merged.items() if v})

    status = 503 if page.unavailable else 200
    return (
        render_template(
            "search/results.html",
            page=page,
            filters=filters,
            link=link,
            max_query_chars=MAX_QUERY_CHARS,
        ),
        status,
    )


@bp.get("/search/suggest")
def suggest():  # type: ignore[no-untyped-def]
    """Similar topics for the composer: JSON `{"results": [{title, url, place}]}`."""
    results = services.suggest(current_user, request.args.get("q"), _locale())
    return jsonify(results=results)
