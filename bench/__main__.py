"""`make bench`: how fast the hot forum pages are, next to an honest baseline.

1. Build a fresh database (SQLite in a temporary directory; BENCH_DATABASE_URL selects
   another one, e.g. PostgreSQL — its `public` schema is emptied first), run the
   migrations, seed the demo members and `seed_load(scale)` (100,000 posts at scale 10).
2. Start two servers, each one gunicorn process with `gunicorn.conf.py` (the threaded
   worker of `make run` and docs/deploy.md): Cercle, and the baseline — a minimal Flask
   app outside Cercle (`bench/baseline_app.py`) reading the topic page's 20 posts from the
   same database (`bench/server.py`).
3. Warm up, then measure each page: throughput at concurrency 4 (keep-alive connections,
   `--seconds` per page in five slices taken in turn with the other pages', so that the
   other work on a shared machine weighs on every page alike; p50 at that concurrency) and
   latency at concurrency 1 (`--sequential` requests one after the other): Cercle's topic
   page (page 2 of the longest topic: 20 posts) as a visitor and as logged-in members (20
   of them, taking turns), /latest, a category page and an empty route inside Cercle (its
   per-request overhead); the baseline's page and its empty route.
4. Stop the servers, then record `--events` domain events and time one worker handling
   them (`bench/events.py`); then, on the same data, the search bench (`bench/search.py`:
   rebuild, incremental updates, 200 queries beside SQLite FTS5), the events API bench
   (`bench/api.py`: 100k events in batches of 1,000, the staff pages with 1M events) and
   the realtime bench (`bench/realtime.py`: 200, 500 and 1,000 Socket.IO clients on one
   topic room, commit-to-receipt latency).
5. Print the tables and rewrite the figures section of docs/performance.md.

Targets (against the baseline's page): the topic page at least 50% of its requests per
second for a visitor and 40% for a member, /latest and the category page 40%, every page's
p50 under 30 ms at concurrency 4; one worker handles at least 5,000 events a second.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    api,
    comforts,
    events,
    ideas,
    load,
    moderation,
    realtime,
    reports,
    search,
    server,
    uploads,
)

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:figures:start -->", "<!-- bench:figures:end -->"
RATIO_TARGET, VISITOR_TOPIC_TARGET, P50_TARGET_MS = 0.40, 0.50, 30.0
LOAD_PASSWORD = "load-test-password"
MEMBERS_READING = 20  # logged-in members taking turns on the member's topic page


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str] | list[dict[str, str]] | None = None
    port: int = 0
    target: float | None = None  # share of the baseline's throughput to reach


@dataclass
class Measure:
    target: Target
    throughput: load.Result
    sequential: load.Result


def _environment(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp / 'bench.db'}"
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
    return env


def build(scale: int) -> dict:
    """Migrate and seed the database named by DATABASE_URL; return what the bench needs."""
    from flask import url_for
    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from app import create_app
    from app.community.forums.models import Category, Post, Topic
    from app.community.forums.seed import seed_load
    from app.extensions import db
    from app.members.models import Member
    from app.members.seed import seed_members

    app = create_app({"SCHEDULER_ENABLED": False})
    with app.app_context():
        backend = db.engine.dialect.name
        if backend == "postgresql":
            print("BENCH_DATABASE_URL: emptying its public schema", flush=True)
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        upgrade()
        started = time.perf_counter()
        seed_members()
        loaded = seed_load(scale)
        seed_seconds = time.perf_counter() - started

        topic = db.session.scalars(
            select(Topic)
            .join(Category)
            .where(Category.allowed_roles.is_(None), Category.min_tier_rank == 0)
            .order_by(Topic.post_count.desc(), Topic.id)
            .limit(1)
        ).one()
        members = db.session.scalars(
            select(Member)
            .where(Member.username_lower.like("load%"))
            .order_by(Member.id)
            .limit(MEMBERS_READING)
        ).all()
        counts = {
            "posts": db.session.scalar(select(func.count()).select_from(Post)),
            "topics": db.session.scalar(select(func.count()).select_from(Topic)),
            "members": db.session.scalar(select(func.count()).select_from(Member)),
        }
        version = (
            db.session.scalar(text("SELECT sqlite_version()"))
            if backend == "sqlite"
            else db.session.scalar(text("SHOW server_version"))
        )
        with app.test_request_context():
            topic_path = url_for("community.topic", topic_id=topic.id, slug=topic.slug, page=2)
            category_path = url_for("community.category", slug=topic.category.slug)
            latest_path = url_for("community.latest")
        return {
            "backend": backend,
            "version": version,
            "seed_seconds": seed_seconds,
            "load_seconds": loaded["seconds"],
            "counts": counts,
            "topic_id": topic.id,
            "topic_posts": topic.post_count,
            "topic_path": topic_path,
            "category_path": category_path,
            "latest_path": latest_path,
            "member_emails": [m.email for m in members],
        }


ROUNDS = 5  # each page's throughput is measured in this many slices, the pages in turn


def measure(targets: list[Target], seconds: float, sequential: int) -> list[Measure]:
    """Throughput at concurrency 4 in ROUNDS interleaved slices (every page, then again):
    the machine is shared, and a burst of someone else's work then weighs on every page
    alike instead of on whichever page was running; then latency one request at a time."""
    for target in targets:  # warm-up: caches, connection pools, template compilation
        load.run(target.port, target.path, 4, 1.5, 200, target.headers)
    throughputs = [load.Result() for _ in targets]
    for _ in range(ROUNDS):
        for target, total in zip(targets, throughputs, strict=True):
            total.add(
                load.run(target.port, target.path, 4, seconds / ROUNDS, 100_000, target.headers)
            )
    results = []
    for target, throughput in zip(targets, throughputs, strict=True):
        serial = load.run(target.port, target.path, 1, 120, sequential, target.headers)
        results.append(Measure(target, throughput, serial))
        print(
            f"  {target.name:<30} {throughput.rate:8.1f} req/s   p50 (c4) "
            f"{throughput.percentile(50):6.1f} ms   p50 (c1) {serial.percentile(50):6.1f} ms"
            + (f"   errors, by status: {throughput.statuses}" if throughput.errors else ""),
            flush=True,
        )
    return results


def _table(results: list[Measure], baseline_rate: float) -> list[str]:
    lines = [
        "| page | path | req/s (concurrency 4) | vs baseline | target | p50 ms (c4) "
        "| p50 ms (c1) | p99 ms (c1) | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        rate = m.throughput.rate
        errors = m.throughput.errors + m.sequential.errors
        target = f"≥ {m.target.target:.0%}" if m.target.target else ""
        lines.append(
            f"| {m.target.name} | `{m.target.path}` | {rate:.0f} | "
            f"{rate / baseline_rate if baseline_rate else 0:.0%} | {target} | "
            f"{m.throughput.percentile(50):.1f} | {m.sequential.percentile(50):.1f} | "
            f"{m.sequential.percentile(99):.1f} | {errors} |"
        )
    return lines


def _verdicts(results: list[Measure], baseline_rate: float) -> tuple[list[str], bool]:
    """One line per page with a target: its share of the baseline and its p50, met or not."""
    lines, all_met = [], True
    for m in results:
        if m.target.target is None:
            continue
        share = m.throughput.rate / baseline_rate if baseline_rate else 0.0
        p50 = m.throughput.percentile(50)
        met = share >= m.target.target and p50 < P50_TARGET_MS
        all_met &= met
        lines.append(
            f"- {m.target.name}: **{share:.0%}** of the baseline (target ≥ "
            f"{m.target.target:.0%}), p50 at concurrency 4 **{p50:.1f} ms** (target < "
            f"{P50_TARGET_MS:.0f} ms): **{'met' if met else 'NOT met'}**"
        )
    return lines, all_met


def _write_doc(figures: list[str]) -> None:
    section = "\n".join([START, *figures, END])
    if DOC.exists() and START in (text := DOC.read_text()) and END in text:
        head, rest = text.split(START, 1)
        tail = rest.split(END, 1)[1]
        DOC.write_text(head + section + tail)
        return
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(METHOD + "\n" + section + "\n")


METHOD = """# Performance

`make bench` (`python -m bench`) measures the hot forum pages on a freshly seeded database
and rewrites the figures below. Nothing else in this file is generated.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="seed load scale (10: 100k posts)")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run per page")
    parser.add_argument("--sequential", type=int, default=300, help="latency requests per page")
    parser.add_argument(
        "--events", type=int, default=20_000, help="events recorded then handled by a worker"
    )
    parser.add_argument("--no-search", action="store_true", help="skip the search bench")
    parser.add_argument("--no-api", action="store_true", help="skip the events API bench")
    parser.add_argument("--no-realtime", action="store_true", help="skip the realtime bench")
    parser.add_argument("--no-uploads", action="store_true", help="skip the uploads bench")
    parser.add_argument("--no-moderation", action="store_true", help="skip the moderation bench")
    parser.add_argument("--no-reports", action="store_true", help="skip the feedback report bench")
    parser.add_argument("--no-ideas", action="store_true", help="skip the idea board bench")
    parser.add_argument(
        "--no-comforts", action="store_true", help="skip the forum lists and extras bench"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="cercle-bench-"))
    env = _environment(tmp)
    os.environ.update(env)  # the build below runs in this process
    os.environ.pop("REDIS_URL", None)
    cercle = baseline = None
    event_figures: list[str] = []
    try:
        print(f"== building the database ({env['DATABASE_URL'].split(':')[0]})", flush=True)
        info = build(args.scale)
        counts = info["counts"]
        print(
            f"   {counts['posts']:,} posts, {counts['topics']:,} topics, "
            f"{counts['members']:,} members; seeded in {info['seed_seconds']:.1f} s",
            flush=True,
        )

        cercle_port, baseline_port = load.free_port(), load.free_port()
        cercle = server.start("cercle", cercle_port, env)
        baseline = server.start("baseline", baseline_port, env)
        load.wait_until_up(cercle_port, cercle)
        load.wait_until_up(baseline_port, baseline)
        page = info["topic_path"].split("?", 1)[1]
        targets = [
            Target("topic page (visitor)", info["topic_path"], None, cercle_port,
                   VISITOR_TOPIC_TARGET),
            Target("/latest (visitor)", info["latest_path"], None, cercle_port, RATIO_TARGET),
            Target("category page (visitor)", info["category_path"], None, cercle_port,
                   RATIO_TARGET),
            Target("Cercle, empty route", "/_bench/empty", None, cercle_port),
            Target("baseline page (20 posts)", f"/t/{info['topic_id']}?{page}", None,
                   baseline_port),
            Target("baseline, empty route", "/empty", None, baseline_port),
        ]  # fmt: skip
        for target in targets:
            status, _ = load.fetch(target.port, target.path)
            if status != 200:
                raise SystemExit(f"{target.path} answered {status}: is the page implemented?")
        # Several members read the page in turn: what one member's requests cost, not what
        # a cache of one member's page would (there is none: members share by standing).
        member_headers = [
            cookie
            for email in info["member_emails"]
            if (cookie := load.login(cercle_port, email, LOAD_PASSWORD)) is not None
        ]
        if member_headers:
            targets.insert(
                1,
                Target("topic page (member)", info["topic_path"], member_headers, cercle_port,
                       RATIO_TARGET),
            )  # fmt: skip
        else:
            print("   (could not log in: the member measurement is skipped)", flush=True)

        print(
            f"== measuring: {args.seconds:g} s at concurrency 4 (in {ROUNDS} rounds), then "
            f"{args.sequential} sequential requests, per page",
            flush=True,
        )
        results = measure(targets, args.seconds, args.sequential)
        for process in (cercle, baseline):
            if process.poll() is not None:
                # -11: a segmentation fault (seen with CPython 3.11, see docs/performance.md).
                raise SystemExit(f"a bench server died (exit code {process.returncode})")
        server.stop(cercle)
        server.stop(baseline)
        print(
            f"== durable events: {args.events:,} recorded, then handled by one worker", flush=True
        )
        event_figures += events.lines(events.measure(args.events))
        if not args.no_search:
            print("== search: rebuild, updates, 200 queries beside SQLite FTS5", flush=True)
            event_figures += search.lines(search.measure())
        if not args.no_api:
            print("== events API: 100k events in batches of 1,000, staff pages", flush=True)
            event_figures += api.lines(api.measure())
        if not args.no_realtime:
            print("== realtime: clients on one topic room, commit to receipt", flush=True)
            event_figures += realtime.lines(realtime.measure())
        if not args.no_uploads:
            print("== uploads: a 5 MB photo re-encoded with its copies", flush=True)
            event_figures += uploads.lines(uploads.measure())
        if not args.no_moderation:
            print("== moderation: 1,000 watched words, /mod/ with 10,000 items", flush=True)
            event_figures += moderation.lines(moderation.measure())
        if not args.no_reports:
            print("== feedback report: 5,000 ideas, 500,000 votes", flush=True)
            event_figures += reports.lines(reports.measure())
        if not args.no_ideas:
            print("== ideas: a board page with 5,000 ideas against the bare page", flush=True)
            event_figures += ideas.lines(ideas.measure(seconds=args.seconds))
        if not args.no_comforts:
            print("== forums' second pass: lists, bookmarks, topic page extras", flush=True)
            event_figures += comforts.lines(comforts.measure())
    finally:
        server.stop(cercle)
        server.stop(baseline)
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"   database kept in {tmp}")

    by_name = {m.target.name: m for m in results}
    baseline_rate = by_name["baseline page (20 posts)"].throughput.rate
    empty_cercle = by_name["Cercle, empty route"]
    empty_baseline = by_name["baseline, empty route"]
    # From throughput (the time one process spends per request), steadier on a shared
    # machine than two medians of sequential requests.
    overhead_ms = (
        1000 / empty_cercle.throughput.rate - 1000 / empty_baseline.throughput.rate
        if empty_cercle.throughput.rate and empty_baseline.throughput.rate
        else float("nan")
    )
    verdicts, all_met = _verdicts(results, baseline_rate)

    figures = [
        "",
        "## Figures of the last run",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; command: `make bench`"
        f" (scale {args.scale}, {args.seconds:g} s per page, {args.sequential} sequential"
        f" requests)",
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {platform.machine()}, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- Servers: gunicorn, `gunicorn.conf.py` (threaded worker, one process, "
        f"{server.threads()} threads), one for Cercle and one for the baseline"
        + (
            "; on SQLite with CPython < 3.12 each serves one request at a time"
            if info["backend"] == "sqlite" and sys.version_info < (3, 12)
            else ""
        ),
        f"- Database: {info['backend']} {info['version']}; {counts['posts']:,} posts, "
        f"{counts['topics']:,} topics, {counts['members']:,} members; the measured topic "
        f"has {info['topic_posts']} posts",
        f"- Seeding (demo members + seed load): {info['seed_seconds']:.1f} s, of which "
        f"`seed load` {info['load_seconds']:.1f} s",
        "",
        *_table(results, baseline_rate),
        "",
        *verdicts,
        "",
        f"Cercle's own overhead per request (its empty route against the baseline's, from "
        f"their throughput at concurrency 4): **{overhead_ms:.2f} ms** "
        f"({empty_cercle.throughput.rate:.0f} against {empty_baseline.throughput.rate:.0f} "
        f"empty responses a second). All page targets: **{'met' if all_met else 'NOT met'}**.",
        "",
        *event_figures,
    ]
    print("\n".join(figures))
    if not args.no_doc:
        _write_doc(figures)
        print(f"written: {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
