"""Two processes write at once (posts, edits, index drains): nothing lost, nothing corrupt.

Each process writes its own topics and edits them while draining the events and the
search queue, interleaved with the other; the index directory (Whoosh) or table
(PostgreSQL) is shared. At the end the index equals the database, document for document.
"""

from __future__ import annotations

import time
import traceback

import pytest
from sqlalchemy import create_engine, func, insert, select

from app.community.forums.models import Category
from app.core.time import utcnow
from app.members.models import Member
from tests.conftest import make_test_app, scratch_database
from tests.processes import run_together

pytestmark = pytest.mark.slow

TOPICS = 12


def _app(url: str, index_dir: str, backend: str):  # type: ignore[no-untyped-def]
    return make_test_app(url, SEARCH_INDEX_DIR=index_dir, SEARCH_BACKEND=backend)


def _writer(url, number, barrier, errors, index_dir, backend, member_id, category_id):  # type: ignore[no-untyped-def]
    try:
        app = _app(url, index_dir, backend)
        with app.app_context():
            from app.community.forums import services
            from app.community.forums.models import Post
            from app.core.worker import drain
            from app.extensions import db
            from app.members.models import Member
            from app.search.indexing import queue_report
            from app.search.jobs import drain_index

            member = db.session.get(Member, member_id)
            barrier.wait(timeout=60)
            for n in range(TOPICS):
                topic = services.create_topic(
                    member, category_id, f"Process {number} tent {n}", f"Words {number} {n}."
                )
                first = db.session.scalar(
                    select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
                )
                services.edit_post(member, first, f"Edited words {number} {n} stove.")
                drain(time_budget=5.0)
                drain_index()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                drain(time_budget=5.0)
                drain_index()
                db.session.commit()
                if queue_report()["queued"] == 0:
                    break
                time.sleep(0.05)
    except Exception:
        errors.put(f"process {number}: {traceback.format_exc()}")


@pytest.mark.parametrize("backend", ["whoosh", "postgres"])
def test_two_processes_writing_at_once_lose_no_update(tmp_path, backend):
    import os

    if backend == "postgres" and os.environ.get("CERCLE_TEST_BACKEND") != "postgres":
        pytest.skip("the PostgreSQL backend runs in the PostgreSQL test run")
    url = scratch_database(tmp_path, f"search_{backend}")
    index_dir = str(tmp_path / "index")
    # The `db` fixture binds the session to the shared test database: the scratch
    # database is written through an engine of its own, and checked by a process.
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        member_id = conn.execute(
            insert(Member.__table__).values(
                username="writer",
                username_lower="writer",
                email="w@example.com",
                password_hash="x",
                display_name="Writer",
                role="moderator",
                tier="bronze",
                points=0,
                auth_version=1,
                email_verified_at=utcnow(),
            )
        ).inserted_primary_key[0]
        category_id = conn.execute(
            insert(Category.__table__).values(
                slug="tents", name_en="Tents", name_fr="Tentes", colour="#2f6f8f"
            )
        ).inserted_primary_key[0]
    engine.dispose()
    args = (url, index_dir, backend, member_id, category_id)
    assert run_together([(_writer, args), (_writer, args)], timeout=150) == []

    assert run_together([(_checker, args)], timeout=60) == []


def _checker(url, number, barrier, errors, index_dir, backend, *_ids):  # type: ignore[no-untyped-def]
    try:
        app = _app(url, index_dir, backend)
        with app.app_context():
            from app.extensions import db
            from app.search.indexing import verify
            from app.search.models import SearchQueueItem
            from app.search.services import Filters, search

            assert db.session.scalar(select(func.count(SearchQueueItem.id))) == 0
            report = verify(repair=False)
            assert report == {
                "missing": 0, "stale": 0, "extra": 0, "rebuilt": False, "state": "ok"
            }, report  # fmt: skip
            assert search(None, "stove", Filters()).total == 2 * TOPICS
            assert search(None, "tent", Filters()).total == 2 * TOPICS
    except Exception:
        errors.put(f"checker: {traceback.format_exc()}")
