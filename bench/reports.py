"""The feedback report on a large product: 5,000 ideas and 500,000 votes.

Runs on a fresh database of its own (a temporary SQLite file by default, or the URL given):
members of every tier, one board with `ideas` ideas (votes per idea skewed, like real
boards: a few ideas take most votes), `votes` votes with their snapshots spread over the
last year, status changes with responses, and a poll with answers; all bulk-inserted. Then
`/reports/feedback`'s report is built (every table, as the page does) for the board and
for every board, over 90 days and 12 months, weighted by tier and by lifecycle stage:
p50/p95 over `runs` builds each, and the SQL statements per build.

Target: under 500 ms for a product with 5,000 ideas and 500,000 votes.

    python -m bench.reports                      # SQLite
    python -m bench.reports postgresql://postgres@127.0.0.1:5432/cercle_bench_reports
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta

TARGET_MS = 500.0
TIERS = ("bronze", "silver", "gold", "platinum")
STAGES = ("new", "active", "advocate", "reactivated", "at_risk", "lapsed")
BANDS = ("none", "low", "medium", "high")
INTERESTS = ("hiking", "trail-running", "climbing", "camping", "winter", "photography")


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _app(database_url: str | None):  # type: ignore[no-untyped-def]
    from app import create_app
    from tests.conftest import reset_postgres, upgrade_schema

    if not database_url:
        database_url = f"sqlite:///{tempfile.mkdtemp(prefix='cercle-bench-reports-')}/bench.db"
    database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    if database_url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        url = make_url(database_url)
        admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            if (
                conn.execute(
                    text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
                ).first()
                is None
            ):
                conn.execute(text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
        reset_postgres(database_url)
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SCHEDULER_ENABLED": False,
            "FAST_PASSWORD_HASH": True,
        }
    )
    upgrade_schema(app)
    return app


def seed(ideas: int, votes: int, members: int, rng: random.Random) -> dict:
    """Bulk-insert the product: members, a board, ideas, votes, status changes, a poll."""
    from sqlalchemy import insert, select

    from app.community.ideas.models import Idea, IdeaBoard, IdeaStatusChange, IdeaVote
    from app.community.polls.models import Poll, PollAnswer, PollChoice, PollOption
    from app.core.time import utcnow
    from app.extensions import db
    from app.members.models import Member

    now = utcnow()
    db.session.execute(
        insert(Member),
        [
            {
                "username": f"m{n}",
                "username_lower": f"m{n}",
                "email": f"m{n}@bench.test",
                "password_hash": "x",
                "display_name": f"M {n}",
                "bio": "",
                "role": "member",
                "tier": TIERS[min(3, int(rng.paretovariate(2.0)) - 1)],
                "points": 0,
                "auth_version": 1,
                "created_at": now - timedelta(days=rng.randint(0, 900)),
            }
            for n in range(members)
        ],
    )
    member_rows = db.session.execute(select(Member.id, Member.tier).order_by(Member.id)).all()
    author = member_rows[0].id
    board = IdeaBoard(
        slug="summit-tents",
        name_en="Summit tents",
        name_fr="Tentes Summit",
        product="Tents",
        audience={},
    )
    other = IdeaBoard(slug="packs", name_en="Packs", name_fr="Sacs", product="Packs", audience={})
    db.session.add_all([board, other])
    db.session.flush()
    statuses = ("open", "under_review", "planned", "in_progress", "shipped", "declined")
    idea_rows = []
    for n in range(ideas):
        created = now - timedelta(days=rng.uniform(0, 700))
        status = rng.choices(statuses, weights=(60, 12, 8, 5, 10, 5))[0]
        idea_rows.append(
            {
                "board_id": board.id if n % 10 else other.id,
                "author_id": member_rows[n % members].id,
                "title": f"Idea {n}: "
                + rng.choice(("lighter", "warmer", "cheaper", "greener"))
                + " gear",
                "slug": f"idea-{n}",
                "body": "Body",
                "body_html": "<p>Body</p>",
                "status": status,
                "tags": [],
                "vote_count": 0,
                "importance_total": 0,
                "comment_count": rng.randint(0, 40),
                "follower_count": 0,
                "created_at": created,
                "last_activity_at": created + timedelta(days=rng.uniform(0, 30)),
                "first_response_at": created + timedelta(days=rng.uniform(1, 60))
                if status != "open"
                else None,
            }
        )
    db.session.execute(insert(Idea), idea_rows)
    idea_ids = list(db.session.scalars(select(Idea.id).order_by(Idea.id)))
    # Skewed votes per idea (Zipf-like), each idea's voters distinct members.
    raw = [1.0 / (rank + 1) ** 0.6 for rank in range(len(idea_ids))]
    rng.shuffle(raw)
    scale = votes / sum(raw)
    per_idea = [min(members, max(1, round(r * scale))) for r in raw]
    rows: list[dict] = []
    for idea_id, count in zip(idea_ids, per_idea, strict=True):
        for member_id, tier in rng.sample(member_rows, count):
            rows.append(
                {
                    "idea_id": idea_id,
                    "member_id": member_id,
                    "importance": rng.randint(1, 3),
                    "created_at": now - timedelta(days=rng.uniform(0, 730)),
                    "tier": tier,
                    "stage": rng.choice(STAGES),
                    "value_band": rng.choice(BANDS),
                    "interests": rng.sample(INTERESTS, rng.randint(0, 3)),
                }
            )
    # Votes arrive over time: inserted in time order, as a live club writes them.
    rows.sort(key=lambda row: row["created_at"])
    for start in range(0, len(rows), 20_000):
        db.session.execute(insert(IdeaVote), rows[start : start + 20_000])
    total = len(rows)
    changes = [
        {
            "idea_id": row["id"],
            "old_status": "open",
            "new_status": row["status"],
            "response": "Thanks, we are on it.",
            "response_html": "<p>Thanks</p>",
            "actor_id": author,
            "created_at": row["first_response_at"],
        }
        for row in db.session.execute(
            select(Idea.id, Idea.status, Idea.first_response_at).where(
                Idea.first_response_at.is_not(None)
            )
        ).mappings()
    ]
    db.session.execute(insert(IdeaStatusChange), changes)
    poll = Poll(
        title_en="Bench poll",
        kind="single",
        author_id=author,
        opens_at=now - timedelta(days=30),
        audience={},
    )
    db.session.add(poll)
    db.session.flush()
    options = [PollOption(poll_id=poll.id, label_en=f"Option {n}", position=n) for n in range(4)]
    db.session.add_all(options)
    db.session.flush()
    answers = [
        {
            "poll_id": poll.id,
            "member_id": m.id,
            "tier": m.tier,
            "stage": rng.choice(STAGES),
            "value_band": rng.choice(BANDS),
            "interests": rng.sample(INTERESTS, 2),
            "created_at": now - timedelta(days=rng.uniform(0, 29)),
        }
        for m in member_rows[: min(members, 3000)]
    ]
    db.session.execute(insert(PollAnswer), answers)
    answer_ids = list(
        db.session.scalars(select(PollAnswer.id).where(PollAnswer.poll_id == poll.id))
    )
    db.session.execute(
        insert(PollChoice),
        [
            {"answer_id": a, "poll_id": poll.id, "option_id": rng.choice(options).id}
            for a in answer_ids
        ],
    )
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy import text

        db.session.execute(text("ANALYZE"))
        db.session.commit()
    return {"ideas": len(idea_ids), "votes": total, "members": members, "board": board.slug}


def measure(
    ideas: int = 5_000,
    votes: int = 500_000,
    members: int = 5_000,
    runs: int = 15,
    database_url: str | None = None,
) -> dict:
    from sqlalchemy import event

    from app.community.reports import feedback
    from app.extensions import db

    rng = random.Random(2026)
    app = _app(database_url)
    cases = {
        "board, 90 days, by tier": {"board": "summit-tents", "period": "90d", "weight_by": "tier"},
        "board, 12 months, by tier": {
            "board": "summit-tents",
            "period": "365d",
            "weight_by": "tier",
        },
        "board, 12 months, by stage": {
            "board": "summit-tents",
            "period": "365d",
            "weight_by": "stage",
        },
        "every board, 12 months": {"period": "365d", "weight_by": "tier"},
    }
    with app.app_context():
        started = time.perf_counter()
        info = seed(ideas, votes, members, rng)
        seed_seconds = time.perf_counter() - started
        backend = db.engine.dialect.name
        results = {}
        for name, args in cases.items():
            timings: list[float] = []
            cpu_timings: list[float] = []
            statements: list[str] = []
            for n in range(runs + 2):
                with app.test_request_context("/reports/feedback", query_string=args):
                    seen: list[str] = []

                    def _count(*_a, seen=seen):  # type: ignore[no-untyped-def]
                        seen.append("x")

                    event.listen(db.engine, "before_cursor_execute", _count)
                    begin, cpu_begin = time.perf_counter(), time.process_time()
                    params, _errors = feedback.parse_params(args)
                    report = feedback.build(params)
                    elapsed = (time.perf_counter() - begin) * 1000
                    cpu = (time.process_time() - cpu_begin) * 1000
                    event.remove(db.engine, "before_cursor_execute", _count)
                    db.session.rollback()
                    if n >= 2:  # two warm-up builds
                        timings.append(elapsed)
                        cpu_timings.append(cpu)
                        statements = seen
            results[name] = {
                "p50_ms": statistics.median(timings),
                "p95_ms": _percentile(timings, 95),
                "cpu_p50_ms": statistics.median(cpu_timings),
                "cpu_p95_ms": _percentile(cpu_timings, 95),
                "queries": len(statements),
                "tables": len(report.tables()),
            }
    return {
        "backend": backend,
        "seed_seconds": seed_seconds,
        "runs": runs,
        "load": os.getloadavg()[0],
        **info,
        "cases": results,
    }


def lines(result: dict) -> list[str]:
    worst = max(case["p95_ms"] for case in result["cases"].values())
    met = "met" if worst < TARGET_MS else "NOT met"
    out = [
        f"### Feedback report ({result['backend']}, {result['ideas']:,} ideas, "
        f"{result['votes']:,} votes, {result['members']:,} members)",
        "",
        "| report | p50 | p95 | CPU p50 / p95 (this process) | SQL statements | tables |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, case in result["cases"].items():
        out.append(
            f"| {name} | {case['p50_ms']:.0f} ms | {case['p95_ms']:.0f} ms | "
            f"{case['cpu_p50_ms']:.0f} / {case['cpu_p95_ms']:.0f} ms | "
            f"{case['queries']} | {case['tables']} |"
        )
    out += [
        "",
        f"Every table of `/reports/feedback` built as the page does ({result['runs']} builds per "
        "case after two warm-ups; the CSV and JSON are the same tables). Data bulk-inserted in "
        f"{result['seed_seconds']:.0f} s: votes skewed across ideas, spread over two years, "
        "each with its snapshot. Target: p95 under "
        f"{TARGET_MS:.0f} ms — {met} (worst p95 {worst:.0f} ms). Load average "
        f"{result['load']:.1f} when measured; on SQLite the database work runs in this "
        "process, so its CPU time is the cost without the other processes' contention "
        "(on PostgreSQL it is only the Python side).",
        "",
    ]
    return out


if __name__ == "__main__":
    figures = measure(database_url=sys.argv[1] if len(sys.argv) > 1 else None)
    print("\n".join(lines(figures)))
