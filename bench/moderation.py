"""Moderation: posting with 1,000 watched words against none, and the queue with 10,000
items waiting.

Runs on a fresh SQLite file in a temporary folder (migrated), in-process:

1. **Posting throughput**: replies through the forum service (`services.reply`: rendering,
   the content checks — watched words, new-member and spam rules —, the row lock, counters,
   events), by trusted members, with no watched word, then with 1,000 of them (words and
   phrases, a fifth with `*` wildcards, every action: block, hold, flag, replace). The
   texts match none of them, as most posts do not: what is measured is the cost of
   checking. Rounds alternate (none, 1,000, none, 1,000, ...) and each side's median round
   is kept. Target: at least 80% of the throughput with none.
2. **The queue page**: 10,000 review items waiting (bulk inserted on as many held posts),
   `/mod/` requested by a logged-in moderator through the test client (no HTTP server in
   the figure): the first page, a page deep in the queue (keyset cursor) and a filtered
   one; requests/s and p50/p95, and the SQL statements per page.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

TARGET_RATIO = 0.80
SYLLABLES = ["ka", "zu", "mo", "ri", "te", "vax", "quo", "ly", "pre", "sno", "gri", "dul"]
TEXT_WORDS = [
    "tent", "stove", "boots", "jacket", "summit", "rain", "zip", "repair", "sleeping", "bag",
    "pack", "trail", "waterproof", "winter", "camping", "lightweight", "pole", "socks",
    "blister", "gaiters", "map", "hut", "ridge", "valley", "lake", "snow", "tente",
    "chaussures", "randonnée", "bivouac", "sac", "couchage", "pluie", "montagne", "neige",
    "froid", "lac",
]  # fmt: skip


def _app():  # type: ignore[no-untyped-def]
    from app import create_app

    url = f"sqlite:///{tempfile.mkdtemp(prefix='cercle-bench-mod-')}/bench.db"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SCHEDULER_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
            "FAST_PASSWORD_HASH": True,
            "TESTING": True,
            "SERVER_NAME": "bench.test",
        }
    )
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    return app


def _invented_word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _matches_a_text_word(pattern: str) -> bool:
    """Whether `pattern` would match a word of the bench's texts ("sno*" matched "snow" in
    three posts out of four, so the bench measured review items, not checking)."""
    stem = pattern.split(" ")[0]
    if stem.endswith("*"):
        return any(word.startswith(stem[:-1]) for word in TEXT_WORDS)
    return stem in TEXT_WORDS


def watched_words(count: int, seed: int = 11) -> list[tuple[str, str, str]]:
    """`count` (pattern, action, replacement): made-up words and two-word phrases, a fifth
    with a `*` wildcard, every action; none appears in the bench's texts."""
    rng = random.Random(seed)
    actions = ["block", "hold", "flag", "replace"]
    seen: set[str] = set()
    words = []
    while len(words) < count:
        pattern = _invented_word(rng)
        if rng.random() < 0.25:
            pattern += " " + _invented_word(rng)
        if rng.random() < 0.2:
            pattern = pattern[: max(3, len(pattern) - 2)] + "*"
        if pattern in seen or _matches_a_text_word(pattern):
            continue
        seen.add(pattern)
        action = actions[len(words) % 4]
        words.append((pattern, action, "***" if action == "replace" else ""))
    return words


def _text(rng: random.Random, n: int) -> str:
    words = [rng.choice(TEXT_WORDS) for _ in range(rng.randint(25, 80))]
    return f"Post {n}: " + " ".join(words) + "."


def _scene():  # type: ignore[no-untyped-def]
    from app.community.forums import services
    from app.community.forums.models import Category
    from app.core.db import unit_of_work
    from app.extensions import db
    from app.members.models import Member

    with unit_of_work():
        category = Category(slug="bench", name_en="Bench", name_fr="Banc", colour="#2f6f8f")
        members = [
            Member(
                username=f"poster{i}",
                username_lower=f"poster{i}",
                email=f"poster{i}@example.com",
                password_hash="x",
                display_name=f"Poster {i}",
                role="member",
                trust_level=3,
            )
            for i in range(50)
        ]
        moderator = Member(
            username="benchmod",
            username_lower="benchmod",
            email="benchmod@example.com",
            password_hash="x",
            display_name="Bench Moderator",
            role="moderator",
            trust_level=3,
        )
        db.session.add_all([category, moderator, *members])
    topics = [
        services.create_topic(members[i], category.id, f"Bench topic {i}", "Let us post.").id
        for i in range(20)
    ]
    return category.id, [m.id for m in members], moderator.id, topics


def _post_round(member_ids, topics, count: int, rng: random.Random, start: int) -> float:  # type: ignore[no-untyped-def]
    from app.community.forums import services
    from app.extensions import db
    from app.members.models import Member

    actors = [db.session.get(Member, i) for i in member_ids]
    texts = [_text(rng, start + n) for n in range(count)]
    started = time.perf_counter()
    for n, text in enumerate(texts):
        services.reply(actors[n % len(actors)], topics[n % len(topics)], text)
    return count / (time.perf_counter() - started)


def _set_words(words: list[tuple[str, str, str]]) -> None:
    from sqlalchemy import delete, insert

    from app.core.db import unit_of_work
    from app.core.time import utcnow
    from app.extensions import db
    from app.moderation.models import WatchedWord

    with unit_of_work():
        db.session.execute(delete(WatchedWord))
        if words:
            now = utcnow()
            db.session.execute(
                insert(WatchedWord),
                [
                    {"pattern": p, "action": a, "replacement": r, "created_at": now}
                    for p, a, r in words
                ],
            )


def _fill_queue(category_id: int, member_ids: list[int], topic_id: int, items: int) -> None:
    """`items` held replies, each with its pending review item, bulk inserted."""
    from sqlalchemy import insert, select, update

    from app.community.forums.models import Post, Topic
    from app.core.db import unit_of_work
    from app.core.time import utcnow
    from app.extensions import db
    from app.moderation.models import ReviewItem

    reasons = ["new_member", "link_limit", "watched_word", "flags", "duplicate_text", "velocity"]
    kinds = {"flags": "flagged", "watched_word": "rule", "duplicate_text": "spam"}
    now = utcnow()
    with unit_of_work():
        base = db.session.scalar(select(Topic.highest_post_number).where(Topic.id == topic_id))
        rows = [
            {
                "topic_id": topic_id,
                "post_number": base + n + 1,
                "author_id": member_ids[n % len(member_ids)],
                "body": f"Held post {n} with a link https://example.com/{n}",
                "body_html": f"<p>Held post {n} with a link "
                f'<a href="https://example.com/{n}">https://example.com/{n}</a></p>',
                "created_at": now - timedelta(minutes=items - n),
                "revision_count": 0,
                "like_count": 0,
                "moderation_state": "held",
            }
            for n in range(items)
        ]
        db.session.execute(insert(Post), rows)
        db.session.execute(
            update(Topic).where(Topic.id == topic_id).values(highest_post_number=base + items)
        )
        post_ids = db.session.scalars(
            select(Post.id)
            .where(Post.topic_id == topic_id, Post.post_number > base)
            .order_by(Post.post_number)
        ).all()
        db.session.execute(
            insert(ReviewItem),
            [
                {
                    "kind": kinds.get(reasons[n % 6], "held"),
                    "post_id": post_id,
                    "topic_id": topic_id,
                    "category_id": category_id,
                    "author_id": member_ids[n % len(member_ids)],
                    "reason": reasons[n % 6],
                    "details": {"reasons": [reasons[n % 6]]},
                    "flag_weight": 3 if reasons[n % 6] == "flags" else 0,
                    "status": "pending",
                    "created_at": now - timedelta(minutes=items - n),
                    "resolution_note": "",
                }
                for n, post_id in enumerate(post_ids)
            ],
        )


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _time_page(app, client, path: str, requests: int) -> dict:  # type: ignore[no-untyped-def]
    from sqlalchemy import event

    from app.extensions import db

    statements: list[str] = []

    def _count(*_args):  # type: ignore[no-untyped-def]
        statements.append("")

    for _ in range(5):  # warm up: templates compiled, the nav count remembered
        assert client.get(path).status_code == 200
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", _count)
    client.get(path)
    event.remove(engine, "before_cursor_execute", _count)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200
    return {
        "path": path,
        "per_second": requests / sum(timings),
        "p50_ms": statistics.median(timings) * 1000,
        "p95_ms": _percentile(timings, 95) * 1000,
        "queries": len(statements),
    }


def measure(
    posts: int = 100, rounds: int = 5, words: int = 1000, items: int = 10_000, requests: int = 200
) -> dict:
    import re

    app = _app()
    rng = random.Random(2026)
    with app.test_request_context():
        category_id, member_ids, moderator_id, topics = _scene()
        word_list = watched_words(words)
        from app.moderation import rules

        without, with_words = [], []
        _post_round(member_ids, topics, 30, rng, 0)  # warm up
        for round_ in range(rounds):
            _set_words([])
            without.append(_post_round(member_ids, topics, posts, rng, 1000 * (2 * round_ + 1)))
            _set_words(word_list)
            rules.check("warm")  # compiled once per rules version (a deployment's first post)
            with_words.append(_post_round(member_ids, topics, posts, rng, 1000 * (2 * round_ + 2)))
        sample = [_text(rng, n) for n in range(200)]
        rules.check(sample[0])  # compiled once per rules version, then cached
        started = time.perf_counter()
        for text in sample:
            rules.check(text)
        check_ms = (time.perf_counter() - started) / len(sample) * 1000
        _set_words([])
        _fill_queue(category_id, member_ids, topics[0], items)
    with app.app_context():
        from app.extensions import db
        from app.members.models import Member

        login_id = db.session.get(Member, moderator_id).get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
        session["_fresh"] = True
    first = _time_page(app, client, "/mod/", requests)
    html = client.get("/mod/").get_data(as_text=True)
    cursor = re.search(r'href="[^"]*[?&]after=([^"&]+)', html)
    deep = None
    if cursor:
        from urllib.parse import unquote

        after = unquote(cursor.group(1))
        for _ in range(40):  # forty pages in (1,000 items)
            page = client.get("/mod/", query_string={"after": after}).get_data(as_text=True)
            found = re.search(r'href="[^"]*[?&]after=([^"&]+)', page)
            if not found:
                break
            after = unquote(found.group(1))
        deep = _time_page(app, client, f"/mod/?after={after}", requests)
    filtered = _time_page(app, client, "/mod/?reason=flags", requests)
    no_words, thousand = statistics.median(without), statistics.median(with_words)
    return {
        "posts_per_round": posts,
        "rounds": rounds,
        "words": words,
        "without": no_words,
        "with_words": thousand,
        "ratio": thousand / no_words,
        "check_ms": check_ms,
        "items": items,
        "pages": [p for p in (first, deep, filtered) if p is not None],
        "backend": "sqlite",
        "cpus": os.cpu_count(),
    }


def lines(result: dict) -> list[str]:
    ratio = result["ratio"]
    out = [
        "### Moderation: posting with watched words, the queue with "
        f"{result['items']:,} items waiting",
        "",
        f"Posting through `services.reply` in-process on SQLite, {result['posts_per_round']} "
        f"replies a round, {result['rounds']} rounds a side alternating, median round:",
        "",
        "| watched words | replies/s |",
        "|---|---:|",
        f"| none | {result['without']:.0f} |",
        f"| {result['words']:,} | {result['with_words']:.0f} |",
        "",
        f"With {result['words']:,} watched words: **{ratio:.0%}** of the throughput with none "
        f"(target ≥ {TARGET_RATIO:.0%}: **{'met' if ratio >= TARGET_RATIO else 'NOT met'}**); "
        f"one `rules.check` of a 25–80 word post: {result['check_ms']:.3f} ms.",
        "",
        f"`/mod/` for a moderator (test client, no HTTP server) with {result['items']:,} "
        "items waiting:",
        "",
        "| page | requests/s | p50 ms | p95 ms | SQL statements |",
        "|---|---:|---:|---:|---:|",
    ]
    names = {"/mod/": "first page", "/mod/?reason=flags": "filtered (reason: flags)"}
    for page in result["pages"]:
        name = names.get(page["path"], "1,000 items in (keyset cursor)")
        out.append(
            f"| {name} | {page['per_second']:.0f} | {page['p50_ms']:.1f} | "
            f"{page['p95_ms']:.1f} | {page['queries']} |"
        )
    out.append("")
    return out


if __name__ == "__main__":
    print("\n".join(lines(measure())))
