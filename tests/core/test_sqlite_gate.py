"""On SQLite with CPython < 3.12 a process serves one request at a time (the gate)."""

from __future__ import annotations

import sys
import threading

import pytest

from app.core import db as core_db


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
