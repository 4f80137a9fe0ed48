"""Several worker processes writing to one SQLite file at once: no "database is locked".

Each worker builds its own app on the same file (as `make run` workers or a CLI job next to
the server would) and writes through the services inside `unit_of_work`. The second test is
the read-then-write pattern: with deferred transactions two workers that read then write
deadlock and one fails at once; `BEGIN IMMEDIATE` makes them queue instead.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from app.members.models import Interest, Member
from tests.conftest import make_test_app, upgrade_schema

WORKERS = 4
WRITES = 25

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        os.environ.get("CERCLE_TEST_BACKEND") == "postgres",
        reason="SQLite file concurrency: checked once, in the SQLite run",
    ),
]


def _register_worker(url: str, worker: int, barrier, errors) -> None:  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.members import services

            barrier.wait(timeout=60)
            for n in range(WRITES):
                services.register(
                    f"w{worker}_member{n}", f"w{worker}.m{n}@example.com", "a long enough secret"
                )
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _increment_worker(url: str, worker: int, barrier, errors) -> None:  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.app_context():
            from app.core.db import unit_of_work
            from app.extensions import db

            barrier.wait(timeout=60)
            for _ in range(WRITES):
                with unit_of_work():
                    counter = db.session.scalar(select(Interest).where(Interest.slug == "counter"))
                    value = counter.position  # read...
                    counter.position = value + 1  # ...then write what was read
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _run(target, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    errors = ctx.Queue()
    workers = [ctx.Process(target=target, args=(url, i, barrier, errors)) for i in range(WORKERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    found = []
    while not errors.empty():
        found.append(errors.get())
    for process in workers:
        if process.is_alive():
            process.kill()
            found.append(f"{process.name} did not finish")
        elif process.exitcode != 0:
            found.append(f"{process.name} exited with {process.exitcode}")
    return found


@pytest.fixture
def database_file(tmp_path: Path) -> str:
    """A migrated SQLite file with one counter row, made without the test session."""
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    upgrade_schema(make_test_app(url))
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(Interest).values(
                kind="theme", slug="counter", name_en="Counter", name_fr="Compteur", position=0
            )
        )
    engine.dispose()
    return url


def _scalar(url: str, statement):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    with engine.connect() as conn:
        value = conn.execute(statement).scalar_one()
    engine.dispose()
    return value


def test_concurrent_registrations_all_succeed(database_file: str) -> None:
    assert _run(_register_worker, database_file) == []
    assert _scalar(database_file, select(func.count()).select_from(Member)) == WORKERS * WRITES


def test_concurrent_read_then_write_loses_no_update(database_file: str) -> None:
    assert _run(_increment_worker, database_file) == []
    position = select(Interest.position).where(Interest.slug == "counter")
    assert _scalar(database_file, position) == WORKERS * WRITES
