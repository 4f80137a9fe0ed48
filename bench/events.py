"""Durable events: how fast they are recorded, and handled by one worker.

Runs in the bench process on the database `bench` built (DATABASE_URL):

1. **Recording**: `count` forum events (likes of posts by the seeded members) emitted
   through `emit()` in units of work of 100, as services do: events recorded per second.
2. **Handling**: one worker (`drain()`, one process, one thread) feeds the real
   `member_counters` subscriber (one `UPDATE members ... + 1` per event, its position in
   the same transaction): events handled per second, target 5,000/s on SQLite.
3. **Overhead**: the same events through a subscriber that does nothing: what the worker
   itself costs per event (reading, rebuilding the dataclass, the savepoint, the position).
"""

from __future__ import annotations

import random
import time

TARGET_PER_SECOND = 5000


def measure(count: int = 20_000) -> dict:
    from sqlalchemy import select

    from app import create_app
    from app.community.forums.events import PostLiked
    from app.core.db import unit_of_work
    from app.core.events import emit, get_bus
    from app.core.worker import drain, ensure_positions
    from app.extensions import db
    from app.members.models import Member

    app = create_app({"SCHEDULER_ENABLED": False})
    with app.app_context():
        bus = get_bus()
        bus.subscribe_durable("bench_noop", {PostLiked: lambda _evt: None})
        # Start both subscribers at the current head: only this run's events count.
        names = ["member_counters", "bench_noop"]
        ensure_positions(names)
        drain(names=names, time_budget=600)
        members = db.session.scalars(select(Member.id).limit(2000)).all()
        rng = random.Random(7)

        started = time.perf_counter()
        for start in range(0, count, 100):
            with unit_of_work():
                for n in range(start, min(start + 100, count)):
                    emit(
                        PostLiked(
                            post_id=n + 1,
                            topic_id=1,
                            member_id=rng.choice(members),
                            post_author_id=rng.choice(members),
                        )
                    )
        record_seconds = time.perf_counter() - started

        started = time.perf_counter()
        handled = drain(names=["member_counters"], time_budget=600)
        handle_seconds = time.perf_counter() - started

        started = time.perf_counter()
        noop = drain(names=["bench_noop"], time_budget=600)
        noop_seconds = time.perf_counter() - started
        backend = db.engine.dialect.name
    return {
        "backend": backend,
        "count": count,
        "recorded_per_second": count / record_seconds,
        "handled": handled,
        "handled_per_second": handled / handle_seconds,
        "noop_per_second": noop / noop_seconds,
    }


def lines(result: dict) -> list[str]:
    rate = result["handled_per_second"]
    met = "met" if result["backend"] != "sqlite" or rate >= TARGET_PER_SECOND else "NOT met"
    return [
        "### Durable events (one worker, one thread)",
        "",
        "| what | events | per second |",
        "|---|---:|---:|",
        f"| recorded by `emit()` (units of work of 100) | {result['count']:,} | "
        f"{result['recorded_per_second']:,.0f} |",
        f"| handled by `member_counters` (an UPDATE each) | {result['handled']:,} | {rate:,.0f} |",
        f"| handled by a subscriber doing nothing | {result['count']:,} | "
        f"{result['noop_per_second']:,.0f} |",
        "",
        f"Events handled per second by one worker on {result['backend']}: **{rate:,.0f}** "
        f"(target ≥ {TARGET_PER_SECOND:,} on SQLite): **{met}**.",
        "",
    ]


if __name__ == "__main__":  # python -m bench.events, on DATABASE_URL
    print("\n".join(lines(measure())))
