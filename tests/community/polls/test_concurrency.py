"""Quotas and one answer per member hold under answers sent at the same instant from
several processes (SQLite and PostgreSQL): the conditional UPDATE on the quota cell never
overfills it, and the unique (poll, member) pair never counts a member twice."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from tests.conftest import make_test_app, scratch_database
from tests.processes import run_together, write_scene

WORKERS = 6
CAPACITY = 3
pytestmark = [pytest.mark.slow]


def _scene_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(url)
    with app.test_request_context():
        from app.community.polls import services
        from app.core.db import unit_of_work
        from app.extensions import db
        from app.members.models import Member

        def member(name: str, role: str = "member", tier: str = "gold") -> Member:
            return Member(
                username=name,
                username_lower=name,
                email=f"{name}@example.com",
                password_hash="x",
                display_name=name,
                role=role,
                tier=tier,
            )

        tag = os.urandom(4).hex()
        with unit_of_work():
            product = member(f"pm_{tag}", role="product")
            golds = [member(f"gold{n}_{tag}") for n in range(WORKERS)]
            db.session.add_all([product, *golds])
        poll = services.create_poll(
            product,
            {
                "title_en": "Raced poll, gold quota",
                "kind": "single",
                "options": [{"label_en": "Yes"}, {"label_en": "No"}],
                "quota_attribute": "tier",
                "quotas": {"gold": str(CAPACITY)},
            },
        )
        ids.update(poll=poll.id, option=poll.options[0].id, golds=[g.id for g in golds])


def _scene(url: str) -> dict:
    return write_scene(_scene_worker, url)


def _answer_worker(url: str, worker: int, barrier, errors, ids, same_member, outcomes):  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.community.polls import services
            from app.core.errors import Invalid
            from app.extensions import db
            from app.members.models import Member

            member_id = ids["golds"][0 if same_member else worker]
            actor = db.session.get(Member, member_id)
            db.session.commit()
            barrier.wait(timeout=60)
            try:
                services.answer_poll(actor, ids["poll"], choices=[ids["option"]])
                outcomes.append("answered")
            except Invalid as exc:
                outcomes.append(exc.message)
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _count(url: str, ids: dict) -> tuple[int, int, int]:
    from app.community.polls.models import Poll, PollAnswer, PollQuotaCell

    engine = create_engine(url)
    with engine.connect() as conn:
        answers = conn.execute(
            select(func.count()).select_from(PollAnswer).where(PollAnswer.poll_id == ids["poll"])
        ).scalar_one()
        filled = conn.execute(
            select(PollQuotaCell.filled).where(PollQuotaCell.poll_id == ids["poll"])
        ).scalar_one()
        counter = conn.execute(select(Poll.answer_count).where(Poll.id == ids["poll"])).scalar_one()
    engine.dispose()
    return answers, filled, counter


@pytest.fixture
def shared_database(tmp_path: Path) -> str:
    return scratch_database(tmp_path, "polls")


def _race(url: str, same_member: bool) -> tuple[dict, list[str]]:
    ids = _scene(url)
    outcomes = multiprocessing.get_context("spawn").Manager().list()
    errors = run_together(
        [(_answer_worker, (url, ids, same_member, outcomes))] * WORKERS, timeout=120
    )
    assert errors == []
    return ids, list(outcomes)


def test_a_quota_cell_holds_at_its_limit_under_concurrent_answers(shared_database: str) -> None:
    ids, outcomes = _race(shared_database, same_member=False)
    assert outcomes.count("answered") == CAPACITY
    assert sum("all the answers it needs" in o for o in outcomes) == WORKERS - CAPACITY
    assert _count(shared_database, ids) == (CAPACITY, CAPACITY, CAPACITY)


def test_one_member_answering_from_several_processes_answers_once(shared_database: str) -> None:
    ids, outcomes = _race(shared_database, same_member=True)
    assert outcomes.count("answered") == 1
    assert sum("already answered" in o for o in outcomes) == WORKERS - 1
    assert _count(shared_database, ids) == (1, 1, 1)
