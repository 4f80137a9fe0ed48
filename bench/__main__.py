"""`make bench`: how fast the hot forum pages are, next to a bare Flask page.

1. Build a fresh database (SQLite in a temporary directory; BENCH_DATABASE_URL selects
   another one, e.g. PostgreSQL — its `public` schema is emptied first), run the
   migrations, seed the demo members and `seed_load(scale)` (100,000 posts at scale 10).
2. Start one server process (`bench.server`: waitress, 1 thread) serving the app and, at
   /_bench/bare/<topic id>, a bare Flask page rendering the same topic's first 20 posts.
3. Warm up, then measure, as an anonymous visitor: throughput at concurrency 4 (keep-alive
   connections, `--seconds` per page) and latency at concurrency 1 (`--sequential`
   requests one after the other) of the topic page (page 2 of the longest topic, 20
   posts), a category page and the bare page; then the topic page as a logged-in member.
4. Stop the server, then record `--events` domain events and time one worker handling
   them (`bench/events.py`); then, on the same data, the search bench (`bench/search.py`:
   rebuild, incremental updates, 200 queries beside SQLite FTS5), the events API bench
   (`bench/api.py`: 100k events in batches of 1,000, the staff pages with 1M events) and
   the realtime bench (`bench/realtime.py`: 200, 500 and 1,000 Socket.IO clients on one
   topic room, commit-to-receipt latency).
5. Print the tables and rewrite the figures section of docs/performance.md.

Targets: the topic page serves at least 40% of the bare page's requests per second, with a
median latency under 30 ms; one worker handles at least 5,000 events a second on SQLite.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from pathlib import Path

from bench import api, events, load, realtime, search

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:figures:start -->", "<!-- bench:figures:end -->"
RATIO_TARGET, P50_TARGET_MS = 0.40, 30.0
LOAD_PASSWORD = "load-test-password"


@dataclass
class Target:
    name: str
    path: str
    headers: dict[str, str] | None = None


@dataclass
class Measure:
    target: Target
    throughput: load.Result
    sequential: load.Result


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
        member = db.session.scalars(
            select(Member).where(Member.username_lower.like("load%")).order_by(Member.id)
        ).first()
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
            "member_email": member.email if member else None,
        }


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the bench server exited with {process.returncode}")
        try:
            status, _ = load.fetch(port, "/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("the bench server did not answer /healthz in time")


def _login(port: int, email: str) -> dict[str, str] | None:
    """Log in through the real form (CSRF token included); the session cookie, or None."""
    import http.client

    conn = http.client.HTTPConnection(load.HOST, port, timeout=30)
    try:
        conn.request("GET", "/auth/login")
        response = conn.getresponse()
        page = response.read().decode()
        cookies = SimpleCookie(response.getheader("Set-Cookie") or "")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
            r'value="([^"]+)"[^>]*name="csrf_token"', page
        )
        if token is None:
            return None
        body = urllib.parse.urlencode(
            {"email": email, "password": LOAD_PASSWORD, "csrf_token": token.group(1)}
        )
        cookie = "; ".join(f"{k}={v.value}" for k, v in cookies.items())
        conn.request(
            "POST",
            "/auth/login",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        cookies.load(response.getheader("Set-Cookie") or "")
        if response.status not in (302, 303):
            return None
        return {"Cookie": "; ".join(f"{k}={v.value}" for k, v in cookies.items())}
    finally:
        conn.close()


def measure(port: int, targets: list[Target], seconds: float, sequential: int) -> list[Measure]:
    for target in targets:  # warm-up: caches, connection pools, template compilation
        load.run(port, target.path, 4, 1.5, 200, target.headers)
    results = []
    for target in targets:
        throughput = load.run(port, target.path, 4, seconds, 100_000, target.headers)
        serial = load.run(port, target.path, 1, 120, sequential, target.headers)
        results.append(Measure(target, throughput, serial))
        print(
            f"  {target.name:<28} {throughput.rate:8.1f} req/s   p50 "
            f"{serial.percentile(50):6.1f} ms   p99 {serial.percentile(99):6.1f} ms"
            + (f"   errors, by status: {throughput.statuses}" if throughput.errors else ""),
            flush=True,
        )
    return results


def _table(results: list[Measure], bare_rate: float, plain_rate: float) -> list[str]:
    lines = [
        "| page | path | req/s (concurrency 4) | vs bare | vs plain | p50 ms | p99 ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for m in results:
        rate = m.throughput.rate
        errors = m.throughput.errors + m.sequential.errors
        lines.append(
            f"| {m.target.name} | `{m.target.path}` | {rate:.0f} | "
            f"{rate / bare_rate if bare_rate else 0:.0%} | "
            f"{rate / plain_rate if plain_rate else 0:.0%} | "
            f"{m.sequential.percentile(50):.1f} | {m.sequential.percentile(99):.1f} | {errors} |"
        )
    return lines


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

## Method

- **Data**: a new database (SQLite in a temporary directory; set `BENCH_DATABASE_URL` to
  measure PostgreSQL instead — its `public` schema is emptied), migrated, then the demo
  members and `flask seed load --scale 10`: 100,000 posts in about 2,400 topics by 2,000
  members, topics of 2 to 600 posts.
- **Server**: one process (`bench/server.py`), waitress with one worker thread
  (`--threads`; see the known problem below for why not more), production settings (no
  debug, CSRF on), realtime off. Python holds one core per process anyway; concurrent
  clients queue in waitress, so throughput at concurrency 4 is still the process's.
- **Pages**: the topic page (page 2 of the longest topic: 20 posts), its category page,
  and two yardsticks that exist only in the bench server, both reading the same topic's
  first 20 posts in one SELECT and rendering them with a ten-line Jinja template: the
  *bare* page, a route added to the Cercle app (it pays the app's per-request hooks:
  session, login, locale, security headers; no layout, no ORM objects), and the *plain*
  page, a separate plain Flask app mounted beside it (Flask, driver and Jinja at the
  least). The targets compare with the bare page; the plain one shows what the app's
  hooks cost.
- **Load**: `bench/load.py`, keep-alive `http.client` connections to 127.0.0.1 from
  threads of the bench process. Each page is warmed up, then measured for throughput at
  concurrency 4 for a fixed time, then for latency with requests one after the other
  (concurrency 1). The load generator shares the machine's cores with the server, so
  absolute figures are lower than a separate load machine would show; the ratios are what
  to compare.
- **Targets**: the topic page serves at least 40% of the bare page's requests per second,
  and its median latency stays under 30 ms.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="seed load scale (10: 100k posts)")
    parser.add_argument("--seconds", type=float, default=5.0, help="throughput run per page")
    parser.add_argument("--sequential", type=int, default=300, help="latency requests per page")
    parser.add_argument(
        "--threads", type=int, default=1, help="server threads (waitress; see docs/performance.md)"
    )
    parser.add_argument(
        "--events", type=int, default=20_000, help="events recorded then handled by a worker"
    )
    parser.add_argument("--no-search", action="store_true", help="skip the search bench")
    parser.add_argument("--no-api", action="store_true", help="skip the events API bench")
    parser.add_argument("--no-realtime", action="store_true", help="skip the realtime bench")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--no-doc", action="store_true", help="do not rewrite the doc")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="cercle-bench-"))
    env = _environment(tmp)
    env["BENCH_THREADS"] = str(args.threads)
    os.environ.update(env)  # the build below runs in this process
    os.environ.pop("REDIS_URL", None)
    server = None
    try:
        print(f"== building the database ({env['DATABASE_URL'].split(':')[0]})", flush=True)
        info = build(args.scale)
        counts = info["counts"]
        print(
            f"   {counts['posts']:,} posts, {counts['topics']:,} topics, "
            f"{counts['members']:,} members; seeded in {info['seed_seconds']:.1f} s",
            flush=True,
        )

        port = _free_port()
        server = subprocess.Popen(
            [sys.executable, "-X", "faulthandler", "-m", "bench.server", str(port)],
            cwd=ROOT,
            env=env,
        )
        _wait_until_up(port, server)
        targets = [
            Target("topic page (anonymous)", info["topic_path"]),
            Target("category page (anonymous)", info["category_path"]),
            Target("bare page (route on the app)", f"/_bench/bare/{info['topic_id']}"),
            Target("plain Flask page", f"/_bench/plain/{info['topic_id']}"),
        ]
        for target in targets:
            status, _ = load.fetch(port, target.path)
            if status != 200:
                raise SystemExit(f"{target.path} answered {status}: is the page implemented?")
        member_headers = _login(port, info["member_email"]) if info["member_email"] else None
        if member_headers:
            targets.insert(1, Target("topic page (member)", info["topic_path"], member_headers))
        else:
            print("   (could not log in: the member measurement is skipped)", flush=True)

        print(
            f"== measuring: {args.seconds:g} s at concurrency 4, then {args.sequential} "
            "sequential requests, per page",
            flush=True,
        )
        results = measure(port, targets, args.seconds, args.sequential)
        if server.poll() is not None:
            # -11: a segmentation fault (seen with CPython 3.11, see docs/performance.md).
            raise SystemExit(f"the bench server died (exit code {server.returncode})")
        server.terminate()
        server.wait(10)
        print(
            f"== durable events: {args.events:,} recorded, then handled by one worker", flush=True
        )
        event_figures = events.lines(events.measure(args.events))
        if not args.no_search:
            print("== search: rebuild, updates, 200 queries beside SQLite FTS5", flush=True)
            event_figures += search.lines(search.measure())
        if not args.no_api:
            print("== events API: 100k events in batches of 1,000, staff pages", flush=True)
            event_figures += api.lines(api.measure())
        if not args.no_realtime:
            print("== realtime: clients on one topic room, commit to receipt", flush=True)
            event_figures += realtime.lines(realtime.measure())
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"   database kept in {tmp}")

    by_name = {m.target.name: m for m in results}
    bare = by_name["bare page (route on the app)"].throughput.rate
    plain = by_name["plain Flask page"].throughput.rate
    topic = by_name["topic page (anonymous)"]
    category = by_name["category page (anonymous)"]
    topic_ratio = topic.throughput.rate / bare if bare else 0.0
    category_ratio = category.throughput.rate / bare if bare else 0.0
    topic_p50 = topic.sequential.percentile(50)
    topic_plain = topic.throughput.rate / plain if plain else 0.0
    passed = topic_ratio >= RATIO_TARGET and topic_p50 < P50_TARGET_MS

    figures = [
        "",
        "## Figures of the last run",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; command: `make bench`"
        f" (scale {args.scale}, {args.seconds:g} s per page, {args.sequential} sequential"
        f" requests, server threads {args.threads})",
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {platform.machine()}, "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}",
        f"- Database: {info['backend']} {info['version']}; {counts['posts']:,} posts, "
        f"{counts['topics']:,} topics, {counts['members']:,} members; the measured topic "
        f"has {info['topic_posts']} posts",
        f"- Seeding (demo members + seed load): {info['seed_seconds']:.1f} s, of which "
        f"`seed load` {info['load_seconds']:.1f} s",
        "",
        *_table(results, bare, plain),
        "",
        f"Topic page / bare: **{topic_ratio:.0%}** (target ≥ {RATIO_TARGET:.0%}); "
        f"category page / bare: **{category_ratio:.0%}**; topic page p50 "
        f"**{topic_p50:.1f} ms** (target < {P50_TARGET_MS:.0f} ms): "
        f"**{'met' if passed else 'NOT met'}**. Topic page / plain Flask page: "
        f"{topic_plain:.0%}.",
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
