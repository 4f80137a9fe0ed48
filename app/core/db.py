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
from collections.abc import Callable, Iterator
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
        # Straight to the driver: every request begins a transaction, and going through
        # exec_driver_sql cost a tenth of a logged-in member's cached topic page.
        conn.connection.driver_connection.execute(
            "BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN"
        )


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


class DriverQuery:
    """A Core SELECT compiled once per dialect to the driver's own SQL and run on the
    session's connection straight through the driver: for the one or two reads every
    logged-in page makes, where SQLAlchemy's per-execution work (parameter processing,
    result wrapping) costs five times the query. Expanding parameters (`IN`) have a fixed
    size: shorter lists are padded with `pad`, longer ones are refused."""

    def __init__(self, build: Callable[[], Any], sizes: dict[str, int], pad: Any = -1) -> None:
        self.build = build
        self.sizes = sizes
        self.pad = pad
        # per dialect: the SQL, the positional order of its parameters (or None), and
        # the values of its literals
        self._compiled: dict[str, tuple[str, tuple[str, ...] | None, dict[str, Any]]] = {}

    def _sql(
        self, dialect: Any, params: dict[str, Any]
    ) -> tuple[str, tuple[str, ...] | None, dict[str, Any]]:
        found = self._compiled.get(dialect.name)
        if found is None:
            sample = {
                k: ([self.pad] * self.sizes[k] if k in self.sizes else v) for k, v in params.items()
            }
            compiled = self.build().compile(dialect=dialect)
            expanded = compiled.construct_expanded_state(sample)
            order = tuple(expanded.positiontup) if compiled.positional else None
            ours = {f"{k}_{i}" for k, size in self.sizes.items() for i in range(1, size + 1)}
            literals = {
                k: v for k, v in expanded.parameters.items() if k not in params and k not in ours
            }
            found = self._compiled[dialect.name] = (expanded.statement, order, literals)
        return found

    def rows(self, session: Any, **params: Any) -> list[tuple]:
        connection = session.connection()
        sql, order, literals = self._sql(connection.dialect, params)
        values = dict(literals)
        for name, value in params.items():
            size = self.sizes.get(name)
            if size is None:
                values[name] = value
                continue
            if len(value) > size:
                raise ValueError(f"{name}: more than {size} values")
            padded = [*value, *([self.pad] * (size - len(value)))]
            values.update({f"{name}_{i}": v for i, v in enumerate(padded, 1)})
        driver = connection.connection.driver_connection
        cursor = driver.cursor()
        try:
            cursor.execute(sql, tuple(values[k] for k in order) if order else values)
            return cursor.fetchall()
        finally:
            cursor.close()
