"""An idea board page with 5,000 ideas, against the bare page of the bench server.

On a fresh database of its own (a temporary SQLite file, or the URL given): the demo
members, 2,000 more members, one board with `ideas` ideas (votes skewed as on real boards:
a few ideas take most of them; statuses spread), `votes` votes with their snapshots, and a
forum topic of 40 posts for the baseline. Then both bench servers (`bench/server.py`:
Cercle and the bare baseline app, each one gunicorn process) serve, and we measure, as
`python -m bench` does (concurrency 4 for `seconds`, then `sequential` requests one at a
time): the board's first page (most votes) as a visitor and as a member, page 50 of the
board, the "newest" sort, and the baseline's page (20 posts).

Target: the board page (a visitor's, as for the forums' topic page) at least 30% of the
baseline page's requests per second; the member's page and the other sorts are reported.

    python -m bench.ideas                      # SQLite
    python -m bench.ideas postgresql://postgres@127.0.0.1:5432/cercle_bench_ideas
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench import load, server

TARGET = 0.30
TIERS = ("bronze", "silver", "gold", "platinum")
STAGES = ("new", "active", "advocate", "reactivated", "at_risk", "lapsed")
BANDS = ("none", "low", "medium", "high")
STATUSES = ("open",) * 6 + ("under_review", "planned", "in_progress", "shipped", "declined")
ADJECTIVES = ("lighter", "stronger", "cheaper", "warmer")
PARTS = ("poles", "fly", "pegs", "zips", "pockets", "vents")
MEMBER_EMAIL = "anna.hikes@example.com"
MEMBER_PASSWORD = "club-demo-2026"


def _database(tmp: Path, database_url: str | None) -> str:
    url = database_url or f"sqlite:///{tmp / 'ideas.db'}"
    if url.startswith("postgresql://"):
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
        admin.dispose()
    return url


def seed(url: str, ideas: int, votes: int, rng: random.Random) -> dict:
    """Migrate, then bulk-insert the board, its ideas and votes, and the baseline's topic."""
    from flask import url_for
    from flask_migrate import upgrade
    from sqlalchemy import insert, select, text

    from app import create_app
    from app.community.forums.models import Category, Post, Topic
    from app.community.ideas import boards
    from app.community.ideas.models import Idea, IdeaVote
    from app.core.db import dialect_insert
    from app.core.time import utcnow
    from app.extensions import db
    from app.members.models import Member
    from app.members.seed import seed_members

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SCHEDULER_ENABLED": False})
    with app.test_request_context():
        upgrade()
        started = time.perf_counter()
        seed_members()
        admin = db.session.scalar(select(Member).where(Member.role == "admin").limit(1))
        board = boards.save_board(
            admin,
            {"slug": "summit-2-tent", "name_en": "Summit 2 tent", "name_fr": "Tente Summit 2"},
        )
        now = utcnow()
        db.session.execute(
            insert(Member),
            [
                {
                    "username": f"voter{n}",
                    "username_lower": f"voter{n}",
                    "email": f"voter{n}@example.com",
                    "password_hash": "x",
                    "display_name": f"Voter {n}",
                    "role": "member",
                    "tier": rng.choices(TIERS, (60, 25, 10, 5))[0],
                    "created_at": now,
                }
                for n in range(2_000)
            ],
        )
        member_ids = list(db.session.scalars(select(Member.id)))
        weights = [1 / (k + 1) ** 0.9 for k in range(ideas)]
        total = sum(weights)
        counts = [max(0, round(votes * w / total)) for w in weights]
        rows = []
        for k in range(ideas):
            created = now - timedelta(minutes=rng.randint(0, 60 * 24 * 365))
            rows.append(
                {
                    "board_id": board.id,
                    "author_id": rng.choice(member_ids),
                    "title": f"Idea {k}: {rng.choice(ADJECTIVES)} {rng.choice(PARTS)}",
                    "slug": f"idea-{k}",
                    "body": "A body.",
                    "body_html": "<p>A body.</p>",
                    "status": rng.choice(STATUSES),
                    "tags": rng.sample(["weight", "winter", "zips", "rain", "kids"], 2),
                    "vote_count": min(counts[k], len(member_ids)),
                    "importance_total": min(counts[k], len(member_ids)) * 2,
                    "comment_count": rng.randint(0, 30),
                    "follower_count": 1,
                    "created_at": created,
                    "last_activity_at": created,
                }
            )
        db.session.execute(insert(Idea), rows)
        idea_rows = list(db.session.execute(select(Idea.id, Idea.vote_count)))
        batch: list[dict] = []
        written = 0
        for idea_id, count in idea_rows:
            for member_id in rng.sample(member_ids, count):
                batch.append(
                    {
                        "idea_id": idea_id,
                        "member_id": member_id,
                        "importance": rng.choice((1, 2, 3)),
                        "created_at": now,
                        "tier": rng.choice(TIERS),
                        "stage": rng.choice(STAGES),
                        "value_band": rng.choice(BANDS),
                        "interests": [],
                    }
                )
            if len(batch) >= 20_000:
                db.session.execute(insert(IdeaVote), batch)
                written += len(batch)
                batch = []
        if batch:
            db.session.execute(insert(IdeaVote), batch)
            written += len(batch)
        # The measured member has voted on the second idea: the page shows their vote.
        db.session.execute(
            dialect_insert(IdeaVote)
            .values(
                idea_id=idea_rows[1][0],
                member_id=db.session.scalar(select(Member.id).where(Member.email == MEMBER_EMAIL)),
                importance=3,
                created_at=now,
                tier="platinum",
                stage="advocate",
                value_band="high",
                interests=[],
            )
            .on_conflict_do_nothing(index_elements=["idea_id", "member_id"])
        )
        db.session.execute(
            insert(Category).values(
                slug="bench", name_en="Bench", name_fr="Bench", topic_count=1, post_count=40
            )
        )
        category_id = db.session.scalar(select(Category.id).where(Category.slug == "bench"))
        db.session.execute(
            insert(Topic).values(
                category_id=category_id,
                author_id=admin.id,
                title="Baseline topic",
                slug="baseline-topic",
                post_count=40,
                highest_post_number=40,
            )
        )
        topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == "baseline-topic"))
        db.session.execute(
            insert(Post),
            [
                {
                    "topic_id": topic_id,
                    "post_number": n,
                    "author_id": rng.choice(member_ids),
                    "body": f"Post {n}",
                    "body_html": f"<p>Post {n}, with a little text to render like a real one.</p>",
                }
                for n in range(1, 41)
            ],
        )
        db.session.commit()
        seconds = time.perf_counter() - started
        board_path = url_for("ideas.board", slug=board.slug)
        version = db.session.scalar(
            text(
                "SELECT sqlite_version()"
                if db.engine.dialect.name == "sqlite"
                else "SHOW server_version"
            )
        )
        backend = db.engine.dialect.name
        db.engine.dispose()
    return {
        "backend": backend,
        "version": version,
        "seconds": seconds,
        "ideas": ideas,
        "votes": written,
        "board_path": board_path,
        "topic_id": topic_id,
    }


def measure(
    ideas: int = 5_000,
    votes: int = 100_000,
    seconds: float = 5.0,
    sequential: int = 200,
    database_url: str | None = None,
) -> dict:
    rng = random.Random(7)
    tmp = Path(tempfile.mkdtemp(prefix="cercle-bench-ideas-"))
    url = _database(tmp, database_url)
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key",
            "SEARCH_INDEX_DIR": str(tmp / "search-index"),
            "SCHEDULER_ENABLED": "",
            "MAIL_SERVER": "",
        }
    )
    env.pop("REDIS_URL", None)
    saved = {k: os.environ.get(k) for k in ("DATABASE_URL", "SEARCH_INDEX_DIR")}
    os.environ.update({k: env[k] for k in saved})
    cercle = baseline = None
    try:
        info = seed(url, ideas, votes, rng)
        cercle_port, baseline_port = load.free_port(), load.free_port()
        cercle = server.start("cercle", cercle_port, env)
        baseline = server.start("baseline", baseline_port, env)
        load.wait_until_up(cercle_port, cercle)
        load.wait_until_up(baseline_port, baseline)
        board = info["board_path"]
        targets = [
            ("board page, most votes (visitor)", cercle_port, board, None),
            ("board page 50 (visitor)", cercle_port, f"{board}?page=50", None),
            ("board page, newest (visitor)", cercle_port, f"{board}?sort=new", None),
            ("baseline page (20 posts)", baseline_port, f"/t/{info['topic_id']}?page=2", None),
        ]
        headers = load.login(cercle_port, MEMBER_EMAIL, MEMBER_PASSWORD)
        if headers:
            targets.insert(1, ("board page, most votes (member)", cercle_port, board, headers))
        for _name, port, path, hdrs in targets:
            status, _ = load.fetch(port, path, hdrs)
            if status != 200:
                raise SystemExit(f"{path} answered {status}")
            load.run(port, path, 4, 1.5, 200, hdrs)  # warm-up
        rows = []
        for name, port, path, hdrs in targets:
            throughput = load.run(port, path, 4, seconds, 100_000, hdrs)
            serial = load.run(port, path, 1, 120, sequential, hdrs)
            rows.append(
                {
                    "name": name,
                    "path": path,
                    "rate": throughput.rate,
                    "p50_c4": throughput.percentile(50),
                    "p50_c1": serial.percentile(50),
                    "p99_c1": serial.percentile(99),
                    "errors": throughput.errors,
                }
            )
            print(
                f"  {name:<34} {throughput.rate:8.1f} req/s   p50 (c4) "
                f"{throughput.percentile(50):6.1f} ms   p50 (c1) {serial.percentile(50):6.1f} ms",
                flush=True,
            )
    finally:
        server.stop(cercle)
        server.stop(baseline)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        shutil.rmtree(tmp, ignore_errors=True)
    baseline_rate = next(r["rate"] for r in rows if r["name"].startswith("baseline"))
    for row in rows:
        row["ratio"] = row["rate"] / baseline_rate if baseline_rate else 0.0
    return {**info, "rows": rows, "baseline_rate": baseline_rate, "seconds_per_page": seconds}


def lines(result: dict) -> list[str]:
    out = [
        "### Idea board page (5,000 ideas)",
        "",
        f"- {result['ideas']:,} ideas and {result['votes']:,} votes on one board, "
        f"{result['backend']} {result['version']}; seeded in {result['seconds']:.1f} s; "
        f"both bench servers (gunicorn, `gunicorn.conf.py`), {result['seconds_per_page']:g} s "
        "per page at concurrency 4, then requests one at a time",
        "",
        "| page | req/s (c4) | vs baseline | target | p50 ms (c4) | p50 ms (c1) | p99 ms (c1) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for index, row in enumerate(result["rows"]):
        is_base = row["name"].startswith("baseline")
        ratio = "" if is_base else f"{row['ratio']:.0%}"
        target = f"≥ {TARGET:.0%}" if index == 0 else ""
        out.append(
            f"| {row['name']} | {row['rate']:.0f} | {ratio} | {target} | {row['p50_c4']:.1f} "
            f"| {row['p50_c1']:.1f} | {row['p99_c1']:.1f} |"
        )
    visitor = result["rows"][0]
    met = visitor["ratio"] >= TARGET
    out += [
        "",
        f"Board page with {result['ideas']:,} ideas as a visitor / baseline page: "
        f"**{visitor['ratio']:.0%}** (target ≥ {TARGET:.0%}): **{'met' if met else 'NOT met'}**. "
        "Visitors' board pages come from the page cache; a member's page, and a visitor's "
        "other sorts, are rendered each time (the figures above).",
        "",
    ]
    return out


if __name__ == "__main__":
    figures = measure(database_url=sys.argv[1] if len(sys.argv) > 1 else None)
    print("\n".join(lines(figures)))
