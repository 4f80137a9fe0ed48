"""Sending to rooms. One function, two back-ends chosen by configuration.

Flask-SocketIO's `emit` goes to this process's clients; when `REDIS_URL` is set it was
initialised with Redis as its message queue, so the same call reaches the clients of
every process (and works from a `flask worker` process that serves nobody).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from app.extensions import socketio

log = logging.getLogger(__name__)

ROOM = re.compile(r"^(topic|category|member):([1-9][0-9]{0,11})$|^(staff|latest)$")


def topic_room(topic_id: int) -> str:
    return f"topic:{topic_id}"


def topic_language_room(topic_id: int, locale: str) -> str:
    """The topic's sockets whose page is in `locale` (joined with the topic; never asked
    for by a client): a new reply's HTML goes to each language once."""
    return f"topic:{topic_id}:{locale}"


def category_room(category_id: int) -> str:
    return f"category:{category_id}"


def member_room(member_id: int) -> str:
    return f"member:{member_id}"


def publish(room: str, event: str, data: dict[str, Any]) -> None:
    """Send `event` to everyone in `room`; a failure is logged, never raised (live pushes
    are a convenience: the page is right on its next load)."""
    try:
        socketio.emit(event, data, to=room, namespace="/")
    except Exception:
        log.exception("realtime: could not publish %s to %s", event, room)


def publish_to_member(member_id: int, event: str, data: dict[str, Any]) -> None:
    publish(member_room(member_id), event, data)
