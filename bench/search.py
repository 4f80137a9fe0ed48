"""Search: rebuild time, incremental update latency, query latency, beside SQLite FTS5.

Runs on the database `bench` built (DATABASE_URL; `flask seed load --scale 10` gives
100,000 posts), with the configured backend (SEARCH_BACKEND, Whoosh by default) in a
temporary index directory:

1. **Rebuild**: `rebuild()` of every document from the database, timed.
2. **Reference**: the same documents (title, body) into an SQLite FTS5 table (porter
   stemmer, diacritics removed), in the same run, timed.
3. **Queries**: a fixed list of 200 queries (1 to 3 words, some quoted phrases, some
   exclusions, English and French, drawn with a fixed seed), for an anonymous visitor
   (readability inside the query on both sides). Each is run as the results page needs
   it, on both sides: the 20 best by relevance, a snippet for each of those 20 only, the
   exact total and the facet counts (type, place, author, past week/month/year). Whoosh:
   `backend.search()` and `services.highlight()`; FTS5: the 20 best by bm25 (title
   weighted 3) with `snippet()`, then the total and the facets by `GROUP BY` over the
   readable matches. A second pair of figures leaves the facets out on both sides.
   Queries made only of stop words ("down", "été") are left out of both: the page shows
   "only common words" without searching (FTS5, without stop words, would search them).
   p50/p95.
4. **Incremental updates**: `updates` new topics through the forum service, each timed
   from its commit until a search finds it (the worker's durable subscribers, then the
   index drain), p50/p95.

Targets: query p95 under 50 ms and within 2x of FTS5; rebuild of 100k posts under 3 min.
"""

from __future__ import annotations

import random
import re
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

P95_TARGET_MS = 50.0
RATIO_TARGET = 2.0
REBUILD_TARGET_SECONDS = 180.0

WORDS = [
    "tent", "stove", "boots", "jacket", "summit", "rain", "zip", "repair", "sleeping",
    "bag", "pack", "trail", "waterproof", "winter", "camping", "lightweight", "down",
    "pole", "recall", "condensation", "socks", "blister", "gaiters", "map", "hut",
    "tente", "chaussures", "randonnée", "bivouac", "vélo", "électrique", "sac",
    "couchage", "pluie", "réparer", "montagne", "neige", "froid", "été", "lac",
]  # fmt: skip
PHRASES = ['"sleeping bag"', '"summit 2"', '"rain jacket"', '"sac de couchage"']


def query_list(count: int = 200, seed: int = 2026) -> list[str]:
    """The same 200 queries every run."""
    rng = random.Random(seed)
    queries = []
    for n in range(count):
        words = rng.sample(WORDS, rng.choice([1, 1, 2, 2, 2, 3]))
        if n % 10 == 3:
            words.append(rng.choice(PHRASES))
        if n % 10 == 7:
            words.append("-" + rng.choice(WORDS))
        queries.append(" ".join(words))
    return queries


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _fts_expression(query: str) -> str | None:
    """The same query for FTS5: words ANDed, phrases quoted, exclusions with NOT."""

    positive, negative = [], []
    for match in re.finditer(r'(-?)(?:"([^"]*)"|(\S+))', query):
        words = re.findall(r"[^\W_]+", match.group(2) or match.group(3) or "")
        if not words:
            continue
        part = '"' + " ".join(words) + '"'
        (negative if match.group(1) else positive).append(part)
    if not positive:
        return None
    expression = " AND ".join(positive)
    for part in negative:
        expression += f" NOT {part}"
    return expression


def _scope_token(scope: str) -> str:
    """A scope as one FTS5 token ("category:3" -> "categoryx3")."""
    return re.sub(r"[^0-9A-Za-z]", "x", scope)


def _fts_build(path: Path) -> tuple[sqlite3.Connection, int, float, set[str]]:
    """FTS5 as one would use it for this page: the text (and each document's scope, as a
    token, for readability inside MATCH) in the FTS5 table, the facet columns in a plain
    table joined by rowid (reading them from UNINDEXED FTS5 columns read every matching
    row's body and cost 5x)."""
    from app.search.indexing import all_documents

    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE VIRTUAL TABLE docs USING fts5(key UNINDEXED, scope, title, body, "
        "tokenize = 'porter unicode61 remove_diacritics 2')"
    )
    conn.execute(
        "CREATE TABLE meta (id INTEGER PRIMARY KEY, type TEXT, place TEXT, author TEXT, "
        "created REAL)"
    )
    started = time.perf_counter()
    count = 0
    scopes: set[str] = set()
    for batch in all_documents():
        rows = [(count + i + 1, d) for i, d in enumerate(batch)]
        conn.executemany(
            "INSERT INTO docs (rowid, key, scope, title, body) VALUES (?, ?, ?, ?, ?)",
            [(n, d.key, _scope_token(d.visibility), d.title, d.body) for n, d in rows],
        )
        conn.executemany(
            "INSERT INTO meta VALUES (?, ?, ?, ?, ?)",
            [(n, d.type, d.place, d.author, d.created.timestamp()) for n, d in rows],
        )
        scopes.update(d.visibility for d in batch)
        count += len(batch)
    conn.commit()
    return conn, count, time.perf_counter() - started, scopes


def _fts_query(
    conn: sqlite3.Connection, expression: str, hidden: list[str], facets: bool = True
) -> int:
    """What the results page needs, from FTS5: the 20 best with their snippets, the total
    and (with `facets`) the counts per type, place, author and date range, all over the
    viewer's readable matches (the scopes they may not read excluded inside MATCH)."""
    if hidden:
        expression = f"({expression}) NOT scope : ({' OR '.join(map(_scope_token, hidden))})"
    conn.execute(
        "SELECT key, snippet(docs, 3, '<mark>', '</mark>', '…', 20) FROM docs "
        "WHERE docs MATCH ? ORDER BY bm25(docs, 0, 0, 3.0, 1.0) LIMIT 20",
        (expression,),
    ).fetchall()
    if not facets:
        return conn.execute(
            "SELECT count(*) FROM docs WHERE docs MATCH ?", (expression,)
        ).fetchone()[0]
    joined = "FROM docs JOIN meta ON meta.id = docs.rowid WHERE docs MATCH ?"
    now = time.time()
    total, *_dates = conn.execute(
        f"SELECT count(*), sum(created >= ?), sum(created >= ?), sum(created >= ?) {joined}",
        (now - 7 * 86400, now - 31 * 86400, now - 366 * 86400, expression),
    ).fetchone()
    conn.execute(
        f"SELECT type, place, count(*) {joined} GROUP BY type, place", (expression,)
    ).fetchall()
    conn.execute(f"SELECT author, count(*) {joined} GROUP BY author", (expression,)).fetchall()
    return total


def measure(updates: int = 20, index_dir: str | None = None) -> dict:
    from sqlalchemy import select

    from app import create_app
    from app.community.forums import services as forums
    from app.community.forums.models import Category
    from app.core.worker import drain
    from app.extensions import db
    from app.members.models import Member
    from app.search.backends import SearchRequest, get_backend
    from app.search.documents import readable_scopes
    from app.search.jobs import drain_index
    from app.search.query import parse
    from app.search.services import highlight

    workdir = Path(tempfile.mkdtemp(prefix="cercle-bench-search-"))
    app = create_app(
        {"SCHEDULER_ENABLED": False, "SEARCH_INDEX_DIR": index_dir or str(workdir / "index")}
    )
    with app.app_context():
        backend = get_backend()
        started = time.perf_counter()
        documents = backend.rebuild()
        rebuild_seconds = time.perf_counter() - started

        conn, fts_documents, fts_seconds, all_scopes = _fts_build(workdir / "fts.db")

        scopes = readable_scopes(None)
        hidden = sorted(all_scopes - scopes)
        # The page does not search a query of stop words only (it says so): neither do we.
        queries = [q for q in query_list() if not parse(q).is_empty]

        def ours(q: str, facets: bool) -> int:
            """What the results page needs: hits, their snippets, the total, the facets."""
            query = parse(q)
            request = SearchRequest(query=query, scopes=scopes, with_facets=facets)
            raw = backend.search(request)
            wanted = query.positive_terms()
            for hit in raw.hits:
                highlight(hit.body, wanted)
            return raw.total

        for q in queries[:20]:  # warm up both
            ours(q, True)
            if (expression := _fts_expression(q)) is not None:
                _fts_query(conn, expression, hidden)
        timings: dict[str, list[float]] = {"ours": [], "fts": [], "ours_nf": [], "fts_nf": []}
        found = 0
        for q in queries:
            expression = _fts_expression(q)
            for facets, mine, theirs in ((True, "ours", "fts"), (False, "ours_nf", "fts_nf")):
                started = time.perf_counter()
                total = ours(q, facets)
                timings[mine].append((time.perf_counter() - started) * 1000)
                if facets:
                    found += min(1, total)
                if expression is not None:
                    started = time.perf_counter()
                    _fts_query(conn, expression, hidden, facets=facets)
                    timings[theirs].append((time.perf_counter() - started) * 1000)
        conn.close()

        # Incremental: commit a topic, then the worker and the index drain, until found.
        drain(time_budget=600)
        drain_index(batches=1000)
        member = db.session.scalar(select(Member).where(Member.role == "admin").limit(1))
        category = db.session.scalar(
            select(Category).where(Category.min_tier_rank == 0, Category.allowed_roles.is_(None))
        )
        latencies = []
        for n in range(updates):
            word = f"benchword{n}x{random.randrange(10**6)}"
            forums.create_topic(member, category.id, f"Bench topic {n} {word}", f"About {word}.")
            started = time.perf_counter()
            drain(time_budget=60)
            drain_index()
            request = SearchRequest(query=parse(word), scopes=scopes, with_facets=False)
            assert backend.search(request).total == 1
            latencies.append((time.perf_counter() - started) * 1000)
        name = backend.name
        database = db.engine.dialect.name
    return {
        "backend": name,
        "database": database,
        "documents": documents,
        "rebuild_seconds": rebuild_seconds,
        "fts_documents": fts_documents,
        "fts_build_seconds": fts_seconds,
        "queries": len(queries),
        "queries_with_results": found,
        "p50_ms": statistics.median(timings["ours"]),
        "p95_ms": _percentile(timings["ours"], 95),
        "fts_p50_ms": statistics.median(timings["fts"]),
        "fts_p95_ms": _percentile(timings["fts"], 95),
        "nf_p50_ms": statistics.median(timings["ours_nf"]),
        "nf_p95_ms": _percentile(timings["ours_nf"], 95),
        "fts_nf_p50_ms": statistics.median(timings["fts_nf"]),
        "fts_nf_p95_ms": _percentile(timings["fts_nf"], 95),
        "update_p50_ms": statistics.median(latencies),
        "update_p95_ms": _percentile(latencies, 95),
        "updates": updates,
    }


def lines(result: dict) -> list[str]:
    p95, fts_p95 = result["p95_ms"], result["fts_p95_ms"]
    ratio = p95 / fts_p95 if fts_p95 else float("inf")
    nf_ratio = result["nf_p95_ms"] / result["fts_nf_p95_ms"] if result["fts_nf_p95_ms"] else 0
    query_met = (
        "met"
        if max(p95, result["nf_p95_ms"]) < P95_TARGET_MS and max(ratio, nf_ratio) <= RATIO_TARGET
        else "NOT met"
    )
    rebuild_met = (
        "met" if result["rebuild_seconds"] * 100_000 / max(result["documents"], 1)
        < REBUILD_TARGET_SECONDS else "NOT met"
    )  # fmt: skip
    return [
        f"### Search ({result['backend']} on {result['database']}, "
        f"{result['documents']:,} documents)",
        "",
        "| what | " + result["backend"] + " | SQLite FTS5 (reference) |",
        "|---|---:|---:|",
        f"| full rebuild | {result['rebuild_seconds']:.1f} s | "
        f"{result['fts_build_seconds']:.1f} s |",
        f"| query p50 ({result['queries']} fixed queries) | {result['p50_ms']:.1f} ms | "
        f"{result['fts_p50_ms']:.1f} ms |",
        f"| query p95 | {p95:.1f} ms | {fts_p95:.1f} ms |",
        f"| without the facets, p50 / p95 | {result['nf_p50_ms']:.1f} / "
        f"{result['nf_p95_ms']:.1f} ms | {result['fts_nf_p50_ms']:.1f} / "
        f"{result['fts_nf_p95_ms']:.1f} ms |",
        f"| incremental update, commit → searchable, p50 / p95 ({result['updates']}) | "
        f"{result['update_p50_ms']:.0f} / {result['update_p95_ms']:.0f} ms | — |",
        "",
        "Both sides do what the results page needs, for an anonymous visitor (readability "
        "in the query): the 20 best by relevance, a snippet for each, the exact total and "
        "the facet counts (type, place, author, dates); FTS5 excludes unreadable scopes "
        "inside MATCH and reads the facet columns from a plain table joined by rowid; "
        "queries of stop words only are left out. "
        f"{result['queries_with_results']} of {result['queries']} queries find something.",
        f"Query p95 {p95:.1f} ms, {ratio:.1f}× FTS5 ({nf_ratio:.1f}× without the facets; "
        f"targets < {P95_TARGET_MS:.0f} ms and "
        f"≤ {RATIO_TARGET:.0f}×): **{query_met}**. Rebuild (target < "
        f"{REBUILD_TARGET_SECONDS:.0f} s for 100k posts): **{rebuild_met}**.",
        "",
    ]


if __name__ == "__main__":  # python -m bench.search, on DATABASE_URL
    print("\n".join(lines(measure())))
