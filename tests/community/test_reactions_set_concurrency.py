"""Reactions raced from several processes at once, on SQLite and PostgreSQL: the stored
counts on the post (a JSON map updated under the topic's row lock) match the rows, and
only the request that changed the state announces it."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from app.members.models import Member
from tests.conftest import make_test_app, scratch_database
from tests.processes import write_scene
from tests.test_concurrency import ROUNDS, WORKERS, _run

pytestmark = [pytest.mark.slow]

EMOJI = "🎉"


@pytest.fixture
def shared_database(tmp_path: Path) -> str:
    return scratch_database(tmp_path, "reactions")


def _scene_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    """Commit a category, a topic and WORKERS established members (a process of its own)."""
    import os

    app = make_test_app(url)
    with app.test_request_context():
        from app.community.forums import services
        from app.community.forums.models import Category, Post
        from app.core.db import unit_of_work
        from app.extensions import db

        def member(name: str) -> Member:
            return Member(
                username=name,
                username_lower=name,
                email=f"{name}@example.com",
                password_hash="x",
                display_name=name,
                trust_level=1,  # established: their posts are never held for review
            )

        tag = os.urandom(4).hex()
        with unit_of_work():
            category = Category(
                slug=f"react-{tag}", name_en="React", name_fr="Réagir", colour="#2f6f8f"
            )
            author = member(f"author_{tag}")
            fans = [member(f"fan{n}_{tag}") for n in range(WORKERS)]
            db.session.add_all([category, author, *fans])
        topic = services.create_topic(author, category.id, "A topic raced on", "React to me")
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
        ids.update(topic=topic.id, post=post_id, fans=[f.id for f in fans])


def _forum_scene(url: str) -> dict:
    return write_scene(_scene_worker, url)


def _react_worker(url: str, worker: int, barrier, errors, ids, same_member, seen):  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.community.forums import services
            from app.community.forums.events import PostReacted
            from app.core.events import get_bus
            from app.extensions import db

            events: list[bool] = []
            get_bus().subscribe(PostReacted, lambda e: events.append(e.reacted))
            member_id = ids["fans"][0 if same_member else worker]
            for round_ in range(ROUNDS):
                asked = round_ % 2 == 0
                barrier.wait(timeout=60)
                actor = db.session.get(Member, member_id, populate_existing=True)
                present, _ = services.set_reaction(actor, ids["post"], EMOJI, asked)
                assert present is asked
                db.session.remove()
            seen.extend(events)
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _race(url: str, same_member: bool) -> tuple[dict, list[bool]]:
    ids = _forum_scene(url)
    seen = multiprocessing.get_context("spawn").Manager().list()
    assert _run(_react_worker, url, ids, same_member, seen) == []
    return ids, sorted(seen)


def _stored(url: str, ids: dict) -> tuple[int, dict]:
    from app.community.forums.models import Post, PostReaction

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(func.count())
            .select_from(PostReaction)
            .where(PostReaction.post_id == ids["post"])
        ).scalar_one()
        counts = conn.execute(
            select(Post.reaction_counts).where(Post.id == ids["post"])
        ).scalar_one()
    engine.dispose()
    return rows, counts or {}


def test_members_reacting_at_once_are_all_counted(shared_database: str) -> None:
    ids, events = _race(shared_database, same_member=False)
    assert _stored(shared_database, ids) == (WORKERS, {EMOJI: WORKERS})
    assert events.count(True) == 3 * WORKERS and events.count(False) == 2 * WORKERS


def test_one_member_reacting_from_several_processes_reacts_once(shared_database: str) -> None:
    ids, events = _race(shared_database, same_member=True)
    assert _stored(shared_database, ids) == (1, {EMOJI: 1})
    assert events == [False] * 2 + [True] * 3
