"""Viewer holes: the few per-viewer spots of a page, filled in after it is rendered.

A topic page read by a logged-in member is the same page every member of their standing
reads, but for a few spots: their name and notification count in the header, whether they
liked, reacted to or bookmarked each post, may edit it, follow the topic, where they
stopped reading. A template writes each such spot as a hole, `{{ hole('name', **args) }}`,
with the *shared* values its rendering needs as arguments (plain JSON: a post's id, its
like count...). The render leaves a marker there; once the page is rendered, every marker
is replaced by what the hole's renderer gives for this viewer (`fill`).

So a page can be kept as a skeleton (its text between the markers, and the markers) and
served to the next member of the same standing by filling only the holes: the page cache
(app/core/page_cache.py) does exactly that. A renderer may `prepare` once for all its
holes of a page (one query for the viewer's likes on the twenty posts), then render each
one, usually from the fragment cache (a hole's output depends on its arguments and on a
few per-viewer bits only).

Without JavaScript nothing changes: holes are filled on the server, in every response.

Markers carry a random per-process nonce and NUL bytes: a member's text cannot forge one
(NUL bytes are dropped from every form field, app/core/security.py, and the nonce is not
guessable); a marker whose name no renderer claims is dropped.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context
from markupsafe import Markup

from app.core.fragments import CSRF_PLACEHOLDER, csrf_token

_KEY = "cercle.holes"
_USED = "cercle_holes_used"


@dataclass(frozen=True)
class Spot:
    """One hole of a page: its renderer's name, its arguments and their JSON text (a
    ready-made cache key for what it renders)."""

    name: str
    raw: str
    args: dict[str, Any]


@dataclass(frozen=True)
class Renderer:
    render: Callable[[Spot, Any, Any], str]  # (spot, prepared, viewer) -> HTML
    prepare: Callable[[list[Spot], Any], Any] | None = None  # (spots, viewer) -> prepared


class Holes:
    def __init__(self) -> None:
        self.renderers: dict[str, Renderer] = {}
        self.opening = f"\x00hole{secrets.token_hex(8)}\x01"
        self.closing = "\x00"


def registry(app: Flask) -> Holes:
    return app.extensions[_KEY]


def register(
    app: Flask,
    name: str,
    render: Callable[[Spot, Any, Any], str],
    prepare: Callable[[list[Spot], Any], Any] | None = None,
) -> None:
    """Let templates write `hole(name, ...)`; `render(spot, prepared, viewer)` gives its
    HTML for a viewer, `prepare(spots, viewer)` runs once per page before them."""
    registry(app).renderers[name] = Renderer(render, prepare)


def hole(name: str, **args: Any) -> Markup:
    """The Jinja global: a marker for `fill` to replace (arguments: plain JSON values)."""
    holes = registry(current_app)
    if has_request_context():
        setattr(g, _USED, True)
    raw = json.dumps(args, separators=(",", ":"), sort_keys=True, default=str)
    return Markup(f"{holes.opening}{name}\x01{raw}{holes.closing}")  # safe: see module doc


Parts = list  # alternately literal text (str) and a Spot; literal first and last


def parse(text: str, app: Flask | None = None) -> Parts:
    """The page split into literal text and holes (unknown names are dropped)."""
    holes = registry(app or current_app)
    pieces = text.split(holes.opening)
    parts: Parts = [pieces[0]]
    for piece in pieces[1:]:
        head, sep, rest = piece.partition(holes.closing)
        name, _, raw = head.partition("\x01")
        if not sep or name not in holes.renderers:
            parts.append(rest if sep else piece)  # a broken or unknown marker: no hole
            continue
        try:
            args = json.loads(raw)
        except ValueError:
            args = None
        if isinstance(args, dict):
            parts.append(Spot(name, raw, args))
            parts.append(rest)
        else:
            parts[-1] += rest
    return parts


def _prepare(parts: list, renderers: dict[str, Renderer], viewer: Any) -> dict[str, Any]:
    """Each renderer's `prepare`, once, with all its holes of the page."""
    spots: dict[str, list[Spot]] = {}
    for part in parts:
        if type(part) is Spot:
            spots.setdefault(part.name, []).append(part)
    return {
        name: renderers[name].prepare(found, viewer) if renderers[name].prepare else None
        for name, found in spots.items()
    }


class _Token:
    """Where a skeleton has the session's CSRF token."""


TOKEN = _Token()


def stored(parts: Parts, token: str | None = None) -> list:
    """The page as it is filled (and kept by the page cache): its text already encoded, and
    split where the CSRF token goes — the placeholder cached fragments hold, and `token`
    (this session's, when the render wrote it) — so that filling it is one join of bytes,
    with no pass over the whole page to put the token in, nor to encode it."""
    out: list = []
    for part in parts:
        if type(part) is not str:
            out.append(part)
            continue
        if token:
            part = part.replace(token, CSRF_PLACEHOLDER)
        for index, piece in enumerate(part.split(CSRF_PLACEHOLDER)):
            if index:
                out.append(TOKEN)
            out.append(piece.encode())
    return out


def fill(skeleton: list, viewer: Any, app: Flask | None = None) -> bytes:
    """A skeleton (`stored`) filled for `viewer`: each hole replaced by its renderer's
    HTML, the session's CSRF token where it goes. The after-request hook then has nothing
    left to fill."""
    renderers = registry(app or current_app).renderers
    prepared = _prepare(skeleton, renderers, viewer)
    token = b""
    out = []
    for part in skeleton:
        kind = type(part)
        if kind is bytes:
            out.append(part)
        elif kind is Spot:
            data = _encoded(renderers[part.name].render(part, prepared[part.name], viewer))
            if _PLACEHOLDER_BYTES in data:
                token = token or csrf_token().encode()
                data = data.replace(_PLACEHOLDER_BYTES, token)
            out.append(data)
        else:
            token = token or csrf_token().encode()
            out.append(token)
    if has_request_context():
        setattr(g, _USED, False)
    return b"".join(out)


_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
# A hole's text usually comes from the fragment cache: the very same str object each time,
# so its UTF-8 is kept beside it (the identity check makes a reused id harmless).
_ENCODED: dict[int, tuple[str, bytes]] = {}
_ENCODED_MAX = 20_000


def _encoded(text: str) -> bytes:
    found = _ENCODED.get(id(text))
    if found is not None and found[0] is text:
        return found[1]
    data = text.encode()
    if len(_ENCODED) >= _ENCODED_MAX:
        _ENCODED.clear()
    _ENCODED[id(text)] = (text, data)
    return data


def fill_text(text: str, viewer: Any, app: Flask | None = None) -> str:
    """Fill the holes of a rendered text (e.g. a live reply rendered outside a request)."""
    if registry(app or current_app).opening not in text:
        return text
    return fill(stored(parse(text, app)), viewer, app).decode()


def skeleton() -> list | None:
    """This response's page before its holes were filled (`stored`, for the page cache)."""
    return g.get("cercle_hole_skeleton")


def init_app(app: Flask) -> None:
    """The registry and the `hole` global, before any area registers a renderer."""
    app.extensions[_KEY] = Holes()
    app.jinja_env.globals["hole"] = hole


def install_filler(app: Flask) -> None:
    """Registered after the page cache's hooks, so that this after-request hook runs before
    them (Flask runs them in reverse) and hands them the filled page and its skeleton."""

    @app.after_request
    def _fill(response: Response) -> Response:
        if not g.get(_USED) or response.direct_passthrough or response.is_streamed:
            return response
        if response.mimetype != "text/html":
            return response
        from flask_login import current_user

        page = stored(parse(response.get_data(as_text=True)), g.get("csrf_token"))
        g.cercle_hole_skeleton = page
        response.set_data(fill(page, current_user._get_current_object()))
        return response
