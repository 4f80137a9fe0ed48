"""Flags racing in real processes (SQLite file, or PostgreSQL with the suite's backend):
one member's repeated flag counts once; trusted members flagging at once hide the post
exactly once, with every weight counted."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import traceback
from pathlib import Path

from sqlalchemy import create_engine, func, select

from tests.conftest import make_test_app, scratch_database
from tests.processes import run_together, write_scene

WORKERS = 4


def _scene_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(url)
    with app.test_request_context():
        from app.community.forums import services
        from app.community.forums.models import Category
        from app.core.db import unit_of_work
        from app.extensions import db
        from app.members.models import Member

        tag = os.urandom(4).hex()

        def member(name: str) -> Member:
            return Member(
                username=name,
                username_lower=name,
                email=f"{name}@example.com",
                password_hash="x",
                display_name=name,
                trust_level=1,
            )

        with unit_of_work():
            category = Category(slug=f"flags-{tag}", name_en="C", name_fr="C", colour="#2f6f8f")
            author = member(f"author_{tag}")
            flaggers = [member(f"flagger{n}_{tag}") for n in range(WORKERS)]
            db.session.add_all([category, author, *flaggers])
        topic = services.create_topic(author, category.id, "A topic with a reply", "Hello")
        post = services.reply(author, topic.id, "A reply some will flag")
        ids.update(post=post.id, topic=topic.id, flaggers=[m.id for m in flaggers])


def _flag_worker(url: str, worker: int, barrier, errors, ids, same_member: bool) -> None:  # type: ignore[no-untyped-def]
    try:
        # The last of the WORKERS flags reaches the threshold: every one of them counts.
        app = make_test_app(url, FLAG_HIDE_THRESHOLD=WORKERS)
        with app.test_request_context():
            from app.extensions import db
            from app.members.models import Member
            from app.moderation import flags

            actor = db.session.get(Member, ids["flaggers"][0 if same_member else worker])
            barrier.wait(timeout=60)
            with contextlib.suppress(flags.AlreadyFlagged):
                flags.flag_post(actor, ids["post"], "spam")
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _race(tmp_path: Path, label: str, same_member: bool) -> tuple[str, dict]:
    url = scratch_database(tmp_path, label)
    ids = write_scene(_scene_worker, url)
    errors = run_together([(_flag_worker, (url, ids, same_member)) for _ in range(WORKERS)])
    assert errors == []
    return url, ids


def _facts(url: str, ids: dict) -> dict:
    from app.community.forums.models import Post, Topic
    from app.core.event_store import DomainEventRecord
    from app.moderation.models import Flag, ReviewItem

    engine = create_engine(url)
    with engine.connect() as conn:
        facts = {
            "flags": conn.scalar(select(func.count(Flag.id)).where(Flag.post_id == ids["post"])),
            "items": conn.execute(
                select(ReviewItem.flag_weight, ReviewItem.status).where(
                    ReviewItem.post_id == ids["post"]
                )
            ).all(),
            "state": conn.scalar(select(Post.moderation_state).where(Post.id == ids["post"])),
            "topic_posts": conn.scalar(select(Topic.post_count).where(Topic.id == ids["topic"])),
            "hidden_events": conn.scalar(
                select(func.count())
                .select_from(DomainEventRecord)
                .where(DomainEventRecord.type == "post_hidden")
            ),
        }
    engine.dispose()
    return facts


def test_one_member_flagging_from_several_processes_at_once_flags_once(tmp_path: Path) -> None:
    url, ids = _race(tmp_path, "flag_once", same_member=True)
    facts = _facts(url, ids)
    assert facts["flags"] == 1
    assert facts["items"] == [(1, "pending")]
    assert facts["state"] == "visible"


def test_trusted_members_flagging_at_once_hide_the_post_once(tmp_path: Path) -> None:
    url, ids = _race(tmp_path, "flag_many", same_member=False)
    facts = _facts(url, ids)
    assert facts["flags"] == WORKERS
    assert facts["items"] == [(WORKERS, "pending")]
    assert facts["state"] == "hidden"
    assert facts["topic_posts"] == 1  # the reply left the count once
    assert facts["hidden_events"] == 1


def _hold_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(url)
    with app.test_request_context():
        from app.community.forums.models import Post
        from app.community.forums.services import moderation_state
        from app.core.db import unit_of_work
        from app.extensions import db

        with unit_of_work():
            moderation_state.hold_post(db.session.get(Post, ids["post"]), "new_member")


def _approve_worker(url: str, worker: int, barrier, errors, ids) -> None:  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.community.forums.models import Post
            from app.community.forums.services import moderation_state
            from app.core.db import unit_of_work
            from app.extensions import db

            barrier.wait(timeout=60)
            with unit_of_work():
                moderation_state.make_visible(db.session.get(Post, ids["post"]), actor_id=None)
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def test_approving_one_held_post_at_once_counts_and_announces_it_once(tmp_path: Path) -> None:
    url = scratch_database(tmp_path, "approve_many")
    ctx = multiprocessing.get_context("spawn")
    ids = write_scene(_scene_worker, url)
    hold = ctx.Process(target=_hold_worker, args=(url, ids))
    hold.start()
    hold.join(timeout=120)
    assert hold.exitcode == 0
    errors = run_together([(_approve_worker, (url, ids)) for _ in range(WORKERS)])
    assert errors == []
    facts = _facts(url, ids)
    assert facts["state"] == "visible"
    assert facts["topic_posts"] == 2  # the first post and the reply, counted once

    from app.core.event_store import DomainEventRecord

    engine = create_engine(url)
    with engine.connect() as conn:
        shown = conn.scalar(
            select(func.count())
            .select_from(DomainEventRecord)
            .where(DomainEventRecord.type == "post_made_visible")
        )
    engine.dispose()
    assert shown == 1
