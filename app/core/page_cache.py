"""Hot pages cached whole in the process: Discourse's anonymous cache, kept fresh, and
its extension to logged-in members.

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
Discourse's anonymous cache does. (Members: below.)

Never cached: a response that sets a cookie (it belongs to one browser: a session, a
CSRF token), anything but a 200 HTML answer to a GET, a request with a query argument
other than `page`, a request asking for JSON first.

Members (any role but staff) share pages too, through viewer holes (app/core/holes.py):
a member's page is stored as its skeleton — the page with its per-viewer spots left as
holes and the CSRF token as a placeholder — keyed by path, language and *standing* (role
and trust level), and the next member of that standing is served the skeleton with the
holes filled for them (their header, likes, bookmarks, follow button, read position...).
Before that, the endpoint's `may_serve(meta)` must agree (the topic checks the category's
audience against the member, and that no post of the page is one only its author sees),
and a render may declare itself `personal()`, never to be shared. Staff always get a page
rendered for them. For read-your-writes across processes, a member's own write (to any
table pages show, but their own row: a login stamps it) makes their next
PAGE_CACHE_SECONDS of pages render afresh.
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

from flask import Flask, Response, current_app, g, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine

from app.core import holes

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
    body: bytes  # a visitor's page, served as it is
    mimetype: str
    generation: int
    stored_at: float
    meta: dict[str, Any] = field(default_factory=dict)
    skeleton: list | None = None  # a member's page: holes to fill for each (holes.stored)


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
        self.may_serve: dict[str, Callable[[dict[str, Any]], bool]] = {}
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
            return entry  # a hit is counted once served (a member's may be refused)

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
    app: Flask,
    endpoint: str,
    on_hit: Callable[[dict[str, Any]], None] | None = None,
    members: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """Let visitors' pages of `endpoint` be cached; `on_hit(meta)` runs on each hit, with
    what the view gave `remember()` when the page was rendered. With `members`, members'
    pages are shared too, served to a member when `members(meta)` is true for them."""
    cache = cache_of(app)
    cache.on_hit[endpoint] = on_hit or (lambda meta: None)
    if members is not None:
        cache.may_serve[endpoint] = members


def personal() -> None:
    """Called while rendering: this page shows something of this viewer's outside any hole
    (their own held post...), so it is never served to another member."""
    g.page_cache_personal = True


_WROTE = "_cercle_wrote"  # session key: when the member last wrote (read-your-writes)
# Written by a member's request without being their content: a login stamps last_seen_at.
_NOT_CONTENT = frozenset({"members"})


def remember(**meta: Any) -> None:
    """Called by a view: what a later hit needs to know of this render (e.g. the topic)."""
    g.page_cache_meta = meta


def _watch_writes(cache: PageCache) -> None:
    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        if statement[:1] in "SsWw":  # SELECT, WITH: the common case, decided at once
            return
        match = _WRITE.match(statement)
        if match and (table := match.group(1).lower()) not in UNSHOWN_TABLES:
            cache.bump()
            conn.info["cercle.page_cache.wrote"] = True
            if table not in _NOT_CONTENT and has_request_context():
                g.page_cache_content_write = True  # for the member's read-your-writes

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
    if session.get("_flashes"):
        return None
    standing = None
    if current_user.is_authenticated:
        # Members share pages by standing, staff never (they see deleted posts, tools).
        if request.endpoint not in cache_of(current_app).may_serve or current_user.is_staff:
            return None
        wrote = session.get(_WROTE)
        if wrote and time.time() - wrote < cache_of(current_app).seconds:
            return None
        standing = ("member", current_user.role, current_user.trust_level)
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
    if standing is not None:
        consent = None  # the banner is for visitors only
    return (request.endpoint, request.full_path, str(get_locale()), consent, standing)


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
        if entry.skeleton is not None:
            body = _for_this_member(entry)
            if body is None:
                return None  # rendered for them below, and not stored
        else:
            body = entry.body
        g.page_cache_generation = None  # a hit is never stored again
        cache.hits += 1
        cache.on_hit[request.endpoint](entry.meta)
        request.environ[_HIT_KEY] = True
        return Response(body, mimetype=entry.mimetype)

    def _for_this_member(entry: Entry) -> bytes | None:
        from flask_login import current_user

        if not cache.may_serve[request.endpoint](entry.meta):
            g.page_cache_key = None
            cache.misses += 1
            return None
        return holes.fill(entry.skeleton, current_user._get_current_object())

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
        ):
            return response
        if key[-1] is not None:  # a member's page: its skeleton, if it may be shared
            _store_skeleton(key, response)
            return response
        if "Set-Cookie" in response.headers or session.modified:
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

    def _store_skeleton(key: tuple, response: Response) -> None:
        # The page with its holes unfilled and this member's CSRF token taken out.
        skeleton = holes.skeleton()
        if skeleton is None or g.get("page_cache_personal"):
            return
        meta = g.get("page_cache_meta") or {}
        if not cache.may_serve[request.endpoint](meta):
            return  # what this member sees may not be what the next one may see
        cache.put(
            key,
            Entry(
                body=b"",
                mimetype=response.mimetype or "text/html",
                generation=g.get("page_cache_generation_at_start", cache.generation),
                stored_at=time.monotonic(),
                meta=meta,
                skeleton=skeleton,
            ),
        )

    @app.after_request
    def _note_write(response: Response) -> Response:
        from flask_login import current_user

        if (
            g.get("page_cache_content_write")
            and response.status_code < 400
            and cache.seconds > 0
            and current_user.is_authenticated
        ):
            session[_WROTE] = int(time.time())
        return response

    # After the hooks above: Flask runs after-request hooks in reverse, so the holes are
    # filled (and the skeleton kept) before `_store` runs.
    holes.install_filler(app)

    @app.before_request
    def _note_generation() -> None:
        # The generation when rendering began: a write during the render makes it stale.
        g.page_cache_generation_at_start = cache.generation
