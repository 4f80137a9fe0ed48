"""Events API ingestion and the staff pages of the single customer view.

Runs on DATABASE_URL (default: a fresh SQLite file in a temporary folder, migrated):

1. **Ingestion**: `events` API events (purchases, store visits, newsletter clicks for
   `members` members, matched by id, email or external id) POSTed in batches of 1,000
   through the real endpoint (in-process test client: no HTTP server in the figure), with
   the log, profiles, ledger and tiers kept current in each batch's transaction: events/s
   (target 5,000/s on SQLite).
2. **Pages**: the log is filled to `log_size` rows (bulk inserts, then `flask profiles
   recompute`'s rebuild), and a community manager's 360 page and dashboard are timed.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

TARGET_PER_SECOND = 5000


def _app():  # type: ignore[no-untyped-def]
    from app import create_app

    url = os.environ.get("DATABASE_URL")
    if not url:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='cercle-bench-api-')}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url.replace("postgresql://", "postgresql+psycopg://", 1),
            "SCHEDULER_ENABLED": False,
            "API_RATE_LIMIT": "100000 per minute",
            "WTF_CSRF_ENABLED": False,
            "FAST_PASSWORD_HASH": True,
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


def _members(count: int) -> list[int]:
    from sqlalchemy import insert, select

    from app.core.time import utcnow
    from app.extensions import db
    from app.members.models import Member

    have = db.session.scalar(select(Member.id).order_by(Member.id.desc()).limit(1)) or 0
    rows = [
        {
            "username": f"bench{have + i}",
            "username_lower": f"bench{have + i}",
            "email": f"bench{have + i}@example.com",
            "password_hash": "x",
            "display_name": "",
            "bio": "",
            "role": "member",
            "tier": "bronze",
            "points": 0,
            "auth_version": 1,
            "external_id": f"BENCH-{have + i}",
            "created_at": utcnow() - timedelta(days=i % 700),
        }
        for i in range(1, count + 1)
    ]
    for start in range(0, len(rows), 2000):
        db.session.execute(insert(Member), rows[start : start + 2000])
    db.session.commit()
    return list(db.session.scalars(select(Member.id).where(Member.id > have)))


def _event(n: int, member_id: int, rng: random.Random) -> dict:
    kind = rng.choice(["purchase", "purchase", "store_visit", "newsletter_click"])
    how = rng.choice(["member_id", "email", "external_id"])
    customer = {
        "member_id": {"member_id": member_id},
        "email": {"email": f"bench{member_id}@example.com"},
        "external_id": {"external_id": f"BENCH-{member_id}"},
    }[how]
    event = {"idempotency_key": f"bench-{n}", "type": kind, "customer": customer}
    if kind == "purchase":
        event |= {"amount": f"{rng.randint(10, 400)}.90", "currency": "EUR"}
    return event


def _timed(client, url: str, runs: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times) * 1000


def measure(events: int = 100_000, members: int = 10_000, log_size: int = 1_000_000) -> dict:
    from sqlalchemy import func, insert, select, text

    from app.api.keys import create_key
    from app.core.time import utcnow
    from app.extensions import db
    from app.members.engagement.models import EngagementEvent
    from app.members.engagement.rollups import recompute

    app = _app()
    rng = random.Random(11)
    with app.app_context():
        member_ids = _members(members)
        token = create_key(None, "bench", ["events:write"]).token
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        batches = [
            [_event(n, rng.choice(member_ids), rng) for n in range(s, min(s + 1000, events))]
            for s in range(0, events, 1000)
        ]
        started, cpu_started = time.perf_counter(), time.process_time()
        for batch in batches:
            response = client.post("/api/v1/events", json={"events": batch}, headers=headers)
            assert response.status_code == 202, response.get_json()
        ingest_seconds = time.perf_counter() - started
        # This process's CPU (SQLite runs in it): what the figure would be on an idle machine.
        ingest_cpu_seconds = time.process_time() - cpu_started

        have = db.session.scalar(select(func.count()).select_from(EngagementEvent))
        now = utcnow()
        kinds = ["topic_viewed", "replied", "liked", "logged_in", "searched"]
        started = time.perf_counter()
        for start in range(have, log_size, 20_000):
            db.session.execute(
                insert(EngagementEvent),
                [
                    {
                        "member_id": rng.choice(member_ids),
                        "type": rng.choice(kinds),
                        "channel": "community",
                        "properties": {},
                        "occurred_at": now - timedelta(minutes=rng.randint(0, 525_600)),
                        "recorded_at": now,
                        "source_key": f"fill-{n}",
                    }
                    for n in range(start, min(start + 20_000, log_size))
                ],
            )
            db.session.commit()
        fill_seconds = time.perf_counter() - started
        started = time.perf_counter()
        for start in range(0, len(member_ids), 1000):
            recompute(member_ids[start : start + 1000], chunk=1000)
            db.session.commit()
        recompute_seconds = time.perf_counter() - started
        # What autovacuum (PostgreSQL) or a periodic ANALYZE (SQLite) does after a bulk
        # load: without statistics the planner scans instead of using the indexes.
        db.session.execute(text("ANALYZE"))
        db.session.commit()

        from app.members.models import Member
        from app.members.passwords import hash_password

        staff = db.session.get(Member, member_ids[0])
        staff.role = "moderator"
        staff.password_hash = hash_password("bench password 123")
        db.session.commit()
        login = client.post(
            "/auth/login", data={"email": staff.email, "password": "bench password 123"}
        )
        assert login.status_code == 302, login.status_code
        busiest = db.session.scalar(
            select(EngagementEvent.member_id)
            .group_by(EngagementEvent.member_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        username = db.session.get(Member, busiest).username
        page_360 = _timed(client, f"/members/{username}/360")
        page_dashboard = _timed(client, "/customers/dashboard")
        page_directory = _timed(client, "/customers/?tier=silver")
        backend = db.engine.dialect.name
    return {
        "backend": backend,
        "events": events,
        "members": members,
        "ingest_per_second": events / ingest_seconds,
        "ingest_cpu_per_second": events / ingest_cpu_seconds,
        "load_average": os.getloadavg()[0],
        "log_size": log_size,
        "fill_seconds": fill_seconds,
        "recompute_seconds": recompute_seconds,
        "page_360_ms": page_360,
        "page_dashboard_ms": page_dashboard,
        "page_directory_ms": page_directory,
    }


def lines(result: dict) -> list[str]:
    r = result
    verdict = "meets" if r["ingest_per_second"] >= TARGET_PER_SECOND else "misses"
    return [
        f"| events API ({r['backend']}) | value |",
        "|---|---|",
        f"| ingestion, {r['events']:,} events in batches of 1,000, rollups current "
        f"| {r['ingest_per_second']:,.0f} events/s "
        f"({verdict} the {TARGET_PER_SECOND:,}/s target) |",
        f"| the same, per second of this process's CPU (load average {r['load_average']:.1f}) "
        f"| {r['ingest_cpu_per_second']:,.0f} events/s |",
        f"| `profiles recompute`, {r['members']:,} members, {r['log_size']:,} log rows "
        f"| {r['recompute_seconds']:.1f} s |",
        f"| member 360 page (median of 5) | {r['page_360_ms']:.0f} ms |",
        f"| engagement dashboard (median of 5) | {r['page_dashboard_ms']:.0f} ms |",
        f"| member directory, filtered (median of 5) | {r['page_directory_ms']:.0f} ms |",
    ]


if __name__ == "__main__":  # python -m bench.api, on DATABASE_URL (default: a temp SQLite)
    import sys

    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    result = measure(
        events=int(100_000 * scale), members=int(10_000 * scale), log_size=int(1_000_000 * scale)
    )
    print("\n".join(lines(result)))
