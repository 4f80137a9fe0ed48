"""Workers in real processes on one database (SQLite file, or PostgreSQL in its run):
two workers never handle an event twice nor send a mail twice; a worker killed in the
middle of a batch loses nothing and repeats nothing visible."""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, insert, select, text

from app.core.event_store import DomainEventRecord, SubscriberPosition
from app.core.events import DomainEvent
from app.notifications.models import OutboxMessage
from tests.conftest import make_test_app, scratch_database
from tests.processes import run_together

pytestmark = pytest.mark.slow

EVENTS = 600
MAILS = 120


@dataclass(frozen=True)
class ProbeCounted(DomainEvent):
    n: int


def _app(url: str):  # type: ignore[no-untyped-def]
    return make_test_app(url)


def _probe_handler(worker: int):  # type: ignore[no-untyped-def]
    def handle(evt: ProbeCounted) -> None:
        from app.extensions import db

        db.session.execute(
            text("INSERT INTO probe_handled (event_id, worker) VALUES (:e, :w)"),
            {"e": evt.event_id, "w": worker},
        )

    return handle


def _emit_many(url: str, count: int) -> None:
    from app.core.db import unit_of_work
    from app.core.events import emit

    app = _app(url)
    with app.app_context():
        for start in range(0, count, 100):
            with unit_of_work():
                for n in range(start, min(start + 100, count)):
                    emit(ProbeCounted(n))


def _drain_probe(url: str, worker: int, barrier, errors) -> None:  # type: ignore[no-untyped-def]
    try:
        app = _app(url)
        with app.app_context():
            from app.core.events import get_bus
            from app.core.worker import drain, event_lag

            get_bus().subscribe_durable("probe", {ProbeCounted: _probe_handler(worker)})
            barrier.wait(timeout=60)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                drain(names=["probe"], batch_size=7, time_budget=1.0)
                lag = event_lag()
                if all(s.behind == 0 for s in lag.subscribers if s.name == "probe"):
                    break
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _deliver(url: str, worker: int, barrier, errors, log_path: str) -> None:  # type: ignore[no-untyped-def]
    try:
        app = _app(url)
        with app.app_context():
            from app.notifications import mail

            def fake_send(message, _email) -> str:  # type: ignore[no-untyped-def]
                fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                os.write(fd, f"{message.id} {worker}\n".encode())
                os.close(fd)
                time.sleep(0.002)  # a real server takes a while: let the workers overlap
                return "sent"

            mail._send = fake_send
            barrier.wait(timeout=60)
            idle = 0
            while idle < 3:
                idle = idle + 1 if mail.deliver_pending(limit=5) == 0 else 0
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


def _spawn(target, *args) -> int:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("spawn")
    process = ctx.Process(target=target, args=args)
    process.start()
    process.join(timeout=180)
    if process.is_alive():
        process.kill()
        raise AssertionError(f"{target.__name__} did not finish")
    return process.exitcode


def test_two_workers_handle_each_event_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = scratch_database(tmp_path, "twoworkers")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe_handled (event_id BIGINT NOT NULL, worker INT)"))
    assert _spawn(_emit_many, url, EVENTS) == 0

    assert run_together([(_drain_probe, (url,)), (_drain_probe, (url,))]) == []

    with engine.connect() as conn:
        rows = conn.execute(text("SELECT event_id, worker FROM probe_handled")).all()
        head = conn.execute(select(func.max(DomainEventRecord.id))).scalar_one()
        position = conn.execute(
            select(SubscriberPosition.position).where(SubscriberPosition.name == "probe")
        ).scalar_one()
    engine.dispose()
    handled = Counter(event_id for event_id, _worker in rows)
    assert len(handled) == EVENTS
    assert [e for e, times in handled.items() if times > 1] == []
    assert position == head


def test_two_workers_never_send_one_mail_twice(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = scratch_database(tmp_path, "twomailers")
    now = datetime.now(UTC)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            insert(OutboxMessage),
            [
                {
                    "to_address": f"m{n}@example.com",
                    "subject": f"Message {n}",
                    "text_body": "Hello",
                    "html_body": "<p>Hello</p>",
                    "kind": "test",
                    "status": "pending",
                    "attempts": 0,
                    "last_error": "",
                    "secure_purpose": "",
                    "secure_link_template": "",
                    "created_at": now,
                    "next_attempt_at": now,
                }
                for n in range(MAILS)
            ],
        )
    log_path = str(tmp_path / "sent.log")

    assert run_together([(_deliver, (url, log_path)), (_deliver, (url, log_path))]) == []

    with open(log_path) as fh:
        lines = [line.split() for line in fh.read().splitlines()]
    sends = Counter(message_id for message_id, _worker in lines)
    assert len(sends) == MAILS
    assert [m for m, times in sends.items() if times > 1] == []
    with engine.connect() as conn:
        statuses = Counter(conn.execute(select(OutboxMessage.status)).scalars())
    engine.dispose()
    assert statuses == {"sent": MAILS}


def _forum_activity(url: str) -> None:
    """Topics, replies, likes, unlikes, deletes and restores through the services."""
    import random

    from app.community.forums import services
    from app.extensions import db
    from tests.community.factories import CategoryFactory
    from tests.factories import MemberFactory

    app = _app(url)
    with app.test_request_context():
        members = [MemberFactory(username=f"active{n}") for n in range(6)]
        staff = MemberFactory(username="keeper", role="moderator")
        category = CategoryFactory()
        db.session.commit()
        rng = random.Random(11)
        posts = []
        for t in range(3):
            topic = services.create_topic(members[t], category.id, f"Topic number {t}", f"Body {t}")
            for n, member in enumerate(members):
                for r in range(2):
                    posts.append(services.reply(member, topic.id, f"Reply {t}.{n}.{r} here"))
        for post in posts:
            for member in members:
                if member.id != post.author_id and rng.random() < 0.6:
                    services.set_like(member, post.id, True)
                    if rng.random() < 0.3:
                        services.set_like(member, post.id, False)
        for post in rng.sample(posts, 8):
            services.delete_post(staff, post.id)
        for post in rng.sample(posts, 4):
            if post.deleted_at is not None:
                services.restore_post(staff, post.id)


def _drain_then_die(url: str, handled_before_dying: int) -> None:
    """A worker killed in the middle of a batch, after some batches committed."""
    app = _app(url)
    with app.app_context():
        from app.core.events import get_bus
        from app.core.worker import drain

        subscriber = get_bus().durable_subscriber("member_counters")
        calls = {"n": 0}
        for event_type, handler in list(subscriber.handlers.items()):

            def dying(evt, _handler=handler):  # type: ignore[no-untyped-def]
                _handler(evt)  # its UPDATE is sent, its batch not yet committed
                calls["n"] += 1
                if calls["n"] == handled_before_dying:
                    os._exit(9)

            subscriber.handlers[event_type] = dying
        drain(names=["member_counters"], batch_size=40, time_budget=120)


def _drain_and_recount(url: str, results) -> None:  # type: ignore[no-untyped-def]
    app = _app(url)
    with app.app_context():
        from app.core.worker import drain
        from app.extensions import db
        from app.members.recount import recount_member_counters

        position = db.session.scalar(
            select(SubscriberPosition.position).where(SubscriberPosition.name == "member_counters")
        )
        head = db.session.scalar(select(func.max(DomainEventRecord.id)))
        db.session.rollback()
        drain(names=["member_counters"], time_budget=120)
        results.put((position, head, recount_member_counters()))


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = scratch_database(tmp_path, "killed")
    assert _spawn(_forum_activity, url) == 0
    assert _spawn(_drain_then_die, url, 100) == 9  # killed after 100 handled events

    ctx = multiprocessing.get_context("spawn")
    results = ctx.Queue()
    assert _spawn(_drain_and_recount, url, results) == 0
    position, head, repairs = results.get(timeout=10)
    assert 0 < position < head  # some batches had committed, the killed one had not
    assert repairs == []  # after the next worker: every counter equals a recount
