"""Socket.IO event handlers: who may connect, join which room, and write what.

A connection is authenticated by the Flask-Login session cookie it was opened with
(`manage_session=False`: the same signed cookie as the pages). Visitors connect too, to
follow public rooms, read-only. Rooms:

- `topic:<id>` — new replies, like counts, presence; only if the viewer may read the topic
  (the forums' `access.get_topic`: restricted categories and deleted topics refused). A
  socket joining it also joins `topic:<id>:<locale>` (its page's language, taken at
  connect), so a new reply's HTML is sent once per language, only to that language;
- `category:<id>` — new topics; only a readable category. `latest` joins every readable
  category's room;
- `member:<id>` — the member's own notices, badge and read positions: joined at connect,
  never by asking;
- `staff` — moderators and admins only.

A refused room, an unknown one or a write from a visitor answers with a `refused` event
(the room or action, nothing more) and a `{"ok": false}` acknowledgement: nothing leaks.

Database steps hold the SQLite gate (app/core/db.py) one at a time and end their
transaction; an open websocket never holds the gate nor a transaction.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import get_locale
from flask_login import current_user
from flask_socketio import emit, join_room, leave_room

from app.core.db import gate
from app.core.errors import NotFound
from app.extensions import db, socketio
from app.realtime import presence as presence_mod
from app.realtime.publisher import (
    ROOM,
    category_room,
    member_room,
    publish,
    topic_language_room,
    topic_room,
)

_PRESENCE_KEY = "cercle.presence"


@dataclass
class _Socket:
    viewer: str
    member_id: int | None
    locale: str = "en"
    topics: set[int] = field(default_factory=set)


_sockets: dict[str, _Socket] = {}
_sockets_lock = threading.Lock()


SERVER_KEY = "cercle.socketio_server"


def init_app(app: Flask) -> None:
    """Called right after `socketio.init_app(app)`: keep this app's Socket.IO server (tests
    build several apps in one process, and Flask-SocketIO serves the last one bound)."""
    app.extensions[_PRESENCE_KEY] = presence_mod.make_presence(app.config.get("REDIS_URL"))
    app.extensions[SERVER_KEY] = socketio.server
    # Registered on this app's server (a decorator would bind only the first app's).
    for name, handler in (
        ("connect", on_connect),
        ("disconnect", on_disconnect),
        ("join", on_join),
        ("leave", on_leave),
        ("read", on_read),
    ):
        socketio.on_event(name, handler)
    socketio.on_error_default(on_error)


def _presence() -> Any:
    return current_app.extensions[_PRESENCE_KEY]


@contextmanager
def _db_step() -> Iterator[None]:
    """One short database step: under the gate, its read transaction ended after."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with gate(app):
        try:
            yield
        finally:
            db.session.commit()


@dataclass(frozen=True)
class Viewer:
    """What the room rules read of the session member, copied inside the database step
    (a member object would reload itself later, outside the gate)."""

    id: int | None = None
    role: str = ""
    tier: str = "bronze"
    locale: str = "en"

    @property
    def is_authenticated(self) -> bool:
        return self.id is not None

    @property
    def is_staff(self) -> bool:
        from app.members.models import STAFF_ROLES

        return self.role in STAFF_ROLES


def _viewer() -> Viewer:
    with _db_step():
        g.pop("_login_user", None)  # each event reads the session anew (tests share `g`)
        user = current_user._get_current_object()
        locale = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
        if not user.is_authenticated:
            return Viewer(locale=locale)
        return Viewer(id=user.id, role=user.role, tier=user.tier, locale=locale)


def _refuse(what: str) -> dict[str, Any]:
    emit("refused", {"what": what})
    return {"ok": False}


def on_connect(auth: Any = None) -> bool:
    viewer = _viewer()
    member_id = viewer.id if viewer.is_authenticated else None
    key = f"m:{member_id}" if member_id else f"s:{request.sid}"  # type: ignore[attr-defined]
    with _sockets_lock:
        _sockets[request.sid] = _Socket(viewer=key, member_id=member_id, locale=viewer.locale)  # type: ignore[attr-defined]
    if member_id:
        join_room(member_room(member_id))
        if getattr(viewer, "is_staff", False):
            join_room("staff")
    return True


def on_disconnect(*_args: Any) -> None:
    with _sockets_lock:
        state = _sockets.pop(request.sid, None)  # type: ignore[attr-defined]
    if state is None:
        return
    for topic_id in state.topics:
        _announce_presence(topic_id, _presence().leave(topic_id, state.viewer))


# Presence is throttled per topic: the first change in a quiet topic is sent at once, the
# changes of the next REALTIME_PRESENCE_SECONDS are folded into one push at the end of that
# window (the count then current). Without it, N readers arriving send N pushes to up to N
# readers each: 500 tabs opening a hot topic made 125,000 messages.
_presence_lock = threading.Lock()
_presence_sent: dict[int, float] = {}  # topic id -> when its last push went out
_presence_waiting: dict[int, int] = {}  # topic id -> the count a scheduled push will send


def _announce_presence(topic_id: int, count: int) -> None:
    window = float(current_app.config.get("REALTIME_PRESENCE_SECONDS", 1.0))
    now = time.monotonic()
    with _presence_lock:
        if topic_id in _presence_waiting:
            _presence_waiting[topic_id] = count
            return
        wait = _presence_sent.get(topic_id, -1e9) + window - now
        if len(_presence_sent) > 10_000:  # forget quiet topics
            for quiet in [t for t, at in _presence_sent.items() if at < now - window]:
                del _presence_sent[quiet]
        if wait <= 0:
            _presence_sent[topic_id] = now
        else:
            _presence_waiting[topic_id] = count
    if wait <= 0:
        _send_presence(topic_id, count)
        return
    timer = threading.Timer(wait, _flush_presence, args=(topic_id,))
    timer.daemon = True
    timer.start()


def _flush_presence(topic_id: int) -> None:
    with _presence_lock:
        count = _presence_waiting.pop(topic_id, None)
        _presence_sent[topic_id] = time.monotonic()
    if count is not None:
        _send_presence(topic_id, count)


def _send_presence(topic_id: int, count: int) -> None:
    publish(topic_room(topic_id), "presence", {"topic_id": topic_id, "count": count})


def _allowed(viewer: Any, kind: str, number: int) -> list[str] | None:
    """The rooms `viewer` joins for this request, or None when refused."""
    from app.community.forums import access

    with _db_step():
        try:
            if kind == "topic":
                access.get_topic(viewer, number)
                return [topic_room(number)]
            if kind == "category":
                access.category_by_id(viewer, number)
                return [category_room(number)]
        except NotFound:
            return None
        if kind == "latest":
            return [category_room(c) for c in sorted(access.readable_category_ids(viewer))]
    if kind == "member":
        return [member_room(number)] if viewer.is_authenticated and viewer.id == number else None
    if kind == "staff":
        return ["staff"] if access.is_staff(viewer) else None
    return None


def on_join(data: Any = None) -> dict[str, Any]:
    room = data.get("room") if isinstance(data, dict) else None
    match = ROOM.match(room) if isinstance(room, str) else None
    if match is None:
        return _refuse("join")
    kind, number = (match.group(1), int(match.group(2))) if match.group(1) else (match.group(3), 0)
    rooms = _allowed(_viewer(), kind, number)
    if rooms is None:
        return _refuse("join")
    for name in rooms:
        join_room(name)
    answer: dict[str, Any] = {"ok": True, "room": room}
    if kind == "topic":
        with _sockets_lock:
            state = _sockets.get(request.sid)  # type: ignore[attr-defined]
            fresh = state is not None and number not in state.topics
            if fresh:
                state.topics.add(number)
        if state is not None:
            join_room(topic_language_room(number, state.locale))
        if fresh:
            count = _presence().enter(number, state.viewer)
            _announce_presence(number, count)
            answer["presence"] = count
    return answer


def on_leave(data: Any = None) -> dict[str, Any]:
    room = data.get("room") if isinstance(data, dict) else None
    match = ROOM.match(room) if isinstance(room, str) else None
    if match is None or match.group(1) == "member":
        return _refuse("leave")
    leave_room(room)
    if match.group(1) == "topic":
        number = int(match.group(2))
        with _sockets_lock:
            state = _sockets.get(request.sid)  # type: ignore[attr-defined]
            known = state is not None and number in state.topics
            if known:
                state.topics.discard(number)
        if known:
            leave_room(topic_language_room(number, state.locale))
            _announce_presence(number, _presence().leave(number, state.viewer))
    return {"ok": True}


def on_read(data: Any = None) -> dict[str, Any]:
    """A member's tab saw a topic up to a post: their read position (buffered like a page
    view) and their other tabs follow. Visitors have nothing to write: refused."""
    from app.community.forums import access
    from app.community.forums.views import record_view

    viewer = _viewer()
    if not viewer.is_authenticated:
        return _refuse("read")
    try:
        topic_id = int(data.get("topic_id"))  # type: ignore[union-attr]
        number = int(data.get("post_number"))  # type: ignore[union-attr]
    except (AttributeError, TypeError, ValueError):
        return _refuse("read")
    with _db_step():
        try:
            topic = access.get_topic(viewer, topic_id)
        except NotFound:
            return _refuse("read")
        number = max(1, min(number, topic.highest_post_number))
    record_view(topic_id, f"m:{viewer.id}", viewer.id, number)
    publish(member_room(viewer.id), "read", {"topic_id": topic_id, "post_number": number})
    return {"ok": True}


def on_error(exc: Exception) -> dict[str, Any]:
    current_app.logger.warning("realtime handler failed: %s", exc)
    return {"ok": False}
