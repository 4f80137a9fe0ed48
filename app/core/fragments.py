"""Rendered fragments cached by everything they show: Discourse's cooked posts for Jinja.

A topic page renders twenty posts through one macro, and that macro was most of what a
member's request cost. Its output is a pure function of: the post's row, its author's
row, the few topic fields it reads (TOPIC_FIELDS), the macro's keyword arguments, the
viewer's standing (logged in, the author or not, role), the language, and the relative
times shown ("3 hours ago"). `cached_post` keys the fragment on exactly those, so viewers
alike share it, an edit, a like or a renamed author makes a new key, and nothing has to
be invalidated. What is one viewer's (their like, their right to edit...) is not in the
fragment: the post's actions are a viewer hole (app/core/holes.py), which the same cache
serves through `cached_fragment`.

The post and author rows are keyed by *all* their table columns (new columns join the key
by themselves), so a column another helper adds and shows in the macro cannot go stale.
Per-session bits never enter the cache: the session's CSRF token is swapped for a
placeholder when a fragment is stored, and put in once for the whole page when its holes
are filled (`holes.fill`).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, has_request_context, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import Column
from sqlalchemy import inspect as sa_inspect

_KEY = "cercle.fragments"
# Never in anything a member wrote: their text reaches the macro escaped ("<" as "&lt;") or
# sanitised (NUL bytes replaced), while a display name may hold NUL bytes on SQLite.
CSRF_PLACEHOLDER = "\x00<csrf>\x00"
_COLUMNS: dict[type, tuple[tuple[str, ...], tuple[str, ...]]] = {}


class FragmentCache:
    """A bounded LRU of rendered fragments, shared by the process's threads."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, str] = OrderedDict()
        self.lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key: tuple) -> str | None:
        with self.lock:
            value = self.entries.get(key)
            if value is None:
                self.misses += 1
                return None
            self.entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: tuple, value: str) -> None:
        with self.lock:
            self.entries[key] = value
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def cache_of(app: Flask) -> FragmentCache:
    return app.extensions[_KEY]


_PLAIN = (bool, int, float, str, type(None))
_PLAIN_TYPES = frozenset(_PLAIN)


def _frozen(value: Any) -> Any:
    """A hashable stand-in for a value (dicts, lists and sets of plain values)."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(_frozen(v) for v in value))
    return value


def _columns(cls: type) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The table columns of a mapped class: (plain ones, ones holding JSON)."""
    columns = _COLUMNS.get(cls)
    if columns is None:
        plain, structured = [], []
        for attr in sa_inspect(cls).column_attrs:
            # Table columns only: a column_property (a per-row subquery) is no part of it.
            if not all(isinstance(column, Column) for column in attr.columns):
                continue
            try:
                is_plain = issubclass(attr.columns[0].type.python_type, _PLAIN)
            except NotImplementedError:
                is_plain = False
            (plain if is_plain else structured).append(attr.key)
        columns = _COLUMNS[cls] = (tuple(plain), tuple(structured))
    return columns


def row_version(obj: Any) -> tuple:
    """Every table column of an ORM row, as a hashable tuple (empty for no row)."""
    if obj is None:
        return ()
    plain, structured = _columns(type(obj))
    values = obj.__dict__  # loaded columns; one not loaded yet is read (and loaded) as usual
    return (
        *(values[name] if name in values else getattr(obj, name) for name in plain),
        *(_frozen(values[name] if name in values else getattr(obj, name)) for name in structured),
    )


# What the post macro reads of its topic (not its counters: a like or a reply elsewhere
# in the topic must not make every post of it new). A macro reading more adds it here.
TOPIC_FIELDS = (
    "id", "slug", "author_id", "category_id", "locked", "deleted_at", "solution_post_id",
)  # fmt: skip


def _csrf_token() -> str | None:
    return g.get("csrf_token")  # Flask-WTF keeps the request's token there once made


def cached_post(
    macro: Callable[..., Any],
    post: Any,
    topic: Any,
    permalink: str,
    **viewer: Any,
) -> Markup:
    """The topic page's post macro, served from the fragment cache when nothing it shows
    has changed; `viewer` holds the macro's keyword arguments (the per-viewer bits)."""
    cache = cache_of(current_app)
    if cache.max_entries <= 0:
        return macro(post, topic, permalink, **viewer)
    from app.core.templating import request_cache, timeago

    user = current_user
    authenticated = user.is_authenticated
    versions = request_cache("cercle.fragments.rows")  # the topic and authors repeat
    topic_version = versions.get(("topic", id(topic)))
    if topic_version is None:
        topic_version = versions[("topic", id(topic))] = tuple(
            getattr(topic, name, None) for name in TOPIC_FIELDS
        )
    author = post.author
    author_version = versions.get(("member", id(author)))
    if author_version is None:
        author_version = versions[("member", id(author))] = row_version(author)
    key = (
        type(post),
        row_version(post),
        author_version,
        topic_version,
        permalink,
        tuple(viewer),  # the call site fixes the order of the arguments
        tuple(v if type(v) in _PLAIN_TYPES else _frozen(v) for v in viewer.values()),
        # the viewer's standing, not their identity: members alike share fragments
        authenticated,
        authenticated and user.id == post.author_id,
        user.role if authenticated else None,
        getattr(user, "trust_level", None) if authenticated else None,
        str(get_locale()),
        timeago(post.created_at),
        timeago(post.deleted_at) if post.deleted_at else None,
    )
    # safe: the macro's own output (its CSRF placeholder is filled in by holes.fill)
    return Markup(cached_fragment(key, lambda: macro(post, topic, permalink, **viewer)))


def cached_fragment(key: tuple, render: Callable[[], Any]) -> str:
    """`render()`'s text, from the fragment cache under `key` when it is there (a key
    names everything the text shows), with the session's CSRF token as a placeholder: the
    page's viewer holes are filled, and the token put in once, after it is rendered
    (`holes.fill`). For the viewer holes' renderers and the topic page's posts."""
    if has_request_context():
        g.cercle_holes_used = True  # so that the page goes through holes.fill
    cache = cache_of(current_app)
    text = cache.get(key) if cache.max_entries > 0 else None
    if text is None:
        html = str(render())
        token = _csrf_token()  # the render may have made it
        text = html.replace(token, CSRF_PLACEHOLDER) if token else html
        if cache.max_entries > 0:
            cache.put(key, text)
    return text


# Signed CSRF tokens by session token: signing one (itsdangerous) costs about as much as
# the rest of a member's cached page. A signed token stays valid WTF_CSRF_TIME_LIMIT
# (an hour by default); one signed less than REUSE_SECONDS ago is handed out again.
_SIGNED: OrderedDict[str, tuple[float, str]] = OrderedDict()
_SIGNED_LOCK = threading.Lock()
REUSE_SECONDS = 300
_SIGNED_MAX = 10_000


def csrf_token() -> str:
    """This session's CSRF token for a form: Flask-WTF's `generate_csrf`, reusing a token
    signed for the same session in the last few minutes."""
    token = g.get("csrf_token") or _reused_token()
    if token is not None:
        return token
    token = generate_csrf()
    _remember_token()
    return token


def _remember_token() -> None:
    """Keep the token this request signed (here, or in a form Flask-WTF built)."""
    token, raw = g.get("csrf_token"), session.get("csrf_token")
    if token is None or raw is None or g.get("cercle_token_reused"):
        return
    with _SIGNED_LOCK:
        _SIGNED[raw] = (time.monotonic(), token)
        while len(_SIGNED) > _SIGNED_MAX:
            _SIGNED.popitem(last=False)


def _reused_token() -> str | None:
    """The token signed for this session a moment ago, put where Flask-WTF looks first
    (`g.csrf_token`): forms built by the view then carry the same one as the page."""
    raw = session.get("csrf_token")
    if raw is None:
        return None
    limit = current_app.config.get("WTF_CSRF_TIME_LIMIT", 3600)
    if limit is not None and limit <= 2 * REUSE_SECONDS:
        return None
    with _SIGNED_LOCK:
        found = _SIGNED.get(raw)
    if found is None or time.monotonic() - found[0] >= REUSE_SECONDS:
        return None
    g.csrf_token = found[1]
    g.cercle_token_reused = True
    return found[1]


def init_app(app: Flask) -> None:
    app.config.setdefault("FRAGMENT_CACHE_ENTRIES", 5000)
    app.extensions[_KEY] = FragmentCache(app.config["FRAGMENT_CACHE_ENTRIES"])
    app.jinja_env.globals["cached_post"] = cached_post
    app.jinja_env.globals["csrf_token"] = csrf_token  # Flask-WTF's, reusing signed tokens

    @app.before_request
    def _reuse_token() -> None:  # before any view builds a form
        _reused_token()

    @app.after_request
    def _keep_token(response):  # type: ignore[no-untyped-def]
        _remember_token()
        return response
