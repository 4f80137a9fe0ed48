"""Votes raced from several processes at once: one vote per member, every member counted.

Each worker builds its own app on a database of its own (SQLite file, or a scratch
PostgreSQL database in the PostgreSQL run) and votes through the service at the same
instant as the others; the unique (idea, member) row and INSERT ... ON CONFLICT DO NOTHING
make a repeated or concurrent vote count once, and the stored counters match the rows.
"""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tests.conftest import make_test_app, scratch_database
from tests.processes import run_together, write_scene

WORKERS = 4
pytestmark = [pytest.mark.slow]


def _scene_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(url)
    with app.test_request_context():
        from app.community.ideas import boards, services
        from app.core.db import unit_of_work
        from app.extensions import db
        from app.members.models import Member

        def member(name: str, role: str = "member") -> Member:
            return Member(
                username=name,
                username_lower=name,
                email=f"{name}@example.com",
                password_hash="x",
                display_name=name,
                role=role,
            )

        with unit_of_work():
            admin, author = member("admin", "admin"), member("author")
            fans = [member(f"fan{n}") for n in range(WORKERS)]
            db.session.add_all([admin, author, *fans])
        board = boards.save_board(admin, {"slug": "tents", "name_en": "Tents", "name_fr": "Tentes"})
        idea = services.create_idea(
            author, board.id, "Lighter tent poles", "Carbon poles would save weight."
        )
        ids.update(idea=idea.id, fans=[f.id for f in fans])


def _scene(url: str) -> dict:
    return write_scene(_scene_worker, url)


def _vote_worker(url: str, worker: int, barrier, errors, ids, same_member: bool, outcomes) -> None:  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.community.ideas import services
            from app.extensions import db
            from app.members.models import Member

            actor = db.session.get(Member, ids["fans"][0 if same_member else worker])
            barrier.wait(timeout=60)
            outcomes.append(services.vote(actor, ids["idea"], 2).outcome)
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _race(url: str, same_member: bool) -> tuple[dict, list[str], tuple[int, int, int]]:
    from app.community.ideas.models import Idea, IdeaVote

    ids = _scene(url)
    ctx = multiprocessing.get_context("spawn")
    outcomes = ctx.Manager().list()
    errors = run_together(
        [(_vote_worker, (url, ids, same_member, outcomes))] * WORKERS, timeout=120
    )
    assert errors == []
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == ids["idea"])
        ).scalar_one()
        count, total = conn.execute(
            select(Idea.vote_count, Idea.importance_total).where(Idea.id == ids["idea"])
        ).one()
    engine.dispose()
    return ids, sorted(outcomes), (rows, count, total)


@pytest.fixture
def shared_database(tmp_path: Path) -> str:
    return scratch_database(tmp_path, "ideas")


def test_one_member_voting_from_several_processes_at_once_votes_once(shared_database):  # type: ignore[no-untyped-def]
    _, outcomes, counts = _race(shared_database, same_member=True)
    assert counts == (1, 1, 2)
    assert outcomes == ["created"] + ["unchanged"] * (WORKERS - 1)


def test_members_voting_at_once_are_all_counted(shared_database):  # type: ignore[no-untyped-def]
    _, outcomes, counts = _race(shared_database, same_member=False)
    assert counts == (WORKERS, WORKERS, 2 * WORKERS)
    assert outcomes == ["created"] * WORKERS
