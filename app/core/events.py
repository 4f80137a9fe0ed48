"""Domain events: recorded with the change, then delivered to three kinds of subscriber.

A service calls `emit(SomeEvent(...))` inside its unit of work. Then:

1. **In-transaction** subscribers run at once, inside the same transaction (the audit log:
   no staff action without its entry). If one fails, the action fails with it.
2. The event waits in the session and is **recorded** in the append-only `domain_events`
   table just before the transaction commits (a transactional outbox). A rollback drops
   it; a rolled-back savepoint drops only the events emitted inside it. On PostgreSQL
   the recording takes a transaction-scoped advisory lock, so events are numbered in
   commit order and a worker reading "every id above my position" never skips one that
   commits late.
3. After commit, **ephemeral** subscribers (live pushes) run in-process, each isolated.
   **Durable** subscribers (projections: counters, engagement, notifications, search...)
   read the table from a worker (`app.core.worker`), at least once, in order, each
   writing its position in the same transaction as its own records.

Subscribers are registered per application in the factory (`register_subscribers`), by
event class. Every event class is a frozen dataclass derived from `DomainEvent`, listed in
docs/events.md.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from flask import current_app, has_app_context, has_request_context
from sqlalchemy import event as sa_event
from sqlalchemy import insert, text
from sqlalchemy.orm import Session, SessionTransaction

from app.core.time import utcnow

log = logging.getLogger(__name__)

E = TypeVar("E")
Handler = Callable[[Any], None]

# Event classes by their stored name, so the worker can rebuild recorded events.
EVENT_TYPES: dict[str, type[DomainEvent]] = {}

_PENDING = "cercle_pending_events"  # [(innermost savepoint or None, event)]
_RECORDED = "cercle_recorded_events"  # written to the table, waiting for the commit
_COMMITTED = "cercle_committed_events"  # committed, waiting for the ephemeral subscribers
_DISPATCHING = "cercle_dispatching"

# Any constant will do: the key of the advisory lock that orders event ids on PostgreSQL.
_RECORD_LOCK_KEY = 0x43455243  # "CERC"


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """Base of every domain event: a frozen dataclass of ids and a few fields.

    `occurred_at` is set when the event is emitted; `event_id` is the id of its row in the
    events table, set when a durable subscriber receives it (None in-process). Neither
    takes part in equality, so tests compare payloads.
    """

    name: ClassVar[str]
    occurred_at: datetime = field(default_factory=utcnow, compare=False)
    event_id: int | None = field(default=None, compare=False)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.name = re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
        known = EVENT_TYPES.get(cls.name)
        if known is not None and known.__qualname__ + known.__module__ != (
            cls.__qualname__ + cls.__module__
        ):
            # Two classes under one stored name: the worker could not tell them apart.
            raise TypeError(f"event name {cls.name!r} is taken by {known.__module__}")
        EVENT_TYPES[cls.name] = cls

    def payload(self) -> dict[str, Any]:
        """The event's own fields, JSON-ready (tuples become lists)."""
        return {
            f.name: list(value) if isinstance(value := getattr(self, f.name), tuple) else value
            for f in fields(self)
            if f.name not in ("occurred_at", "event_id")
        }

    @classmethod
    def from_record(
        cls, payload: dict[str, Any], event_id: int, occurred_at: datetime
    ) -> DomainEvent:
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in payload.items()}
        return cls(**values, event_id=event_id, occurred_at=occurred_at)


@dataclass(frozen=True)
class DurableSubscriber:
    """A named projection fed from the events table by the worker.

    Each handler writes through `db.session` and never commits: the worker runs it in
    its own transaction together with the subscriber's new position, so a crash or a
    retry repeats nothing visible. A handler may emit events of its own.
    """

    name: str
    handlers: dict[type, Handler]

    @property
    def event_names(self) -> frozenset[str]:
        return frozenset(t.name for t in self.handlers)  # type: ignore[attr-defined]

    def handler_for(self, event_type: type) -> Handler | None:
        return self.handlers.get(event_type)


class EventBus:
    """Subscribers of one application: ephemeral, in-transaction and durable."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)
        self._in_transaction: dict[type, list[Handler]] = defaultdict(list)
        self._durable: dict[str, DurableSubscriber] = {}
        # Called after a commit that recorded events (the embedded worker wakes up).
        self.on_recorded: Callable[[], None] | None = None

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Ephemeral: run in-process after commit; lost if the process dies (live pushes)."""
        self._handlers[event_type].append(handler)

    def subscribe_in_transaction(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        """Run inside the emitting transaction; a failure aborts the action (audit log)."""
        self._in_transaction[event_type].append(handler)

    def subscribe_durable(self, name: str, handlers: dict[type, Handler]) -> DurableSubscriber:
        """Durable: fed by the worker from the events table, at least once and in order."""
        if name in self._durable:
            raise ValueError(f"durable subscriber {name!r} is already registered")
        subscriber = DurableSubscriber(name, dict(handlers))
        self._durable[name] = subscriber
        return subscriber

    def durable_subscribers(self) -> list[DurableSubscriber]:
        return list(self._durable.values())

    def durable_subscriber(self, name: str) -> DurableSubscriber | None:
        return self._durable.get(name)

    def handlers(self, event_type: type) -> list[Handler]:
        return list(self._handlers.get(event_type, ()))

    def run_in_transaction(self, evt: object) -> None:
        for handler in self._in_transaction.get(type(evt), ()):
            handler(evt)

    def publish(self, evt: object) -> None:
        """Run every ephemeral subscriber of `evt`, each isolated from the others."""
        for handler in self.handlers(type(evt)):
            try:
                handler(evt)
            except Exception:
                log.exception(
                    "subscriber %s failed on %s", getattr(handler, "__qualname__", handler), evt
                )


def get_bus() -> EventBus:
    return current_app.extensions["cercle_bus"]


def _current_actor_id() -> int | None:
    if not has_request_context():
        return None
    from flask_login import current_user

    return getattr(current_user, "id", None) if current_user.is_authenticated else None


def emit(evt: DomainEvent, session: Session | None = None) -> None:
    """Record `evt` with the current transaction: stored at commit, dropped on rollback."""
    if not isinstance(evt, DomainEvent):
        raise TypeError(f"{type(evt).__name__} is not a DomainEvent")
    if session is None:
        from app.extensions import db

        session = db.session()
    get_bus().run_in_transaction(evt)
    marker = session.get_nested_transaction()
    session.info.setdefault(_PENDING, []).append((marker, evt, _current_actor_id()))


def _inside(marker: SessionTransaction | None, savepoint: SessionTransaction) -> bool:
    while marker is not None:
        if marker is savepoint:
            return True
        marker = marker.parent
    return False


def record_lock(session: Session) -> None:
    """PostgreSQL: hold, until commit, the lock that orders event ids by commit."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _RECORD_LOCK_KEY})


def record_pending(session: Session) -> int:
    """Write the session's pending events to the events table (before commit)."""
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return 0
    from app.core.event_store import DomainEventRecord

    # Row changes first: waiting for row locks while holding the recording lock would
    # make every other event-recording commit wait too.
    session.flush()
    if session.get_bind().dialect.name == "postgresql":
        record_lock(session)
    rows = [
        {
            "type": evt.name,
            "payload": evt.payload(),
            "actor_id": actor_id,
            "occurred_at": evt.occurred_at,
        }
        for _marker, evt, actor_id in pending
    ]
    session.execute(insert(DomainEventRecord), rows)
    session.info.setdefault(_RECORDED, []).extend(evt for _m, evt, _a in pending)
    return len(rows)


def dispatch_committed(session: Any) -> None:
    """Publish, in order, the committed events to the ephemeral subscribers."""
    info = session.info
    # A subscriber's own unit of work lands here again: let the outer loop carry on, so
    # events are published in commit order (the inner ones queue behind the outer ones).
    if info.get(_DISPATCHING) or not has_app_context():
        return
    info[_DISPATCHING] = True
    try:
        bus = get_bus()
        woke = False
        while info.get(_COMMITTED):
            evt = info[_COMMITTED].pop(0)
            if not woke and bus.on_recorded is not None:
                woke = True
                bus.on_recorded()
            bus.publish(evt)
    finally:
        info.pop(_DISPATCHING, None)


def pending_events(session: Session) -> Iterable[DomainEvent]:
    """The events emitted in the session's open transaction (for tests and checks)."""
    return [evt for _m, evt, _a in session.info.get(_PENDING, ())]


@sa_event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # Only the outermost commit records; a savepoint's release keeps its events pending.
    if session.get_nested_transaction() is None:
        record_pending(session)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return
    recorded = session.info.pop(_RECORDED, None)
    if recorded:
        session.info.setdefault(_COMMITTED, []).extend(recorded)


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if not previous_transaction.nested:
        session.info.pop(_PENDING, None)
        session.info.pop(_RECORDED, None)
        return
    pending = session.info.get(_PENDING)
    if pending:
        pending[:] = [entry for entry in pending if not _inside(entry[0], previous_transaction)]


def init_app(app: Any) -> EventBus:
    bus = EventBus()
    app.extensions["cercle_bus"] = bus
    return bus
