"""The worker side of durable events: feed each durable subscriber from the events table.

`drain()` hands every durable subscriber the events after its position, in id order, in
batches. One batch is one transaction holding the subscriber's row lock (`FOR UPDATE SKIP
LOCKED` on PostgreSQL, so a second worker skips that subscriber instead of waiting; on
SQLite the single writer serialises workers): the handlers' writes and the new position
commit together, so a worker killed mid-batch leaves nothing half-done and a retry
repeats nothing visible.

A handler that raises is retried with exponential backoff (its batch stops there; the
events before it are kept — see `_drain_batch`). After `EVENT_MAX_ATTEMPTS` failures the
event is *parked* — recorded with its error for /admin/events — and the subscriber moves
on. Each subscriber has its own position and
retry state, so one failing subscriber never holds up another.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select, update

from app.core.db import dialect_insert, gate, unit_of_work
from app.core.errors import NotFound, PermissionDenied
from app.core.event_store import DomainEventRecord, ParkedEvent, SubscriberPosition
from app.core.events import EVENT_TYPES, DomainEvent, DurableSubscriber, get_bus
from app.core.time import aware, utcnow
from app.extensions import db

log = logging.getLogger(__name__)

BATCH_SIZE = 500
MAX_BACKOFF_SECONDS = 3600
ERROR_MAX_CHARS = 4000


def ensure_positions(names: list[str]) -> None:
    """Give each durable subscriber a position row (a new one starts at the beginning)."""
    known = set(db.session.scalars(select(SubscriberPosition.name)))
    missing = [name for name in names if name not in known]
    if not missing:
        return
    with unit_of_work():
        db.session.execute(
            dialect_insert(SubscriberPosition)
            .values([{"name": n, "position": 0, "attempts": 0, "handled": 0} for n in missing])
            .on_conflict_do_nothing(index_elements=["name"])
        )


def _backoff(attempts: int) -> timedelta:
    base = float(current_app.config.get("EVENT_RETRY_BASE_SECONDS", 2.0))
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS))


def _build(row: Any) -> DomainEvent | None:
    cls = EVENT_TYPES.get(row.type)
    if cls is None:
        return None
    return cls.from_record(row.payload, row.id, aware(row.occurred_at))


def _describe(exc: BaseException) -> str:
    text = "".join(traceback.format_exception(exc, limit=6))
    return text[-ERROR_MAX_CHARS:]


def _claim(name: str) -> SubscriberPosition | None:
    """Lock this subscriber's row for the transaction, or None if another worker has it."""
    return db.session.scalar(
        select(SubscriberPosition)
        .where(SubscriberPosition.name == name)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )


class _Redo(Exception):
    """A handler failed in a fast batch: run the batch again, one savepoint per event."""


def _drain_batch(subscriber: DurableSubscriber, limit: int, careful: bool = False) -> int:
    """One transaction: handle up to `limit` events; returns how many were consumed.

    Fast path: the handlers run one after the other in the batch's transaction. If one
    raises, the whole transaction is rolled back (nothing of it is visible) and the batch
    runs again *carefully*: each handler in a savepoint, so that a failure undoes only its
    own writes, the events before it stay handled, and the failure is recorded in the
    same commit (retry later, or park after too many attempts). Handlers are therefore
    called at least once per event — their database writes take effect exactly once.
    """
    try:
        with unit_of_work():
            state = _claim(subscriber.name)
            now = utcnow()
            if state is None or (state.retry_at and aware(state.retry_at) > now):
                return 0
            rows = db.session.execute(
                select(
                    DomainEventRecord.id,
                    DomainEventRecord.type,
                    DomainEventRecord.payload,
                    DomainEventRecord.occurred_at,
                )
                .where(DomainEventRecord.id > state.position)
                .order_by(DomainEventRecord.id)
                .limit(limit)
            ).all()
            position, consumed, error = state.position, 0, None
            failed_id = 0
            for row in rows:
                cls = EVENT_TYPES.get(row.type)
                handler = subscriber.handler_for(cls) if cls else None
                if handler is not None:
                    if not careful:
                        try:
                            handler(_build(row))
                            # Its writes fail here, not at commit, where no retry would
                            # catch them.
                            db.session.flush()
                        except Exception as exc:
                            raise _Redo from exc
                    else:
                        try:
                            with db.session.begin_nested():
                                handler(_build(row))
                        except Exception as exc:
                            error, failed_id = _describe(exc), row.id
                            log.warning(
                                "durable subscriber %s failed on event %d (will retry or park)",
                                subscriber.name,
                                row.id,
                            )
                            break
                position = row.id
                consumed += 1
            if consumed:
                state.attempts = 0
                state.retry_at = None
                state.last_error = ""
            state.position = position
            state.handled += consumed
            if error is not None:
                consumed += _record_failure(subscriber.name, state, failed_id, error, now)
            return consumed
    except _Redo:
        return _drain_batch(subscriber, limit, careful=True)


def _record_failure(
    name: str, state: SubscriberPosition, event_id: int, error: str, now: datetime
) -> int:
    """Count a failed attempt; park the event after too many. Returns 1 if parked."""
    state.attempts += 1
    state.last_error = error
    if state.attempts < int(current_app.config.get("EVENT_MAX_ATTEMPTS", 5)):
        state.retry_at = now + _backoff(state.attempts)
        return 0
    db.session.execute(
        dialect_insert(ParkedEvent)
        .values(
            subscriber=name,
            event_id=event_id,
            attempts=state.attempts,
            error=error,
            parked_at=now,
        )
        .on_conflict_do_nothing(index_elements=["subscriber", "event_id"])
    )
    log.error("durable subscriber %s parked event %d", name, event_id)
    state.position = event_id
    state.attempts = 0
    state.retry_at = None
    return 1


def _behind() -> list[str]:
    """Names of the subscribers with events to handle now (a cheap read first)."""
    head = db.session.scalar(select(func.max(DomainEventRecord.id))) or 0
    now = utcnow()
    rows = db.session.execute(
        select(SubscriberPosition.name, SubscriberPosition.position, SubscriberPosition.retry_at)
    ).all()
    db.session.rollback()  # end the read: each batch opens its own writing transaction
    return [
        name
        for name, position, retry_at in rows
        if position < head and (retry_at is None or aware(retry_at) <= now)
    ]


def drain(
    names: list[str] | None = None, batch_size: int = BATCH_SIZE, time_budget: float = 5.0
) -> int:
    """Feed the durable subscribers until none is behind or `time_budget` seconds pass.

    Returns the number of events consumed (summed over subscribers). Safe to run in
    several processes at once.
    """
    bus = get_bus()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    subscribers = {s.name: s for s in bus.durable_subscribers() if names is None or s.name in names}
    # Each step holds the SQLite gate (app/core/db.py) for one short transaction only, so
    # the requests of this process wait for one batch at the most.
    with gate(app):
        ensure_positions(list(subscribers))
    deadline = time.monotonic() + time_budget
    total = 0
    while time.monotonic() < deadline:
        progress = 0
        with gate(app):
            behind = _behind()
        for name in behind:
            if name not in subscribers:
                continue
            try:
                with gate(app):
                    progress += _drain_batch(subscribers[name], batch_size)
            except Exception:  # e.g. the database went away: the others still get their turn
                log.exception("durable subscriber %s: batch failed", name)
        total += progress
        if not progress:
            break
    return total


def hold_at_head(name: str) -> int:
    """In the caller's writing transaction: move subscriber `name` to the newest event.

    For a recount that rebuilds a projection from the data: the subscriber's row is locked
    (no worker runs it meanwhile), no event can be recorded until the caller commits (the
    recording lock on PostgreSQL; SQLite has one writer), and its open parked events are
    closed — what they would have changed is in the recount. Returns the new position.
    """
    ensure_position = dialect_insert(SubscriberPosition).values(
        name=name, position=0, attempts=0, handled=0, last_error=""
    )
    db.session.execute(ensure_position.on_conflict_do_nothing(index_elements=["name"]))
    if db.session.get_bind().dialect.name == "postgresql":
        from app.core.events import record_lock

        record_lock(db.session())
    state = db.session.scalar(
        select(SubscriberPosition)
        .where(SubscriberPosition.name == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = db.session.scalar(select(func.max(DomainEventRecord.id))) or 0
    state.position = max(state.position, head)
    state.attempts = 0
    state.retry_at = None
    state.last_error = ""
    db.session.execute(
        update(ParkedEvent)
        .where(ParkedEvent.subscriber == name, ParkedEvent.resolved_at.is_(None))
        .values(resolved_at=utcnow(), error=ParkedEvent.error + "\n(superseded by a recount)")
    )
    return state.position


# --- parked events ----------------------------------------------------------------------


def replay_parked(actor: Any, parked_id: int) -> bool:
    """Staff run a parked event's handler again; True when it now succeeded.

    The replay runs out of order (the subscriber has moved on), which is why handlers are
    written to be idempotent and order-tolerant where they can be.
    """
    if not getattr(actor, "is_authenticated", False) or actor.role != "admin":
        raise PermissionDenied("Only administrators can replay events.")
    with unit_of_work():
        parked = db.session.get(ParkedEvent, parked_id, with_for_update=True)
        if parked is None:
            raise NotFound("No such parked event.")
        if parked.resolved_at is not None:
            return True
        subscriber = get_bus().durable_subscriber(parked.subscriber)
        row = db.session.get(DomainEventRecord, parked.event_id)
        evt = _build(row) if row is not None else None
        handler = subscriber.handler_for(type(evt)) if subscriber and evt else None
        parked.attempts += 1
        if handler is None:
            parked.error = "This subscriber or event type no longer exists."
            return False
        try:
            with db.session.begin_nested():
                handler(evt)
        except Exception as exc:
            parked.error = _describe(exc)
            return False
        parked.resolved_at = utcnow()
        parked.resolved_by = actor.id
        return True


def replay_all_parked(actor: Any) -> tuple[int, int]:
    """Replay every open parked event, oldest first; returns (mended, still failing)."""
    ids = db.session.scalars(
        select(ParkedEvent.id).where(ParkedEvent.resolved_at.is_(None)).order_by(ParkedEvent.id)
    ).all()
    mended = sum(1 for parked_id in ids if replay_parked(actor, parked_id))
    return mended, len(ids) - mended


def retry_now(actor: Any, name: str) -> None:
    """Staff cut a subscriber's backoff short: it tries its failing event at the next tick."""
    if not getattr(actor, "is_authenticated", False) or actor.role != "admin":
        raise PermissionDenied("Only administrators can retry subscribers.")
    with unit_of_work():
        db.session.execute(
            update(SubscriberPosition).where(SubscriberPosition.name == name).values(retry_at=None)
        )


# --- lag --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriberLag:
    name: str
    position: int
    behind: int
    attempts: int
    retry_at: datetime | None
    last_error: str
    handled: int


@dataclass(frozen=True)
class EventLag:
    head: int
    oldest_unhandled_at: datetime | None
    parked: int
    subscribers: list[SubscriberLag]

    @property
    def lag_seconds(self) -> float:
        if self.oldest_unhandled_at is None:
            return 0.0
        return max((utcnow() - self.oldest_unhandled_at).total_seconds(), 0.0)

    @property
    def retrying(self) -> int:
        return sum(1 for s in self.subscribers if s.attempts)


def event_lag() -> EventLag:
    """How far behind the durable subscribers are: three small indexed queries."""
    bus = get_bus()
    names = [s.name for s in bus.durable_subscribers()]
    head = db.session.scalar(select(func.max(DomainEventRecord.id))) or 0
    states = {
        s.name: s
        for s in db.session.scalars(
            select(SubscriberPosition).where(SubscriberPosition.name.in_(names))
        )
    }
    positions = [states[n].position if n in states else 0 for n in names]
    oldest = None
    if names and min(positions) < head:
        oldest = db.session.scalar(
            select(DomainEventRecord.occurred_at)
            .where(DomainEventRecord.id > min(positions))
            .order_by(DomainEventRecord.id)
            .limit(1)
        )
    parked = db.session.scalar(
        select(func.count()).select_from(ParkedEvent).where(ParkedEvent.resolved_at.is_(None))
    )
    subscribers = []
    for name, position in zip(names, positions, strict=True):
        state = states.get(name)
        subscribers.append(
            SubscriberLag(
                name=name,
                position=position,
                behind=max(head - position, 0),
                attempts=state.attempts if state else 0,
                retry_at=aware(state.retry_at) if state else None,
                last_error=state.last_error if state else "",
                handled=state.handled if state else 0,
            )
        )
    return EventLag(
        head=head, oldest_unhandled_at=aware(oldest), parked=parked or 0, subscribers=subscribers
    )


def _drain_job() -> int:
    return drain(time_budget=float(current_app.config.get("EVENT_DRAIN_BUDGET_SECONDS", 5.0)))


def lag_report() -> dict:
    """The /healthz section: what a monitor alerts on."""
    lag = event_lag()
    return {
        "oldest_unhandled_at": lag.oldest_unhandled_at.isoformat()
        if lag.oldest_unhandled_at
        else None,
        "lag_seconds": round(lag.lag_seconds, 1),
        "parked": lag.parked,
        "retrying": lag.retrying,
    }


def register_jobs(app: Any) -> None:
    """Core's worker job: feed the durable subscribers every second (and on commit)."""
    from app.core.jobs import add_job
    from app.core.routes import add_health_check

    add_health_check(app, "events", lag_report)
    add_job(
        app,
        "drain_events",
        _drain_job,
        float(app.config.get("EVENT_POLL_SECONDS", 1.0)),
        wake_on_events=True,
    )
