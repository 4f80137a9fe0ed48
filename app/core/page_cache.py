"""Whole pages for visitors, cached in the process: Discourse's anonymous cache, kept fresh.

A visitor (not logged in, nothing flashed, no session written) reading a hot page — a
topic, a category, /latest — gets the very page another visitor got, in the same language
and with the same consent banner; rendering it again is most of what the request costs.
An area declares which endpoints may be cached (`cacheable`), and what must still happen
on a hit (the topic page counts its view).

Freshness: every INSERT, UPDATE or DELETE on a table that pages may show (any table not
in UNSHOWN_TABLES) bumps a process-wide generation, at the statement and again at its
commit, and a cached page is served only for the generation it was rendered in. Within
one process a page is therefore never older than the last write. Another process's
writes are not seen: there an entry lives PAGE_CACHE_SECONDS at most (10 by default), as
Discourse's anonymous cache does. Members never read from it, nor write to it.

Never cached: a response that sets a cookie (it belongs to one browser: a session, a
CSRF token), anything but a 200 HTML answer to a GET, a request with a query argument
other than `page`, a request asking for JSON first.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, g, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

# Every write bumps the generation except one to a table no cached page shows (the event
# log, read positions, mail, drafts...): a blocklist, so that a table added later (or one
# forgotten here, as idea_boards was: a board restricted by an admin stayed readable by
# visitors) invalidates the pages by default. Those written on hot paths must be here, or
# the cache never hits.
UNSHOWN_TABLES = frozenset(
    {
        "domain_events", "event_subscribers", "parked_events",
        "engagement_events", "member_active_days", "member_affinities", "member_profiles",
        "pending_profiles", "lifecycle_changes", "member_consents", "staff_notes",
        "points_daily", "ledger_entries",
        "notifications", "notification_states", "notification_preferences", "outbox_messages",
        "search_queue", "search_documents",
        "topic_read_states", "topic_view_days", "drafts", "bookmarks", "topic_follows",
        "idea_follows",
        "audit_entries", "review_items", "flags", "trust_stats",
        "api_keys", "webhook_deliveries", "webhook_endpoints", "alembic_version",
    }
)  # fmt: skip
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)', re.I)
_CACHE_KEY = "cercle.page_cache"
_HIT_KEY = "cercle.page_cache.hit"
ALLOWED_ARGS = frozenset({"page"})


@dataclass
class Entry:
    body: bytes
    mimetype: str
    generation: int
    stored_at: float
    meta: dict[str, Any] = field(default_factory=dict)


class PageCache:
    """A bounded LRU of rendered pages, keyed by endpoint, path, language and banner."""

    def __init__(self, max_entries: int, seconds: float) -> None:
        self.max_entries = max_entries
        self.seconds = seconds
        self._counter = itertools.count(1)
        self.generation = 0
        self.entries: OrderedDict[tuple, Entry] = OrderedDict()
        self.lock = threading.Lock()
        self.on_hit: dict[str, Callable[[dict[str, Any]], None]] = {}
        self.hits = self.misses = 0

    def bump(self) -> None:
        self.generation = next(self._counter)  # next() on a count is atomic: no lock

    def get(self, key: tuple) -> Entry | None:
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            if (
                entry.generation != self.generation
                or time.monotonic() - entry.stored_at > self.seconds
            ):
                del self.entries[key]
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple, entry: Entry) -> None:
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()
            self.bump()


def cache_of(app: Flask) -> PageCache:
    return app.extensions[_CACHE_KEY]


def cacheable(
    app: Flask, endpoint: str, on_hit: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """Let visitors' pages of `endpoint` be cached; `on_hit(meta)` runs on each hit, with
    what the view gave `remember()` when the page was rendered."""
    cache = cache_of(app)
    cache.on_hit[endpoint] = on_hit or (lambda meta: None)


def remember(**meta: Any) -> None:
    """Called by a view: what a later hit needs to know of this render (e.g. the topic)."""
    g.page_cache_meta = meta


def _watch_writes(cache: PageCache) -> None:
    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement[:1] in "SsWw":  # SELECT, WITH: the common case, decided at once
            return
        match = _WRITE.match(statement)
        if match and match.group(1).lower() not in UNSHOWN_TABLES:
            cache.bump()
            conn.info["cercle.page_cache.wrote"] = True

    @event.listens_for(Engine, "commit")
    def _commit(conn):  # type: ignore[no-untyped-def]
        # Bumped again once committed: a visitor who rendered between the write and its
        # commit stored the old rows under the new generation.
        if conn.info.pop("cercle.page_cache.wrote", False):
            cache.bump()

    @event.listens_for(Engine, "rollback")
    def _rollback(conn):  # type: ignore[no-untyped-def]
        if conn.info.pop("cercle.page_cache.wrote", False):
            cache.bump()


def _key() -> tuple | None:
    """The cache key of this request, or None when it may not be served from the cache."""
    from flask_babel import get_locale
    from flask_login import current_user

    if request.method != "GET" or request.endpoint is None:
        return None
    if any(name not in ALLOWED_ARGS for name in request.args):
        return None
    if session.get("_flashes") or current_user.is_authenticated:
        return None
    # Pages only: a request asking for JSON first is answered (and never cached) as usual.
    if request.accept_mimetypes.best_match(("text/html", "application/json")) not in (
        "text/html",
        None,
    ):
        return None
    # The banner shows for anything but yes/no: any other value is one key, or a client
    # sending a new value each time would evict every page.
    consent = request.cookies.get("cercle_consent")
    consent = consent if consent in ("yes", "no") else None
    return (request.endpoint, request.full_path, str(get_locale()), consent)


def init_app(app: Flask) -> None:
    """Registered last, so that every other before-request hook has run on a hit."""
    app.config.setdefault("PAGE_CACHE_SECONDS", 0 if app.testing else 10)
    app.config.setdefault("PAGE_CACHE_ENTRIES", 500)
    cache = PageCache(app.config["PAGE_CACHE_ENTRIES"], app.config["PAGE_CACHE_SECONDS"])
    app.extensions[_CACHE_KEY] = cache
    _watch_writes(cache)

    @app.before_request
    def _serve_from_cache() -> Response | None:
        if cache.seconds <= 0 or request.endpoint not in cache.on_hit:
            return None
        key = _key()
        if key is None:
            return None
        g.page_cache_key = key
        entry = cache.get(key)
        if entry is None:
            return None
        g.page_cache_generation = None  # a hit is never stored again
        cache.on_hit[request.endpoint](entry.meta)
        request.environ[_HIT_KEY] = True
        return Response(entry.body, mimetype=entry.mimetype)

    @app.after_request
    def _store(response: Response) -> Response:
        key = g.get("page_cache_key")
        if key is None or request.environ.get(_HIT_KEY):
            return response
        if (
            response.status_code != 200
            or response.mimetype != "text/html"
            or response.direct_passthrough
            or response.is_streamed
            or "Set-Cookie" in response.headers
            or session.modified
        ):
            return response
        body = response.get_data()
        # A CSRF token belongs to one session: a page showing it is never anyone else's.
        # (A returning visitor's session may hold a token already, so writing none proves
        # nothing: a form rendered for visitors by mistake would hand theirs out.)
        token = g.get("csrf_token")
        if token and token.encode() in body:
            return response
        cache.put(
            key,
            Entry(
                body=body,
                mimetype=response.mimetype or "text/html",
                generation=g.get("page_cache_generation_at_start", cache.generation),
                stored_at=time.monotonic(),
                meta=g.get("page_cache_meta") or {},
            ),
        )
        return response

    @app.before_request
    def _note_generation() -> None:
        # The generation when rendering began: a write during the render makes it stale.
        g.page_cache_generation_at_start = cache.generation
