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

import numpy as np
from whoosh import index as whoosh_index
from whoosh import query as Q
from whoosh.fields import DATETIME, ID, NUMERIC, TEXT, Schema
from whoosh.writing import CLEAR

from app.search import indexing
from app.search.analysis import ANALYZER, PAIRS_ANALYZER, SPELL_ANALYZER, typos
from app.search.backends import (
    DATE_RANGES,
    Hit,
    RawResults,
    SearchRequest,
    SearchUnavailable,
)
from app.search.backends.whoosh_arrays import Generation, Vocabulary
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
        # Neighbouring terms as one term, for quoted phrases (whoosh_arrays).
        title_pairs=TEXT(analyzer=PAIRS_ANALYZER, phrase=False, field_boost=TITLE_BOOST),
        body_pairs=TEXT(analyzer=PAIRS_ANALYZER, phrase=False),
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
        "title_pairs": doc.title,
        "body_pairs": doc.body,
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
        # Per-segment arrays (by segment id) and the column values' codes, shared by
        # every thread's searcher.
        self._segments: dict = {}
        self._vocabularies = {
            name: Vocabulary() for name in ("type", "place", "author", "visibility")
        }

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
        self._local.generation = None
        self._segments.clear()
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

    def _generation(self, searcher) -> Generation:  # type: ignore[no-untyped-def]
        """This searcher's documents as arrays: made once per index generation and thread,
        reading only the segments not seen before (app.search.backends.whoosh_arrays)."""
        generation = getattr(self._local, "generation", None)
        if generation is None or generation.searcher is not searcher:
            generation = Generation(searcher, self._segments, self._vocabularies)
            self._local.generation = generation
            # Forget the segments that merges replaced (other threads may still hold
            # theirs: they read them again if they ever need them).
            for key in list(self._segments):
                if key not in generation.used_segments:
                    self._segments.pop(key, None)
        return generation

    def _masks(self, request: SearchRequest, generation: Generation):  # type: ignore[no-untyped-def]
        """(the query's readable matches, those the filters keep, their scores)."""
        base, score = generation.text(request.query)
        # The viewer's readability is part of the query itself, so every count (totals,
        # facets) and every hit is made of readable documents only.
        base &= generation.readable(request.scopes)
        if request.query_author:
            base &= generation.equals("author", request.query_author)
        if request.query_place:
            base &= generation.equals("place", request.query_place)
        wanted = base
        if request.type:
            wanted = wanted & generation.equals("type", request.type)
        if request.place:
            wanted = wanted & generation.equals("place", request.place)
        if request.author:
            wanted = wanted & generation.equals("author", request.author)
        if request.date_from:
            wanted = wanted & generation.since(_naive(request.date_from))
        if request.date_to:
            wanted = wanted & generation.until(_naive(request.date_to))
        return base, wanted, score

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
            generation = self._generation(searcher)
            base, wanted, score = self._masks(request, generation)
            limit = request.page * request.per_page
            by_score = request.sort != "newest" and request.query.has_text
            docs = generation.top(wanted, score if by_score else None, limit)
            start = (request.page - 1) * request.per_page
            # Stored fields for the displayed hits only.
            hits = [_hit(searcher.stored_fields(int(d))) for d in docs[start:limit]]
            facets = {}
            if request.with_facets:
                now = _naive(request.now or datetime.now(UTC))
                now = now.replace(minute=0, second=0, microsecond=0)
                facets = generation.facets(
                    base, {name: now - timedelta(days=d) for name, d in DATE_RANGES.items()}
                )
            return RawResults(total=int(np.count_nonzero(wanted)), hits=hits, facets=facets)

        return self._run(work)

    def count(self, request: SearchRequest) -> int:
        def work(searcher):  # type: ignore[no-untyped-def]
            _base, wanted, _score = self._masks(request, self._generation(searcher))
            return int(np.count_nonzero(wanted))

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
                        key=lambda c: (typos(word, c), -reader.doc_frequency("spell", c), c),
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
