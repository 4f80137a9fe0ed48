"""Topic view counting without a write on the request path.

A topic page calls `record_view`, which only adds the view to an in-process buffer (per
application, guarded by a lock). `flush_views` — run by the scheduler every
VIEW_FLUSH_SECONDS (sooner once VIEW_FLUSH_SIZE distinct views wait), by
`flask jobs run-due`, and at process exit — writes the buffer in one unit of work:

- a view counts once per member or visitor, per topic, per UTC day: one `TopicViewDay`
  row each, inserted with ON CONFLICT DO NOTHING so that another process's flush of the
  same view is not counted twice; `Topic.view_count` grows by the rows actually inserted;
- a member's `TopicReadState.last_read_post_number` only ever grows (max of old and new);
- one `TopicViewed` event per counted view, dispatched after the commit.

`TopicViewDay` rows only serve the once-a-day rule, so rows older than two days are
deleted (by the indexed `day` column), at most once an hour.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import bindparam, delete, select, update

from app.community.forums.events import TopicViewed
from app.community.forums.models import Topic, TopicViewDay
from app.community.forums.read_state import raise_read_positions
from app.core.db import dialect_insert, unit_of_work
from app.core.events import emit
from app.core.time import today
from app.extensions import db
from app.members.models import Member

log = logging.getLogger(__name__)

EXTENSION_KEY = "cercle_views"
KEEP_VIEW_DAYS = 2
PRUNE_EVERY_SECONDS = 3600
# Past this many distinct waiting views (flushes failing or not running), new ones are
# dropped rather than letting memory grow without bound.
MAX_BUFFER_FACTOR = 100
# Rows per statement, well under SQLite's bound-parameter limit.
STATEMENT_CHUNK = 500

ViewKey = tuple[int, str, date]  # (topic_id, viewer_key, day)


@dataclass
class _Pending:
    member_id: int | None
    last_post_number: int


@dataclass
class ViewBuffer:
    """The views of one application waiting to be written; every method is thread-safe."""

    flush_size: int = 500
    _views: dict[ViewKey, _Pending] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    # Set when flush_size views wait: the scheduler flushes at its next tick.
    full: threading.Event = field(default_factory=threading.Event)
    dropped: int = 0
    last_prune: float | None = None

    def add(self, key: ViewKey, member_id: int | None, last_post_number: int) -> None:
        with self._lock:
            pending = self._views.get(key)
            if pending is not None:
                pending.last_post_number = max(pending.last_post_number, last_post_number)
                return
            if len(self._views) >= self.flush_size * MAX_BUFFER_FACTOR:
                self.dropped += 1
                return
            self._views[key] = _Pending(member_id, last_post_number)
            if len(self._views) >= self.flush_size:
                self.full.set()

    def drain(self) -> dict[ViewKey, _Pending]:
        with self._lock:
            views, self._views = self._views, {}
            self.full.clear()
            return views

    def restore(self, views: dict[ViewKey, _Pending]) -> None:
        """Put back views whose flush failed, merged with those recorded meanwhile."""
        with self._lock:
            for key, pending in views.items():
                current = self._views.get(key)
                if current is None:
                    self._views[key] = pending
                else:
                    current.last_post_number = max(
                        current.last_post_number, pending.last_post_number
                    )

    def __len__(self) -> int:
        with self._lock:
            return len(self._views)


_create_lock = threading.Lock()


def view_buffer(app: Flask | None = None) -> ViewBuffer:
    """The application's buffer, created on first use."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    buffer = app.extensions.get(EXTENSION_KEY)
    if buffer is None:
        with _create_lock:
            buffer = app.extensions.get(EXTENSION_KEY)
            if buffer is None:
                buffer = ViewBuffer(flush_size=int(app.config.get("VIEW_FLUSH_SIZE", 500)))
                app.extensions[EXTENSION_KEY] = buffer
    return buffer


def viewer_key(member_id: int | None, address: str | None, user_agent: str | None) -> str:
    """`m:<id>` for a member; for a visitor a keyed hash of address and browser (no raw IP)."""
    if member_id is not None:
        return f"m:{member_id}"
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(
        secret, f"{address or ''}|{user_agent or ''}".encode(), hashlib.sha256
    ).hexdigest()
    return f"v:{digest[:32]}"


def record_view(
    topic_id: int, viewer_key: str, member_id: int | None, last_post_number: int
) -> None:
    """Note that `viewer_key` saw `topic_id` up to `last_post_number`. Memory only: no SQL."""
    view_buffer().add((topic_id, viewer_key, today()), member_id, last_post_number)


def flush_views() -> int:
    """Write the buffered views in one transaction; return how many views were counted.

    A view is counted when its (topic, viewer, day) row is new. Views of topics (or by
    members) that no longer exist are dropped. If the transaction fails, the views go back
    into the buffer for the next flush and the error is raised.
    """
    buffer = view_buffer()
    views = buffer.drain()
    prune_due = buffer.last_prune is None or (
        time.monotonic() - buffer.last_prune >= PRUNE_EVERY_SECONDS
    )
    if not views:
        return 0
    try:
        with unit_of_work():
            counted = _write(views)
            if prune_due:
                db.session.execute(
                    delete(TopicViewDay).where(
                        TopicViewDay.day < today() - timedelta(days=KEEP_VIEW_DAYS)
                    )
                )
    except Exception:
        buffer.restore(views)
        raise
    if prune_due:
        buffer.last_prune = time.monotonic()
    if buffer.dropped:
        log.warning("view buffer was full: %d views were not counted", buffer.dropped)
        buffer.dropped = 0
    return counted


def _chunks(items: list, size: int = STATEMENT_CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing_ids(column, ids: set[int]) -> set[int]:  # type: ignore[no-untyped-def]
    found: set[int] = set()
    for chunk in _chunks(sorted(ids)):
        found.update(db.session.scalars(select(column).where(column.in_(chunk))))
    return found


def _write(views: dict[ViewKey, _Pending]) -> int:
    topic_ids = _existing_ids(Topic.id, {topic_id for topic_id, _, _ in views})
    member_ids = _existing_ids(
        Member.id, {p.member_id for p in views.values() if p.member_id is not None}
    )
    views = {
        key: p
        for key, p in views.items()
        if key[0] in topic_ids and (p.member_id is None or p.member_id in member_ids)
    }
    if not views:
        return 0

    # 1. One row per (topic, viewer, day); RETURNING gives back only the rows inserted.
    rows = [{"topic_id": topic_id, "viewer_key": key, "day": day} for topic_id, key, day in views]
    inserted: list[tuple[int, str, date]] = []
    for chunk in _chunks(rows):
        stmt = (
            dialect_insert(TopicViewDay)
            .values(chunk)
            .on_conflict_do_nothing(index_elements=["topic_id", "viewer_key", "day"])
            .returning(TopicViewDay.topic_id, TopicViewDay.viewer_key, TopicViewDay.day)
        )
        inserted.extend(tuple(row) for row in db.session.execute(stmt))  # type: ignore[misc]

    # 2. view_count grows by the new rows only.
    new_per_topic: dict[int, int] = defaultdict(int)
    for topic_id, _, _ in inserted:
        new_per_topic[topic_id] += 1
    if new_per_topic:
        topics = Topic.__table__
        db.session.execute(
            update(topics)
            .where(topics.c.id == bindparam("tid"))
            .values(view_count=topics.c.view_count + bindparam("n")),
            [{"tid": tid, "n": n} for tid, n in sorted(new_per_topic.items())],
        )

    # 3. Read state: the furthest post a member has seen, never going back.
    furthest: dict[tuple[int, int], int] = {}
    for (topic_id, _, _), pending in views.items():
        if pending.member_id is not None:
            pair = (pending.member_id, topic_id)
            furthest[pair] = max(furthest.get(pair, 0), pending.last_post_number)
    if furthest:
        raise_read_positions(furthest)

    # 4. One event per counted view, dispatched after commit.
    for topic_id, key, day in sorted(inserted):
        member_id = views[(topic_id, key, day)].member_id
        emit(TopicViewed(topic_id=topic_id, member_id=member_id, viewer_key=key))
    return len(inserted)
