"""Forums' second pass: the lists and the topic page's extras at 100k posts, in-process.

Runs on the database `bench` built (DATABASE_URL; `flask seed load --scale 10` gives
100,000 posts). It first gives one load member a reader's history — read positions in
2,000 topics (half of them behind), 300 bookmarks — and makes the largest category Q&A
with every other topic of it solved, then measures, through the app's test client (the
whole request path, templates included, no network), p50/p95 over `requests` requests
after a warm-up (and the CPU time of this process, which a loaded machine disturbs less
than wall time), and the SQL statements each page runs:

- /top?period=year, /unread, /new, /latest?status=unsolved and the category page
  filtered to solved, /bookmarks (page 1 and the last page);
- the topic page of the longest topic, last page (suggested topics, topic map,
  the member's reactions and bookmarks);
- the write services: mark then unmark a solution, add then remove a reaction
  (`writes` each), p50.

Targets: every new list's p95 under 50 ms and its CPU p50 within 1.6× of /latest's (the
list they extend), and a bounded number of statements (the same at page 1 and at the
last page). The topic page is shown for its extras' share; its targets
are `make bench`'s (throughput against the baseline).
"""

from __future__ import annotations

import random
import statistics
import time

P95_TARGET_MS = 50.0
CPU_RATIO_TARGET = 1.6  # a new list costs at most this many times /latest's CPU
READ_STATES = 2_000
BOOKMARKS = 300


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _prepare(rng: random.Random) -> dict:
    """A reader with history, a Q&A category half solved; returns the ids the bench uses."""
    from sqlalchemy import func, select, text, update

    from app.community.forums.models import Bookmark, Category, Post, Topic, TopicReadState
    from app.core.db import dialect_insert, unit_of_work
    from app.core.time import utcnow
    from app.extensions import db
    from app.members.models import Member

    with unit_of_work():
        reader = db.session.scalar(
            select(Member).where(Member.email.like("%@load.example.com")).order_by(Member.id)
        )
        assert reader is not None, "no load members: run `flask seed load --scale 10` first"
        reader.created_at = utcnow().replace(year=utcnow().year - 3)
        category_id = db.session.scalar(
            select(Topic.category_id)
            .group_by(Topic.category_id)
            .order_by(func.count().desc())
            .limit(1)
        )
        db.session.execute(update(Category).where(Category.id == category_id).values(qa=True))
        second = (
            select(Post.id)
            .where(Post.topic_id == Topic.id, Post.post_number == 2)
            .scalar_subquery()
        )
        db.session.execute(
            update(Topic)
            .where(Topic.category_id == category_id, Topic.id % 2 == 0, Topic.post_count > 1)
            .values(solution_post_id=second, solved=True)
        )
        all_topics = db.session.execute(select(Topic.id, Topic.highest_post_number)).all()
        chosen = rng.sample(all_topics, min(READ_STATES, len(all_topics)))
        now = utcnow()
        rows = [
            {
                "member_id": reader.id,
                "topic_id": topic_id,
                "last_read_post_number": highest - (1 if n % 2 else 0),
                "updated_at": now,
            }
            for n, (topic_id, highest) in enumerate(chosen)
        ]
        table = TopicReadState.__table__
        for start in range(0, len(rows), 500):
            db.session.execute(
                dialect_insert(table)
                .values(rows[start : start + 500])
                .on_conflict_do_nothing(index_elements=["member_id", "topic_id"])
            )
        posts = db.session.execute(
            select(Post.id, Post.topic_id, Post.post_number).where(
                Post.topic_id.in_([t for t, _ in chosen[:BOOKMARKS]]), Post.post_number == 1
            )
        ).all()
        table = Bookmark.__table__
        db.session.execute(
            dialect_insert(table)
            .values(
                [
                    {"member_id": reader.id, "post_id": p, "topic_id": t, "post_number": n,
                     "created_at": now}
                    for p, t, n in posts
                ]
            )
            .on_conflict_do_nothing(index_elements=["member_id", "post_id"])
        )  # fmt: skip
        longest = db.session.execute(
            select(Topic.id, Topic.slug, Topic.highest_post_number)
            .order_by(Topic.post_count.desc())
            .limit(1)
        ).one()
        slug = db.session.scalar(select(Category.slug).where(Category.id == category_id))
        qa_topic = db.session.scalar(
            select(Topic.id)
            .where(Topic.category_id == category_id, Topic.post_count > 2)
            .order_by(Topic.id)
            .limit(1)
        )
        replies = list(
            db.session.execute(
                select(Post.id, Post.author_id)
                .where(Post.topic_id == qa_topic, Post.post_number > 1)
                .order_by(Post.post_number)
                .limit(2)
            )
        )
    with unit_of_work():  # fresh planner statistics after the bulk writes, as the seed does
        db.session.execute(text("ANALYZE"))
    return {
        "reader_id": reader.id,
        "category_slug": slug,
        "qa_topic": qa_topic,
        "qa_replies": replies,
        "longest": longest,
        "bookmarks": len(posts),
    }


def measure(requests: int = 60, writes: int = 30, seed: int = 2026) -> dict:
    from sqlalchemy import event, select

    from app import create_app
    from app.community.forums import services
    from app.community.forums.models import POSTS_PER_PAGE, Topic
    from app.extensions import db
    from app.members.models import Member

    app = create_app({"SCHEDULER_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        ids = _prepare(random.Random(seed))
        topic_id, topic_slug, highest = ids["longest"]
        last_page = max(1, -(-highest // POSTS_PER_PAGE))
        bookmark_pages = max(1, -(-ids["bookmarks"] // 20))
        paths = {
            "/latest (reference: the list before this issue)": "/latest",
            "/top?period=year": "/top?period=year",
            "/unread": "/unread",
            "/new": "/new",
            "/latest?status=unsolved": "/latest?status=unsolved",
            "category, solved": f"/forums/{ids['category_slug']}/?status=solved",
            "/bookmarks": "/bookmarks",
            f"/bookmarks, page {bookmark_pages}": f"/bookmarks?page={bookmark_pages}",
            f"topic page, last page ({highest} posts)": f"/t/{topic_id}-{topic_slug}"
            + (f"?page={last_page}" if last_page > 1 else ""),
        }
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = db.session.get(Member, ids["reader_id"]).get_id()
            session["_fresh"] = True
        statements: list[str] = []

        def _count(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
            statements.append(statement)

        pages = {}
        for name, path in paths.items():
            for _ in range(5):
                response = client.get(path)
                assert response.status_code == 200, (path, response.status_code)
            event.listen(db.engine, "before_cursor_execute", _count)
            statements.clear()
            client.get(path)
            event.remove(db.engine, "before_cursor_execute", _count)
            count = len(statements)
            timings, cpu = [], []
            for _ in range(requests):
                started, started_cpu = time.perf_counter(), time.process_time()
                client.get(path)
                timings.append((time.perf_counter() - started) * 1000)
                cpu.append((time.process_time() - started_cpu) * 1000)
            pages[name] = {
                "p50": statistics.median(timings),
                "p95": _percentile(timings, 95),
                "cpu_p50": statistics.median(cpu),
                "statements": count,
            }

        reader = db.session.get(Member, ids["reader_id"])
        topic = db.session.get(Topic, ids["qa_topic"])
        asker = db.session.get(Member, topic.author_id)
        reply_id, reply_author = ids["qa_replies"][0]
        solve, react = [], []
        for _ in range(writes):
            started = time.perf_counter()
            services.mark_solution(asker, reply_id)
            services.unmark_solution(asker, reply_id)
            solve.append((time.perf_counter() - started) * 1000 / 2)
            reactor = reader if reply_author != reader.id else asker
            started = time.perf_counter()
            services.set_reaction(reactor, reply_id, services.reaction_set()[0], True)
            services.set_reaction(reactor, reply_id, services.reaction_set()[0], False)
            react.append((time.perf_counter() - started) * 1000 / 2)
        database = db.engine.dialect.name
        topics = db.session.scalar(select(db.func.count(Topic.id)))
    return {
        "database": database,
        "topics": topics,
        "requests": requests,
        "writes": writes,
        "pages": pages,
        "solution_p50_ms": statistics.median(solve),
        "reaction_p50_ms": statistics.median(react),
        "read_states": READ_STATES,
        "bookmarks": ids["bookmarks"],
    }


def lines(result: dict) -> list[str]:
    pages = result["pages"]
    reference = next(p for name, p in pages.items() if "reference" in name)
    lists = {n: p for n, p in pages.items() if "reference" not in n and not n.startswith("topic")}
    worst = max(p["p95"] for p in lists.values())
    ratio = max(p["cpu_p50"] for p in lists.values()) / max(reference["cpu_p50"], 0.001)
    met = "met" if worst < P95_TARGET_MS else "NOT met"
    cpu_met = "met" if ratio <= CPU_RATIO_TARGET else "NOT met"
    out = [
        f"### Forums' second pass: lists, bookmarks, the topic page's extras "
        f"({result['database']}, {result['topics']:,} topics)",
        "",
        f"In-process (test client, whole request path), a member with {result['read_states']:,}"
        f" read positions and {result['bookmarks']} bookmarks; {result['requests']} requests "
        "per page after a warm-up.",
        "",
        "| page | p50 | p95 | CPU p50 (this process) | SQL statements |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, page in result["pages"].items():
        out.append(
            f"| {name} | {page['p50']:.1f} ms | {page['p95']:.1f} ms | "
            f"{page['cpu_p50']:.1f} ms | {page['statements']} |"
        )
    out += [
        "",
        f"Writes, p50 of {result['writes']}: mark or unmark a solution "
        f"{result['solution_p50_ms']:.1f} ms, add or remove a reaction "
        f"{result['reaction_p50_ms']:.1f} ms. The new lists' p95 under {P95_TARGET_MS:.0f} ms: "
        f"**{met}** (worst {worst:.1f} ms); their CPU p50 within {CPU_RATIO_TARGET:g}× of "
        f"/latest's: **{cpu_met}** (worst {ratio:.2f}×). The topic page's own targets are "
        "`make bench`'s.",
        "",
    ]
    return out


if __name__ == "__main__":
    for line in lines(measure()):
        print(line)
