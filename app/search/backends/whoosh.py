"""The Whoosh backend: an index directory on this host, one writer at a time.

Every write (drain, rebuild, repair) holds an exclusive `flock` on `<dir>.lock`, beside
the index: two web processes, a `flask worker` and a `flask search rebuild` never write at
once (Whoosh's own lock is the second guard). A drain that finds the lock taken returns at
once and the next tick takes its rows; a rebuild waits for it.

Searches never write: they use a searcher per thread, refreshed when a writer committed.
A missing index is built from the database by the first drain (first start); a damaged
one makes searches raise `SearchUnavailable("damaged")`, /healthz says so, and `flask
search rebuild` (or `verify`) makes it anew.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema
from whoosh.writing import CLEAR

from app.search import indexing
from app.search.analysis import ANALYZER, SPELL_ANALYZER
from app.search.backends import (
    DATE_RANGES,
    Hit,
    RawResults,
    SearchRequest,
    SearchUnavailable,
)
from app.search.documents import Document
from app.search.query import ParsedQuery

log = logging.getLogger(__name__)

INDEX_NAME = "cercle"
LOCK_WAIT_SECONDS = 120.0
TITLE_BOOST = 3.0


def make_schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True, sortable=True),
        doc_id=NUMERIC(stored=True, bits=64),
        parent_id=NUMERIC(stored=True, bits=64),
        title=TEXT(analyzer=ANALYZER, stored=True, field_boost=TITLE_BOOST),
        body=TEXT(analyzer=ANALYZER, stored=True),
        spell=TEXT(analyzer=SPELL_ANALYZER, phrase=False, spelling=True),
        author=ID(stored=True, sortable=True),
        author_id=NUMERIC(stored=True),
        place=ID(stored=True, sortable=True),
        visibility=ID(stored=True),
        tags=ID(stored=True),
        created=DATETIME(stored=True, sortable=True),
        digest=ID(stored=True),
    )


def _naive(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _fields(doc: Document) -> dict:
    return {
        "key": doc.key,
        "type": doc.type,
        "doc_id": doc.doc_id,
        "parent_id": doc.parent_id or 0,
        "title": doc.title,
        "body": doc.body,
        # Titles only: their words make a good "did you mean" vocabulary, and spelling
        # every body word doubled the rebuild time (docs/decisions.md, "Search").
        "spell": doc.title,
        "author": doc.author,
        "author_id": doc.author_id or 0,
        "place": doc.place,
        "visibility": doc.visibility,
        "tags": ",".join(doc.tags),
        "created": _naive(doc.created),
        "digest": doc.digest,
    }


def text_query(query: ParsedQuery) -> Q.Query:
    parts: list[Q.Query] = []
    for term in query.terms:
        parts.append(Q.Or([Q.Term("title", term), Q.Term("body", term)]))
    for phrase in query.phrases:
        parts.append(Q.Or([Q.Phrase("title", phrase), Q.Phrase("body", phrase)]))
    combine = Q.Or if query.match_any else Q.And
    positive: Q.Query = combine(parts) if parts else Q.Every()
    negative = [Q.Or([Q.Term("title", t), Q.Term("body", t)]) for t in query.excluded_terms]
    negative += [Q.Or([Q.Phrase("title", p), Q.Phrase("body", p)]) for p in query.excluded_phrases]
    if negative:
        return Q.AndNot(positive, Q.Or(negative))
    return positive


class WhooshBackend:
    name = "whoosh"

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._local = threading.local()
        self._ix: whoosh_index.Index | None = None

    # --- opening ---------------------------------------------------------------------

    def _exists(self) -> bool:
        """Is there an index (readable or not) in the directory?"""
        if not os.path.isdir(self.directory):
            return False
        try:
            return whoosh_index.exists_in(self.directory, indexname=INDEX_NAME)
        except Exception:  # a table of contents that cannot be read: there, but damaged
            return True

    def _open(self) -> whoosh_index.Index:
        if self._ix is None:
            if not self._exists():
                raise SearchUnavailable("missing")
            try:
                ix = whoosh_index.open_dir(self.directory, indexname=INDEX_NAME)
            except Exception as exc:
                log.warning("search index in %s cannot be opened: %s", self.directory, exc)
                raise SearchUnavailable("damaged") from exc
            if set(ix.schema.names()) != set(make_schema().names()):
                raise SearchUnavailable("damaged")
            self._ix = ix
        return self._ix

    def _searcher(self):  # type: ignore[no-untyped-def]
        searcher = getattr(self._local, "searcher", None)
        if searcher is None or not searcher.up_to_date():
            # A new searcher, not `refresh()`: refresh reuses the readers of segments it
            # thinks unchanged and misses deletions in them. The old one is left to the
            # garbage collector (a reader may still be in use by a Results object).
            searcher = self._open().searcher()
        self._local.searcher = searcher
        return searcher

    def _forget(self) -> None:
        searcher = getattr(self._local, "searcher", None)
        if searcher is not None:
            with contextlib.suppress(Exception):
                searcher.close()
        self._local.searcher = None
        self._ix = None

    def status(self) -> dict:
        if not self._exists():
            return {"backend": self.name, "state": "missing"}
        try:
            ix = whoosh_index.open_dir(self.directory, indexname=INDEX_NAME)
            with ix.searcher() as searcher:
                count = searcher.doc_count()
                # Reading a stored document touches the segment files too.
                if count:
                    next(searcher.all_stored_fields(), None)
            if set(ix.schema.names()) != set(make_schema().names()):
                return {"backend": self.name, "state": "damaged"}
        except Exception as exc:
            log.warning("search index in %s is damaged: %s", self.directory, exc)
            return {"backend": self.name, "state": "damaged"}
        return {"backend": self.name, "state": "ok", "documents": count}

    # --- searching -------------------------------------------------------------------

    def _base(self, request: SearchRequest, searcher) -> Q.Query:  # type: ignore[no-untyped-def]
        parts: list[Q.Query] = [text_query(request.query)]
        if request.query_author:
            parts.append(Q.Term("author", request.query_author))
        if request.query_place:
            parts.append(Q.Term("place", request.query_place))
        query: Q.Query = Q.And(parts)
        # The viewer's readability is part of the query itself, so every count (totals,
        # facets) is made of readable documents only. It is written as "none of the
        # scopes in the index that the viewer may not read" (the index's own list, so
        # no document escapes it): an exclusion is checked only where the words match,
        # while "any readable scope" would walk nearly every document per search.
        hidden = self._scopes(searcher) - request.scopes
        if hidden:
            query = Q.AndNot(query, Q.Or([Q.Term("visibility", v) for v in sorted(hidden)]))
        return query

    def _scopes(self, searcher) -> set[str]:  # type: ignore[no-untyped-def]
        cache = self._cache(searcher)
        if "scopes" not in cache:
            cache["scopes"] = {
                v.decode() if isinstance(v, bytes) else str(v)
                for v in searcher.reader().lexicon("visibility")
            }
        return cache["scopes"]

    def _filtered(self, request: SearchRequest, searcher) -> Q.Query:  # type: ignore[no-untyped-def]
        parts = [self._base(request, searcher)]
        if request.type:
            parts.append(Q.Term("type", request.type))
        if request.place:
            parts.append(Q.Term("place", request.place))
        if request.author:
            parts.append(Q.Term("author", request.author))
        if request.date_from or request.date_to:
            start = _naive(request.date_from) if request.date_from else None
            end = _naive(request.date_to) if request.date_to else None
            parts.append(Q.DateRange("created", start, end))
        return Q.And(parts)

    def _run(self, work: Callable):  # type: ignore[no-untyped-def]
        try:
            return work(self._searcher())
        except SearchUnavailable:
            raise
        except Exception as exc:
            log.warning("search index in %s failed: %r", self.directory, exc, exc_info=True)
            self._forget()
            raise SearchUnavailable("damaged") from exc

    def search(self, request: SearchRequest) -> RawResults:
        def work(searcher):  # type: ignore[no-untyped-def]
            # Every readable match of the words, once: the facets count it, and without a
            # filter it is the total too (no second walk of the postings for `len()`).
            matched = None
            if request.with_facets:
                matched = set(searcher.docs_for_query(self._base(request, searcher)))
            filtered = request.type or request.place or request.author
            filtered = filtered or request.date_from or request.date_to
            wanted = self._filtered(request, searcher)
            limit = request.page * request.per_page
            if request.sort == "newest" or not request.query.has_text:
                results = searcher.search(wanted, limit=limit, sortedby="created", reverse=True)
            else:
                results = searcher.search(wanted, limit=limit)
            total = len(matched) if matched is not None and not filtered else len(results)
            start = (request.page - 1) * request.per_page
            hits = [
                _hit(results[i].fields()) for i in range(start, min(limit, results.scored_length()))
            ]
            facets = self._facets(searcher, request, matched) if matched is not None else {}
            return RawResults(total=total, hits=hits, facets=facets)

        return self._run(work)

    def _facets(self, searcher, request: SearchRequest, matched: set[int]) -> dict:  # type: ignore[no-untyped-def]
        """Counts per value over every readable match: set intersections with each value's
        documents (cached per searcher, they do not depend on the query), and the author
        column read for each match (authors are too many for sets)."""
        out: dict[str, dict[str, int]] = {"type": {}, "place": {}, "author": {}, "date": {}}
        if not matched:
            return out
        now = _naive(request.now or datetime.now(UTC)).replace(minute=0, second=0, microsecond=0)
        for field in ("type", "place"):
            for value, docs in self._value_sets(searcher, field).items():
                if count := len(matched & docs):
                    out[field][value] = count
        for name, days in DATE_RANGES.items():
            docs = self._cached(
                searcher,
                ("date", name, now),
                lambda d=days: Q.DateRange("created", now - timedelta(days=d), None),
            )
            if count := len(matched & docs):
                out["date"][name] = count
        column = searcher.reader().column_reader("author")
        authors: dict[str, int] = {}
        for docnum in matched:
            value = column[docnum]
            value = value.decode() if isinstance(value, bytes) else str(value)
            authors[value] = authors.get(value, 0) + 1
        out["author"] = authors
        return out

    def _cache(self, searcher) -> dict:  # type: ignore[no-untyped-def]
        cache = getattr(self._local, "facet_cache", None)
        if cache is None or cache[0] is not searcher:
            cache = (searcher, {})
            self._local.facet_cache = cache
        return cache[1]

    def _cached(self, searcher, key, make_query) -> set[int]:  # type: ignore[no-untyped-def]
        cache = self._cache(searcher)
        if key not in cache:
            cache[key] = set(searcher.docs_for_query(make_query()))
        return cache[key]

    def _value_sets(self, searcher, field: str) -> dict[str, set[int]]:  # type: ignore[no-untyped-def]
        cache = self._cache(searcher)
        if ("values", field) not in cache:
            values = [
                v.decode() if isinstance(v, bytes) else str(v)
                for v in searcher.reader().lexicon(field)
            ]
            cache[("values", field)] = {
                v: self._cached(searcher, (field, v), lambda v=v: Q.Term(field, v)) for v in values
            }
        return cache[("values", field)]

    def count(self, request: SearchRequest) -> int:
        def work(searcher):  # type: ignore[no-untyped-def]
            return len(searcher.search(self._filtered(request, searcher), limit=1))

        return self._run(work)

    def corrections(self, words: list[str]) -> dict[str, str]:
        def work(searcher):  # type: ignore[no-untyped-def]
            out = {}
            corrector = searcher.corrector("spell")
            reader = searcher.reader()
            for word in dict.fromkeys(words):
                if reader.frequency("spell", word) > 0:
                    continue
                found = corrector.suggest(word, limit=10, maxdist=1 if len(word) < 4 else 2)
                if found:
                    # Swapped letters count as one typo; then the commonest word wins.
                    out[word] = min(
                        found,
                        key=lambda c: (_typos(word, c), -reader.doc_frequency("spell", c), c),
                    )
            return out

        return self._run(work)

    def digests(self) -> dict[str, str]:
        def work(searcher):  # type: ignore[no-untyped-def]
            return {f["key"]: f["digest"] for f in searcher.all_stored_fields()}

        return self._run(work)

    # --- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def _write_lock(self, wait: bool) -> Iterator[bool]:
        parent = os.path.dirname(os.path.abspath(self.directory)) or "."
        os.makedirs(parent, exist_ok=True)
        fd = os.open(f"{os.path.abspath(self.directory)}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + LOCK_WAIT_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if not wait or time.monotonic() > deadline:
                        yield False
                        return
                    time.sleep(0.05)
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _create(self) -> whoosh_index.Index:
        """A new empty index (whatever was in the directory is removed)."""
        self._forget()
        if os.path.isdir(self.directory):
            shutil.rmtree(self.directory)
        os.makedirs(self.directory, exist_ok=True)
        return whoosh_index.create_in(self.directory, make_schema(), indexname=INDEX_NAME)

    def drain(self, limit: int = 500) -> int:
        """Index the queued documents; 0 at once if another process is writing."""
        with self._write_lock(wait=False) as locked:
            if not locked:
                return 0
            if not self._exists():
                # First start (or a removed directory): build it all from the database.
                self._rebuild_locked()
            elif self.status()["state"] != "ok":
                log.error("search index damaged: run `flask search rebuild`")
                return 0
            items, documents = indexing.read_pending(limit)
            if not items:
                return 0
            self._write(list(documents.items()))
            indexing.settle_in_transaction(items)
            return len(items)

    def _write(self, changes: list[tuple[str, Document | None]]) -> None:
        ix = self._open()
        writer = ix.writer(timeout=LOCK_WAIT_SECONDS)
        try:
            for key, doc in changes:
                if doc is None:
                    writer.delete_by_term("key", key)
                else:
                    writer.update_document(**_fields(doc))
        except BaseException:
            writer.cancel()
            raise
        writer.commit()

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        with self._write_lock(wait=True) as locked:
            if not locked:
                raise TimeoutError("another process holds the search index write lock")
            return self._rebuild_locked(progress)

    def _rebuild_locked(self, progress: Callable[[int], None] | None = None) -> int:
        ix = self._open() if self.status()["state"] == "ok" else self._create()
        writer = ix.writer(timeout=LOCK_WAIT_SECONDS, limitmb=256)
        written = 0
        try:
            for batch in indexing.all_documents():
                for doc in batch:
                    writer.add_document(**_fields(doc))
                written += len(batch)
                if progress:
                    progress(written)
        except BaseException:
            writer.cancel()
            raise
        # CLEAR: the new segments replace every old one in one commit; searchers keep
        # the previous generation until then.
        writer.commit(mergetype=CLEAR)
        self._forget()
        return written

    def repair(self, upserts: list[Document], deletes: list[str]) -> None:
        with self._write_lock(wait=True) as locked:
            if not locked:
                raise TimeoutError("another process holds the search index write lock")
            self._write([(d.key, d) for d in upserts] + [(k, None) for k in deletes])


def _typos(a: str, b: str) -> int:
    """Edits from `a` to `b`, a swap of two neighbours counting as one (Damerau)."""
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, rows[-2][j - 2] + 1)
            row.append(cost)
        rows.append(row)
    return rows[-1][-1]


def _hit(fields: dict) -> Hit:
    created = fields["created"]
    return Hit(
        key=fields["key"],
        type=fields["type"],
        doc_id=int(fields["doc_id"]),
        parent_id=int(fields["parent_id"]) or None,
        title=fields.get("title", ""),
        body=fields.get("body", ""),
        author=fields.get("author", ""),
        created=created.replace(tzinfo=UTC),
    )
