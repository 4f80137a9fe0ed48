"""The PostgreSQL backend: full-text search over `search_documents`, shared by every host.

The documents' terms are analysed in Python (app.search.analysis), exactly as for Whoosh,
and stored as text; PostgreSQL's `simple` configuration only splits and counts them, so
"vélo électrique" finds "velos electriques" here too. Title terms weigh A, body terms B.
The GIN index on that expression is made by migration 0005 (PostgreSQL only).

Writes happen in the database's own transactions: a drain locks its queue rows (`FOR
UPDATE SKIP LOCKED`), writes the documents and deletes the rows in one commit, so two
drains at once share the work and a crash leaves nothing half-done.
"""

from __future__ import annotations

import difflib
import logging
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import ClassVar

from sqlalchemy import and_, delete, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert

from app.core.db import unit_of_work
from app.extensions import db
from app.search import indexing
from app.search.analysis import terms, typos
from app.search.analysis import words as spelling_words
from app.search.backends import (
    DATE_RANGES,
    Hit,
    RawResults,
    SearchRequest,
    SearchUnavailable,
)
from app.search.documents import Document, build_documents, sources
from app.search.models import VECTOR
from app.search.models import SearchDocument as D
from app.search.query import ParsedQuery

log = logging.getLogger(__name__)
_vector = literal_column(f"({VECTOR})")
_SIMPLE = literal_column("'simple'::regconfig")


def _quote(term: str) -> str:
    return "'" + term.replace("'", "") + "'"


def _phrase(words: list[str]) -> str:
    return "(" + " <-> ".join(_quote(w) for w in words) + ")"


def tsquery_text(query: ParsedQuery) -> str | None:
    """The query as tsquery text, built from analysed terms only (no user syntax)."""
    parts = [_quote(t) for t in query.terms] + [_phrase(p) for p in query.phrases]
    if query.match_any and parts:
        parts = ["(" + " | ".join(parts) + ")"]
    parts += ["!" + _quote(t) for t in query.excluded_terms]
    parts += ["!" + _phrase(p) for p in query.excluded_phrases]
    return " & ".join(parts) or None


def _row(doc: Document) -> dict:
    return {
        "doc_key": doc.key,
        "type": doc.type,
        "doc_id": doc.doc_id,
        "parent_id": doc.parent_id,
        "title": doc.title,
        "body": doc.body,
        "author": doc.author,
        "author_id": doc.author_id,
        "place": doc.place,
        "visibility": doc.visibility,
        "tags": ",".join(doc.tags),
        "created_at": doc.created,
        "digest": doc.digest,
        "title_terms": " ".join(terms(doc.title)),
        "body_terms": " ".join(terms(doc.body)),
    }


def _write(changes: list[tuple[str, Document | None]]) -> None:
    deletes = [key for key, doc in changes if doc is None]
    rows = [_row(doc) for _key, doc in changes if doc is not None]
    if deletes:
        db.session.execute(delete(D).where(D.doc_key.in_(deletes)))
    if rows:
        statement = insert(D).values(rows)
        db.session.execute(
            statement.on_conflict_do_update(
                index_elements=["doc_key"],
                set_={name: statement.excluded[name] for name in rows[0] if name != "doc_key"},
            )
        )


class PostgresBackend:
    name = "postgres"

    def status(self) -> dict:
        try:
            count = db.session.scalar(select(func.count()).select_from(D))
        except Exception:
            db.session.rollback()
            return {"backend": self.name, "state": "damaged"}
        return {"backend": self.name, "state": "ok", "documents": count}

    def _base(self, request: SearchRequest) -> list:
        where = [D.visibility.in_(sorted(request.scopes) or [""])]
        if (q := tsquery_text(request.query)) is not None:
            where.append(_vector.op("@@")(func.to_tsquery(_SIMPLE, q)))
        if request.query_author:
            where.append(D.author == request.query_author)
        if request.query_place:
            where.append(D.place == request.query_place)
        return where

    def _filtered(self, request: SearchRequest) -> list:
        where = self._base(request)
        if request.type:
            where.append(D.type == request.type)
        if request.place:
            where.append(D.place == request.place)
        if request.author:
            where.append(D.author == request.author)
        if request.date_from:
            where.append(D.created_at >= request.date_from)
        if request.date_to:
            where.append(D.created_at < request.date_to)
        return where

    def search(self, request: SearchRequest) -> RawResults:
        try:
            where = and_(*self._filtered(request))
            total = db.session.scalar(select(func.count()).select_from(D).where(where)) or 0
            statement = select(D).where(where)
            q = tsquery_text(request.query)
            if request.sort == "newest" or not request.query.has_text or q is None:
                statement = statement.order_by(D.created_at.desc(), D.doc_key)
            else:
                rank = func.ts_rank(_vector, func.to_tsquery(_SIMPLE, q))
                statement = statement.order_by(rank.desc(), D.created_at.desc(), D.doc_key)
            rows = db.session.scalars(
                statement.limit(request.per_page).offset((request.page - 1) * request.per_page)
            ).all()
            hits = [
                Hit(
                    key=r.doc_key,
                    type=r.type,
                    doc_id=r.doc_id,
                    parent_id=r.parent_id,
                    title=r.title,
                    body=r.body,
                    author=r.author,
                    created=r.created_at,
                )
                for r in rows
            ]
            facets = self._facets(request) if request.with_facets else {}
        except SearchUnavailable:
            raise
        except Exception as exc:
            log.warning("PostgreSQL search failed: %r", exc, exc_info=True)
            db.session.rollback()
            raise SearchUnavailable("damaged") from exc
        return RawResults(total=total, hits=hits, facets=facets)

    def _facets(self, request: SearchRequest) -> dict[str, dict[str, int]]:
        where = and_(*self._base(request))
        out: dict[str, dict[str, int]] = {}
        for name, col in (("type", D.type), ("place", D.place), ("author", D.author)):
            rows = db.session.execute(
                select(col, func.count())
                .where(where)
                .group_by(col)
                .order_by(func.count().desc())
                .limit(50)
            ).all()
            out[name] = {str(k): int(n) for k, n in rows}
        now = request.now or datetime.now(UTC)
        counts = db.session.execute(
            select(
                *(
                    func.count().filter(D.created_at >= now - timedelta(days=days))
                    for days in DATE_RANGES.values()
                )
            ).where(where)
        ).one()
        out["date"] = {name: int(n) for name, n in zip(DATE_RANGES, counts, strict=True) if n}
        return out

    def count(self, request: SearchRequest) -> int:
        where = and_(*self._filtered(request))
        return db.session.scalar(select(func.count()).select_from(D).where(where)) or 0

    def corrections(self, words: list[str]) -> dict[str, str]:
        """ "Did you mean": the same vocabulary as Whoosh's (the words of the titles) and the
        same rule (one typo for short words, two beyond, swaps count as one; then the
        commonest word), from a per-process copy of the vocabulary, read again when the
        titles change."""
        vocabulary = self._vocabulary()
        out = {}
        for word in dict.fromkeys(words):
            if word in vocabulary:
                continue
            limit = 1 if len(word) < 4 else 2
            near = [
                w
                for w in difflib.get_close_matches(word, vocabulary, n=20, cutoff=0.6)
                if typos(word, w) <= limit
            ]
            if near:
                out[word] = min(near, key=lambda c: (typos(word, c), -vocabulary[c], c))
        return out

    _vocab: ClassVar[tuple[tuple, Counter]] = ((), Counter())

    def _vocabulary(self) -> Counter:
        titled = select(func.count(), func.coalesce(func.sum(func.length(D.title)), 0)).where(
            D.title != ""
        )
        fingerprint = tuple(db.session.execute(titled).one())
        stamp, vocabulary = PostgresBackend._vocab
        if stamp == fingerprint:
            return vocabulary
        vocabulary = Counter()
        for title in db.session.scalars(select(D.title).where(D.title != "")):
            vocabulary.update(set(spelling_words(title)))
        PostgresBackend._vocab = (fingerprint, vocabulary)
        return vocabulary

    def drain(self, limit: int = 500) -> int:
        with unit_of_work():
            items = indexing.pending(limit, lock=True)
            if not items:
                return 0
            documents = build_documents(item.key for item in items)
            _write(list(documents.items()))
            indexing.settle(items)
        return len(items)

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int:
        written = 0
        with unit_of_work():
            # One transaction: searches see the old documents until the new ones commit.
            db.session.execute(text("LOCK TABLE search_documents IN EXCLUSIVE MODE"))
            db.session.execute(delete(D))
            for source in sources().values():
                last = 0
                while ids := source.ids_after(last, indexing.REBUILD_BATCH):
                    last = ids[-1]
                    built = source.build(ids)
                    docs = [doc for doc in (built.get(i) for i in ids) if doc is not None]
                    _write([(d.key, d) for d in docs])
                    written += len(docs)
                    if progress:
                        progress(written)
        return written

    def digests(self) -> dict[str, str]:
        return dict(db.session.execute(select(D.doc_key, D.digest)).all())

    def repair(self, upserts: list[Document], deletes: list[str]) -> None:
        with unit_of_work():
            _write([(d.key, d) for d in upserts] + [(k, None) for k in deletes])
