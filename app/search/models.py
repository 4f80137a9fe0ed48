"""Search tables: the queue of documents to (re)index, and the PostgreSQL backend's copy.

`search_queue` is written by the durable subscriber in the worker's transaction (so a
crash never loses an update) and drained into the index by one writer at a time. Each
row is one document key; `version` grows with every new request for that document, and
the drainer deletes a row only if its version is still the one it read, so a change
that arrives while the document is being indexed is indexed again, never dropped.

`search_documents` is only used by the PostgreSQL backend (SEARCH_BACKEND=postgres): the
documents with their analysed terms, searched with a GIN full-text index.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.time import utcnow
from app.extensions import db


class SearchQueueItem(db.Model):
    __tablename__ = "search_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_key: Mapped[str] = mapped_column(String(80), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    queued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


# The weighted full-text vector: title terms A, body terms B (searched with `@@`).
VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B')"
)


class SearchDocument(db.Model):
    __tablename__ = "search_documents"
    __table_args__ = (
        Index("ix_search_documents_visibility_created", "visibility", "created_at"),
        Index("ix_search_documents_author", "author"),
        # PostgreSQL only: SQLite has the table (same schema everywhere) but no vector.
        Index("ix_search_documents_vector", text(f"({VECTOR})"), postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
    )

    doc_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    type: Mapped[str] = mapped_column(String(20))
    doc_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    parent_id: Mapped[int | None] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    title: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(40), default="")
    author_id: Mapped[int | None] = mapped_column(Integer)
    place: Mapped[str] = mapped_column(String(60), default="")
    visibility: Mapped[str] = mapped_column(String(60), default="")
    tags: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    digest: Mapped[str] = mapped_column(String(40))
    # The analysed terms (app.search.analysis), space-separated: what the GIN index reads.
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
