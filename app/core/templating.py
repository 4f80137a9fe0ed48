"""Jinja filters and globals shared by every area's templates.

Hot pages call some of these a hundred times per render (a topic page has 20 posts, each
with an avatar, a relative time and a dozen translated labels), so the costly ones are
cached: avatars and icons for the process, translations and relative times per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask import Flask, g, has_request_context, request, url_for
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_timedelta,
    get_locale,
    get_translations,
)
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.routing import BuildError

from app.core.icons import icon
from app.core.markup import safe_markdown
from app.core.time import aware, utcnow

# White initials on each colour reach WCAG AA (4.5:1): see
# tests/core/test_accessibility_and_compression.py.
AVATAR_COLOURS = (
    "#b4462f", "#2f6f8f", "#3d7a4f", "#7a4f9a", "#9c6210", "#1f7a7a", "#8f3b5c", "#4a5a8c",
)  # fmt: skip


@lru_cache(maxsize=8192)
def avatar_svg(name: str, size: int = 40) -> Markup:
    """A generated avatar: initials on a colour derived from the name (no network, no JS)."""
    name = name or "?"
    digest = hashlib.sha256(name.lower().encode()).digest()
    colour = AVATAR_COLOURS[digest[0] % len(AVATAR_COLOURS)]
    parts = [p for p in name.replace("_", " ").replace("-", " ").split() if p]
    initials = "".join(p[0] for p in parts[:2]).upper() or name[:1].upper()
    initials = Markup.escape(initials)
    font = size * 0.42
    return Markup(
        f'<svg class="avatar" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'aria-hidden="true" focusable="false"><circle cx="{size / 2}" cy="{size / 2}" '
        f'r="{size / 2}" fill="{colour}"/><text x="50%" y="50%" dy=".35em" '
        f'text-anchor="middle" fill="#fff" font-size="{font:.0f}" '
        f'font-family="system-ui, sans-serif" font-weight="600">{initials}</text></svg>'
    )


_CACHES = ("cercle.gettext", "cercle.timeago", "cercle.member_url", "cercle.badges")


def request_cache(name: str) -> dict[Any, Any]:
    """A dict that lives as long as the current request (the locale cannot change within).

    Kept on `g`, which Flask makes fresh for every request; outside a request (CLI, worker)
    nothing is cached, since one app context may then last for many jobs. Templates call
    this a hundred times per page: the proxy is resolved once per call, not per access.
    """
    if not has_request_context():
        return {}
    store = g._get_current_object()
    cache = getattr(store, name, None)
    if cache is None:
        cache = {}
        setattr(store, name, cache)
    return cache


def cached_gettext(message: str) -> str:
    """Flask-Babel's gettext, memoised for the request (see `fresh_caches` for mail)."""
    cache = request_cache("cercle.gettext")
    try:
        return cache[message]
    except KeyError:
        cache[message] = value = get_translations().ugettext(message)
        return value


def clear_request_caches() -> None:
    """Forget this request's cached translations and times (its language changed)."""
    if has_request_context():
        for key in _CACHES:
            g.pop(key, None)


@contextmanager
def fresh_caches() -> Iterator[None]:
    """Render inside with empty per-request caches (mail forces the recipient's language)."""
    if not has_request_context():
        yield
        return
    saved = {key: g.pop(key, None) for key in _CACHES}
    try:
        yield
    finally:
        for key, value in saved.items():
            g.pop(key, None)
            if value is not None:
                setattr(g, key, value)


@pass_eval_context
def template_gettext(eval_ctx: EvalContext, message: str, **variables: Any) -> str:
    """`_()` in templates: Jinja's newstyle gettext (the message is a %-format, the result
    escaped), without its two context calls and formatting per use — the topic page calls
    it hundreds of times. The finished text is cached per request when it has no values."""
    if not variables:
        cache = request_cache("cercle.gettext")
        key = (_FINISHED, message, eval_ctx.autoescape)
        try:
            return cache[key]
        except KeyError:
            pass
    text = cached_gettext(message)
    rv: Any = Markup(text) if eval_ctx.autoescape else text
    if variables or "%" in text:
        rv = rv % variables
    if not variables:
        cache[key] = rv
    return rv


@pass_eval_context
def template_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """`ngettext()` in templates, newstyle: `num` is a value of the format by default."""
    variables.setdefault("num", num)
    text = cached_ngettext(singular, plural, num)
    rv: Any = Markup(text) if eval_ctx.autoescape else text
    return rv % variables


_FINISHED = object()  # marks finished texts in the per-request gettext cache


def cached_ngettext(singular: str, plural: str, n: int) -> str:
    cache = request_cache("cercle.gettext")
    key = (singular, plural, n)
    try:
        return cache[key]
    except KeyError:
        cache[key] = value = get_translations().ungettext(singular, plural, n)
        return value


# Babel's own choice of unit (format_timedelta, threshold 0.85): the text of a relative
# time depends only on (unit, rounded value, direction), so it is cached per request on
# that, not on the exact minute — 20 posts of one page share a handful of texts.
_TIMEDELTA_UNITS = (
    ("year", 3600 * 24 * 365), ("month", 3600 * 24 * 30), ("week", 3600 * 24 * 7),
    ("day", 3600 * 24), ("hour", 3600), ("minute", 60),
)  # fmt: skip
_THRESHOLD = 0.85


def _timedelta_bucket(seconds: float) -> tuple[str, int, bool]:
    for unit, size in _TIMEDELTA_UNITS:
        value = abs(seconds) / size
        if value >= _THRESHOLD:
            return unit, max(1, round(value)), seconds < 0
    return "minute", 1, seconds < 0


def timeago(value: datetime | None) -> str:
    """ "3 hours ago" in the page's language, to the minute."""
    if value is None:
        return ""
    # Whole minutes, towards zero: 2 min 5 s ago is "2 minutes ago" (flooring said 3).
    minutes = int((aware(value) - utcnow()).total_seconds() / 60)
    if minutes == 0:
        return cached_gettext("just now")
    bucket = _timedelta_bucket(minutes * 60)
    cache = request_cache("cercle.timeago")
    text = cache.get(bucket)
    if text is None:
        text = cache[bucket] = format_timedelta(
            minutes * 60, add_direction=True, granularity="minute"
        )
    return text


# url_for builds a URL through the routing map each time (its rule, converters and query
# string): lists call it several times per row. `fast_url` builds each (endpoint, argument
# names) once with stand-in numbers, then fills in the real values as text. Only integers
# and URL-safe words (slugs) are filled in that way; anything else goes to url_for.
_URL_FORMATS: dict[tuple, tuple[str, tuple[str, ...]] | None] = {}
_STAND_IN = 7_319_000_000
_URL_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def _url_format(endpoint: str, names: tuple[str, ...]) -> tuple[str, tuple[str, ...]] | None:
    stand_ins = {name: _STAND_IN + i for i, name in enumerate(names)}
    try:
        built = url_for(endpoint, **stand_ins)
    except (BuildError, ValueError):  # a converter that refuses a number: no shortcut
        return None
    if "{" in built or "}" in built:
        return None
    order = []
    for name, number in stand_ins.items():
        if built.count(str(number)) != 1:
            return None
        built = built.replace(str(number), "{" + name + "}")
        order.append(name)
    return built, tuple(order)


def fast_url(endpoint: str, **values: Any) -> str:
    """url_for for rows of a list: the same URL, built once per request root and shape."""
    values = {k: v for k, v in values.items() if v is not None}
    for value in values.values():
        if not (
            (type(value) is int and value >= 0)
            or (type(value) is str and value and _URL_SAFE.issuperset(value))
        ):
            return url_for(endpoint, **values)
    key = (endpoint, tuple(values), request.script_root if has_request_context() else "")
    try:
        found = _URL_FORMATS[key]
    except KeyError:
        found = _URL_FORMATS[key] = _url_format(endpoint, tuple(values))
    if found is None:
        return url_for(endpoint, **values)
    return found[0].format(**values)


def stamp(value: datetime | None) -> str:
    """An exact, language-neutral time for tooltips: 2026-11-23 21:04 UTC."""
    return aware(value).strftime("%Y-%m-%d %H:%M UTC") if value else ""


def number(value: int | None) -> str:
    value = value or 0
    return str(value) if -1000 < value < 1000 else format_decimal(value)


def init_app(app: Flask) -> None:
    env = app.jinja_env
    env.filters["markdown"] = safe_markdown
    env.filters["timeago"] = timeago
    env.filters["stamp"] = stamp
    env.filters["date"] = lambda v, fmt="medium": format_date(aware(v), fmt) if v else ""
    env.filters["datetime"] = lambda v, fmt="medium": format_datetime(aware(v), fmt) if v else ""
    env.filters["number"] = number
    env.filters["isoformat"] = lambda v: aware(v).isoformat() if v else ""
    env.globals["avatar"] = avatar_svg
    env.globals["icon"] = icon
    env.globals["fast_url"] = fast_url
    env.trim_blocks = True
    env.lstrip_blocks = True

    # Replaces the uncached callables Flask-Babel installed when it was bound.
    env.install_gettext_callables(
        gettext=cached_gettext,
        ngettext=cached_ngettext,
        newstyle=True,
        pgettext=lambda c, s: get_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: get_translations().unpgettext(c, s, p, n),
    )
    # The same semantics as the newstyle callables just installed, called directly.
    env.globals.update(_=template_gettext, gettext=template_gettext, ngettext=template_ngettext)

    @app.context_processor
    def _globals():  # type: ignore[no-untyped-def]
        return {
            "site_name": app.config["SITE_NAME"],
            "current_locale": str(get_locale() or "en"),
            "current_path": request.full_path.rstrip("?") if request else "/",
        }
