"""Transactions: one unit of work per write, SQLite tuned for concurrent workers.

On SQLite every writing transaction begins with `BEGIN IMMEDIATE`, so two workers that
write at once queue on the busy timeout instead of one failing with "database is locked"
when its deferred read lock cannot be upgraded. Reading transactions stay deferred so that
readers never wait for writers (WAL mode).
"""

from __future__ import annotations

import contextvars
import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from app.core import events
from app.extensions import db

log = logging.getLogger(__name__)

_begin_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cercle_begin_immediate", default=False
)

_in_unit_of_work: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "cercle_in_unit_of_work", default=False
)

SQLITE_BUSY_TIMEOUT_MS = 15_000


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and the BEGIN hook on an engine (no-op elsewhere)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not the sqlite3 module, decide when a transaction begins.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")


# One request (or job) at a time per process on SQLite with CPython < 3.12: a threaded
# server there dies of a segmentation fault (heap corruption met in the sqlite3 module's
# fetch; it needs the cyclic garbage collector and is not seen on CPython 3.12.1), see
# docs/performance.md for the reproduction. SQLite has a single writer anyway; processes
# still run in parallel. SQLITE_SERIALIZE_REQUESTS (app/config.py) overrides the default.
_sqlite_gate = threading.RLock()
_GATE_KEY = "cercle.sqlite_gate"


def serializes_requests(app: Flask) -> bool:
    return bool(app.extensions.get(_GATE_KEY))


@contextmanager
def gate(app: Flask) -> Iterator[None]:
    """Hold the process's SQLite gate, when this app uses one (for background jobs)."""
    if not serializes_requests(app):
        yield
        return
    with _sqlite_gate:
        yield


def init_app(app: Flask) -> None:
    with app.app_context():
        configure_engine(db.engine)
        is_sqlite = db.engine.dialect.name == "sqlite"
    crash_prone = is_sqlite and sys.version_info < (3, 12)
    serialize = app.config.get("SQLITE_SERIALIZE_REQUESTS")
    if serialize is None:
        serialize = crash_prone
    elif not serialize and crash_prone:
        log.warning(
            "SQLITE_SERIALIZE_REQUESTS is off on SQLite with Python %d.%d: a threaded server "
            "can crash (docs/performance.md); serve with one thread per process",
            *sys.version_info[:2],
        )
    app.extensions[_GATE_KEY] = bool(serialize and is_sqlite)
    if not app.extensions[_GATE_KEY]:
        return

    @app.before_request
    def _enter_gate() -> None:
        _sqlite_gate.acquire()
        request.environ[_GATE_KEY] = True

    @app.teardown_request
    def _leave_gate(_exc: BaseException | None) -> None:
        if request.environ.pop(_GATE_KEY, False):
            _sqlite_gate.release()


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Run the block as one writing transaction; dispatch its events after commit.

    Any read-only transaction the request had open is ended first, so that the checks the
    service makes inside the block read the same state it writes to. On failure everything
    is rolled back and the queued events are dropped.
    """
    if _in_unit_of_work.get():
        # The outer block's half-done change would be committed by the inner one.
        raise RuntimeError("unit_of_work() does not nest: call the inner service after")
    session = db.session()
    if session.in_transaction():
        session.commit()
    token = _begin_immediate.set(True)
    try:
        session.connection()  # BEGIN (IMMEDIATE on SQLite) now, while the flag is set
    finally:
        _begin_immediate.reset(token)
    inside = _in_unit_of_work.set(True)
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        _in_unit_of_work.reset(inside)
    events.dispatch_committed(session)


def dialect_insert(table: Any) -> Any:
    """INSERT ... ON CONFLICT for the session's database (PostgreSQL or SQLite), on the Core
    table of a model or table: the ORM's bulk insert would split a batch into one statement
    per run of rows with the same non-null keys; the Core statement sends it whole."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(getattr(table, "__table__", table))
