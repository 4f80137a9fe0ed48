"""Keeping the index current: the queue the durable subscriber fills, drained by one writer.

The subscriber only writes `search_queue` rows, in the worker's transaction with its
position, so an event is never lost nor half-handled. A drain then, under the backend's
write lock, reads the rows, builds those documents from the database as they are now,
writes them to the index, and deletes the rows whose version did not move meanwhile.
A crash between the index write and the row delete only means the same documents are
written again (updates and deletes are idempotent); a change that arrives while its
document is being indexed bumps the row's version, so the row stays and is indexed again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import and_, delete, func, or_, select

from app.core.db import dialect_insert, gate, unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.search.documents import Document, build_documents, key_of, sources
from app.search.models import SearchQueueItem

REBUILD_BATCH = 1000


@dataclass(frozen=True)
class QueueItem:
    id: int
    key: str
    version: int


def enqueue(keys: Iterable[str]) -> None:
    """Ask for these documents to be (re)indexed; runs in the caller's transaction.

    An upsert: a key already waiting gets a new version, so a drain that read the old one
    leaves the row for the next drain instead of deleting it.
    """
    rows = [{"doc_key": key, "version": 1, "queued_at": utcnow()} for key in dict.fromkeys(keys)]
    if not rows:
        return
    statement = dialect_insert(SearchQueueItem).values(rows)
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["doc_key"],
            set_={
                "version": SearchQueueItem.version + 1,
                "queued_at": statement.excluded.queued_at,
            },
        )
    )


def pending(limit: int, lock: bool = False) -> list[QueueItem]:
    statement = select(SearchQueueItem.id, SearchQueueItem.doc_key, SearchQueueItem.version)
    statement = statement.order_by(SearchQueueItem.id).limit(limit)
    if lock:
        statement = statement.with_for_update(skip_locked=True)
    return [QueueItem(*row) for row in db.session.execute(statement)]


def settle(items: list[QueueItem]) -> None:
    """Delete the rows drained, unless they were queued again meanwhile (caller's txn)."""
    if not items:
        return
    db.session.execute(
        delete(SearchQueueItem).where(
            or_(
                *(
                    and_(SearchQueueItem.id == item.id, SearchQueueItem.version == item.version)
                    for item in items
                )
            )
        )
    )


def queue_report() -> dict:
    count, oldest = db.session.execute(
        select(func.count(SearchQueueItem.id), func.min(SearchQueueItem.queued_at))
    ).one()
    age = None
    if oldest is not None:
        from app.core.time import aware

        age = round((utcnow() - aware(oldest)).total_seconds(), 1)
    return {"queued": count, "oldest_seconds": age}


def read_pending(limit: int) -> tuple[list[QueueItem], dict[str, Document | None]]:
    """The waiting rows and their documents as the database holds them now (short read)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with gate(app):
        items = pending(limit)
        documents = build_documents(item.key for item in items)
        db.session.commit()
    return items, documents


def settle_in_transaction(items: list[QueueItem]) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    with gate(app), unit_of_work():
        settle(items)


def all_documents(batch: int = REBUILD_BATCH) -> Iterator[list[Document]]:
    """Every document of every source, a batch at a time (one short read per batch)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for source in sources().values():
        last = 0
        while True:
            with gate(app):
                ids = source.ids_after(last, batch)
                built = source.build(ids) if ids else {}
                db.session.commit()
            if not ids:
                break
            last = ids[-1]
            yield [doc for doc in (built.get(i) for i in ids) if doc is not None]


def expected_digests() -> dict[str, str]:
    return {doc.key: doc.digest for docs in all_documents() for doc in docs}


def keys_for(source: str, ids: Iterable[int]) -> list[str]:
    return [key_of(source, i) for i in ids]


def verify(repair: bool = True) -> dict:
    """Compare the index with the database; with `repair`, make the index right.

    Missing and stale documents are written again, extra ones removed; an index that
    cannot be read (missing or damaged) is rebuilt whole.
    """
    from app.search.backends import SearchUnavailable, get_backend

    backend = get_backend()
    report: dict = {"missing": 0, "stale": 0, "extra": 0, "rebuilt": False}
    try:
        if backend.status()["state"] != "ok":
            raise SearchUnavailable(backend.status()["state"])
        indexed = backend.digests()
    except SearchUnavailable as exc:
        report["state"] = exc.state
        if repair:
            report["rebuilt"] = True
            report["documents"] = backend.rebuild()
        return report
    expected = expected_digests()
    missing = [k for k in expected if k not in indexed]
    stale = [k for k in expected if k in indexed and indexed[k] != expected[k]]
    extra = [k for k in indexed if k not in expected]
    report.update(missing=len(missing), stale=len(stale), extra=len(extra), state="ok")
    if repair and (missing or stale or extra):
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        with gate(app):
            built = build_documents(missing + stale)
            db.session.commit()
        backend.repair([d for d in built.values() if d is not None], extra)
    return report


def document_count() -> int:
    return sum(source.count() for source in sources().values())
