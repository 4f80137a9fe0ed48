"""The domain event bus: queued during the transaction, dispatched after commit.

A service calls `emit(SomeEvent(...))` inside its unit of work. The event waits in the
session until the transaction commits; a rollback drops it, so nothing is announced for a
change that did not happen. After commit each subscriber runs in its own `try`: one that
fails is logged and cannot break the action or the other subscribers.

Subscribers are registered per application in the factory (`register_subscribers`), by event
class. Every event class is a frozen dataclass listed in docs/events.md.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar, TypeVar

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from app.core.time import utcnow

log = logging.getLogger(__name__)

# Event classes by their stored name, so the worker can rebuild recorded events.
EVENT_TYPES: dict[str, type[DomainEvent]] = {}


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

E = TypeVar("E")
Handler = Callable[[Any], None]

_PENDING = "cercle_pending_events"
_COMMITTED = "cercle_committed_events"
_DISPATCHING = "cercle_dispatching"


class EventBus:
    """Subscribers by event class, for one application."""

    def __init__(self) -> None:
        self._handlers: dict[type, list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> None:
        self._handlers[event_type].append(handler)

    def handlers(self, event_type: type) -> list[Handler]:
        return list(self._handlers.get(event_type, ()))

    def publish(self, evt: object) -> None:
        """Run every subscriber of `evt`, each isolated from the others."""
        for handler in self.handlers(type(evt)):
            try:
                handler(evt)
            except Exception:
                log.exception(
                    "subscriber %s failed on %s", getattr(handler, "__qualname__", handler), evt
                )


def get_bus() -> EventBus:
    return current_app.extensions["cercle_bus"]


def emit(evt: object, session: Session | None = None) -> None:
    """Queue `evt` on the session; it is dispatched only if the transaction commits."""
    if session is None:
        from app.extensions import db

        session = db.session()
    session.info.setdefault(_PENDING, []).append(evt)


def dispatch_committed(session: Any) -> None:
    """Publish, in order, the events of transactions that have committed."""
    info = session.info
    # A subscriber's own unit of work lands here again: let the outer loop carry on, so
    # events are published in commit order (the inner ones queue behind the outer ones).
    if info.get(_DISPATCHING):
        return
    info[_DISPATCHING] = True
    try:
        bus = get_bus()
        while info.get(_COMMITTED):
            evt = info[_COMMITTED].pop(0)
            bus.publish(evt)
    finally:
        info.pop(_DISPATCHING, None)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        session.info.setdefault(_COMMITTED, []).extend(pending)


@sa_event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: Any) -> None:
    session.info.pop(_PENDING, None)


def init_app(app: Any) -> EventBus:
    bus = EventBus()
    app.extensions["cercle_bus"] = bus
    return bus
