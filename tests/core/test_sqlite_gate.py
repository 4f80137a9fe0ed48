"""On SQLite with CPython < 3.12 a process serves one request at a time (the gate).

Without it a threaded server on CPython 3.11 dies of a segmentation fault inside the sqlite3
module (docs/performance.md). `SQLITE_SERIALIZE_REQUESTS` in the environment overrides the
default: 1/true on, 0/false off, unset automatic.
"""

from __future__ import annotations

import sys
import threading

import pytest

from app.config import build_config
from app.core import db as core_db
from tests.conftest import make_test_app


@pytest.fixture
def gated(app):  # type: ignore[no-untyped-def]
    if not core_db.serializes_requests(app):
        pytest.skip("the gate is only used on SQLite with CPython < 3.12")
    return app


def _free_from_another_thread() -> bool:
    result: list[bool] = []

    def probe() -> None:
        acquired = core_db._sqlite_gate.acquire(blocking=False)
        if acquired:
            core_db._sqlite_gate.release()
        result.append(acquired)

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return result[0]


def test_the_gate_is_on_for_sqlite_before_python_3_12(app):  # type: ignore[no-untyped-def]
    expected = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") and sys.version_info < (
        3,
        12,
    )
    assert core_db.serializes_requests(app) is expected


def test_a_request_holds_the_gate_until_its_teardown(gated):  # type: ignore[no-untyped-def]
    ctx = gated.test_request_context("/")
    ctx.push()
    try:
        gated.preprocess_request()  # the before_request hooks: the gate is taken
        assert not _free_from_another_thread()
    finally:
        ctx.pop()  # teardown_request: the gate is released
    assert _free_from_another_thread()


def test_a_failing_request_releases_the_gate(gated, client):  # type: ignore[no-untyped-def]
    assert client.get("/t/999999-missing").status_code == 404
    assert _free_from_another_thread()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, None), ("", None), ("1", True), ("true", True), ("0", False), ("False", False)],
)
def test_the_override_is_read_from_the_environment(  # type: ignore[no-untyped-def]
    monkeypatch, tmp_path, value, expected
):
    monkeypatch.setenv("SECRET_KEY", "test-secret-key")
    if value is None:
        monkeypatch.delenv("SQLITE_SERIALIZE_REQUESTS", raising=False)
    else:
        monkeypatch.setenv("SQLITE_SERIALIZE_REQUESTS", value)
    assert build_config(tmp_path)["SQLITE_SERIALIZE_REQUESTS"] is expected


@pytest.mark.parametrize("forced", [True, False])
def test_the_override_decides_on_sqlite(tmp_path, forced):  # type: ignore[no-untyped-def]
    app = make_test_app(f"sqlite:///{tmp_path}/gate.db", SQLITE_SERIALIZE_REQUESTS=forced)
    try:
        assert core_db.serializes_requests(app) is forced
    finally:
        with app.app_context():
            core_db.db.engine.dispose()
