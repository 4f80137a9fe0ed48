"""Several worker processes writing to one database at once.

Each worker builds its own app on the same database (as `make run` workers or a CLI job next
to the server would) and writes through the services inside `unit_of_work`.

On SQLite (checked once, in the SQLite run): no "database is locked", and the
read-then-write pattern queues on `BEGIN IMMEDIATE` instead of deadlocking.

On both backends: likes and follows asked by several processes at the same instant, with
the same asked state, end in that state with one row, the right counters and one event
per real change (the unique constraints plus INSERT ... ON CONFLICT DO NOTHING / DELETE).
The scene is written with real commits by a process of its own; on PostgreSQL, whose test
database the rest of the suite shares, every row the test added is deleted afterwards.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, insert, select

from app.members.models import Interest, Member
from tests.conftest import make_test_app, scratch_database, upgrade_schema
from tests.processes import run_together

WORKERS = 4
WRITES = 25

ON_POSTGRES = os.environ.get("CERCLE_TEST_BACKEND") == "postgres"
sqlite_only = pytest.mark.skipif(
    ON_POSTGRES, reason="SQLite file concurrency: checked once, in the SQLite run"
)

pytestmark = [pytest.mark.slow]


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


def _run(target, url: str, *extra) -> list[str]:  # type: ignore[no-untyped-def]
    return run_together([(target, (url, *extra))] * WORKERS, timeout=120)


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


@sqlite_only
def test_concurrent_registrations_all_succeed(database_file: str) -> None:
    assert _run(_register_worker, database_file) == []
    assert _scalar(database_file, select(func.count()).select_from(Member)) == WORKERS * WRITES


@sqlite_only
def test_concurrent_read_then_write_loses_no_update(database_file: str) -> None:
    assert _run(_increment_worker, database_file) == []
    position = select(Interest.position).where(Interest.slug == "counter")
    assert _scalar(database_file, position) == WORKERS * WRITES


# --- likes and follows, on both backends -------------------------------------------------

ROUNDS = 5  # on, off, on, off, on: every round, every worker asks for the same state


def _forum_scene_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    """Commit a category, a topic by its author and WORKERS other members (own process)."""
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
            )

        tag = os.urandom(4).hex()
        with unit_of_work():
            category = Category(
                slug=f"race-{tag}", name_en="Race", name_fr="Course", colour="#2f6f8f"
            )
            author = member(f"author_{tag}")
            fans = [member(f"fan{n}_{tag}") for n in range(WORKERS)]
            db.session.add_all([category, author, *fans])
        topic = services.create_topic(author, category.id, "A topic raced on", "Like me")
        post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
        ids.update(topic=topic.id, post=post_id, fans=[f.id for f in fans])


def _forum_scene(url: str) -> dict:
    ctx = multiprocessing.get_context("spawn")
    ids = ctx.Manager().dict()
    process = ctx.Process(target=_forum_scene_worker, args=(url, ids))
    process.start()
    process.join(timeout=120)
    assert process.exitcode == 0, "the scene could not be written"
    return dict(ids)


def _race_worker(url: str, worker: int, barrier, errors, kind: str, ids, same_member, seen):  # type: ignore[no-untyped-def]
    """Each round, wait for every worker, then ask for the round's state at once."""
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.community.forums import services
            from app.community.forums.events import PostLiked, PostUnliked, TopicFollowed
            from app.core.events import get_bus
            from app.extensions import db

            events: list[str] = []
            for event_type in (PostLiked, PostUnliked, TopicFollowed):
                get_bus().subscribe(event_type, lambda e: events.append(type(e).__name__))
            member_id = ids["fans"][0 if same_member else worker]
            for round_ in range(ROUNDS):
                asked = round_ % 2 == 0
                barrier.wait(timeout=60)
                actor = db.session.get(Member, member_id, populate_existing=True)
                if kind == "like":
                    liked, _ = services.set_like(actor, ids["post"], asked)
                    assert liked is asked
                else:
                    assert services.set_follow(actor, ids["topic"], asked) is asked
                db.session.remove()
            seen.extend(events)
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _race(url: str, kind: str, same_member: bool) -> tuple[dict, list[str]]:
    ids = _forum_scene(url)
    ctx = multiprocessing.get_context("spawn")
    seen = ctx.Manager().list()
    errors = _run(_race_worker, url, kind, ids, same_member, seen)
    assert errors == []
    return ids, sorted(seen)


@pytest.fixture
def shared_database(tmp_path: Path) -> str:
    """A database the workers share, of its own: a fresh SQLite file, or a fresh PostgreSQL
    database beside the test one (so the rows they commit never reach other tests)."""
    return scratch_database(tmp_path, "shared")


def _counts(url: str, ids: dict) -> dict[str, int]:
    from app.community.forums.models import Post, PostLike, Topic, TopicFollow

    engine = create_engine(url)
    with engine.connect() as conn:
        counts = {
            "likes": conn.execute(
                select(func.count()).select_from(PostLike).where(PostLike.post_id == ids["post"])
            ).scalar_one(),
            "post_like_count": conn.execute(
                select(Post.like_count).where(Post.id == ids["post"])
            ).scalar_one(),
            "topic_like_count": conn.execute(
                select(Topic.like_count).where(Topic.id == ids["topic"])
            ).scalar_one(),
            "follows": conn.execute(
                select(func.count())
                .select_from(TopicFollow)
                .where(TopicFollow.topic_id == ids["topic"], TopicFollow.member_id.in_(ids["fans"]))
            ).scalar_one(),
        }
    engine.dispose()
    return counts


def test_one_member_liking_from_several_processes_at_once_likes_once(shared_database: str) -> None:
    ids, events = _race(shared_database, "like", same_member=True)
    counts = _counts(shared_database, ids)
    assert (counts["likes"], counts["post_like_count"], counts["topic_like_count"]) == (1, 1, 1)
    # One event per round: only the request that changed the state announces it.
    assert events == ["PostLiked"] * 3 + ["PostUnliked"] * 2


def test_members_liking_the_same_post_at_once_are_all_counted(shared_database: str) -> None:
    ids, events = _race(shared_database, "like", same_member=False)
    counts = _counts(shared_database, ids)
    assert (counts["likes"], counts["post_like_count"], counts["topic_like_count"]) == (
        WORKERS,
        WORKERS,
        WORKERS,
    )
    assert events == ["PostLiked"] * 3 * WORKERS + ["PostUnliked"] * 2 * WORKERS


def test_one_member_following_from_several_processes_at_once_follows_once(
    shared_database: str,
) -> None:
    ids, events = _race(shared_database, "follow", same_member=True)
    assert _counts(shared_database, ids)["follows"] == 1
    assert events == ["TopicFollowed"] * ROUNDS
