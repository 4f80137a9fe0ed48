"""The search backend interface, and the configured implementation.

Two implementations of one small interface, chosen by SEARCH_BACKEND:

- `whoosh` (default): a Whoosh index in SEARCH_INDEX_DIR on this host's disk, written by
  one writer at a time under a file lock;
- `postgres`: PostgreSQL full-text search over the `search_documents` table, when
  several hosts must share the index.

Both receive the same parsed query (app.search.query) and analysed terms
(app.search.analysis), so they find the same documents; the permission scopes are part
of every query they run, so nothing the viewer may not read is returned or counted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from flask import current_app

from app.search.documents import Document
from app.search.query import ParsedQuery

_KEY = "cercle_search_backend"


class SearchUnavailable(Exception):
    """The index cannot answer (missing or damaged): pages explain, nothing crashes."""

    def __init__(self, state: str) -> None:
        super().__init__(state)
        self.state = state


@dataclass
class SearchRequest:
    query: ParsedQuery
    scopes: set[str]
    # From the query's `author:` / `in:` (they narrow the facets too).
    query_author: str | None = None
    query_place: str | None = None
    # From the filter form (the facets stay those of the query, to move between them).
    type: str | None = None
    place: str | None = None
    author: str | None = None
    date_from: datetime | None = None
    date_to: datetime | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    with_facets: bool = True
    now: datetime | None = None


@dataclass
class Hit:
    key: str
    type: str
    doc_id: int
    parent_id: int | None
    title: str
    body: str
    author: str
    created: datetime


@dataclass
class RawResults:
    total: int
    hits: list[Hit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


DATE_RANGES = {"week": 7, "month": 31, "year": 366}


class Backend(Protocol):
    name: str

    def status(self) -> dict: ...

    def search(self, request: SearchRequest) -> RawResults: ...

    def count(self, request: SearchRequest) -> int: ...

    def corrections(self, words: list[str]) -> dict[str, str]: ...

    def drain(self, limit: int) -> int: ...

    def rebuild(self, progress: Callable[[int], None] | None = None) -> int: ...

    def digests(self) -> dict[str, str]: ...

    def repair(self, upserts: list[Document], deletes: list[str]) -> None: ...


def get_backend() -> Backend:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    name = app.config.get("SEARCH_BACKEND", "whoosh")
    cached = app.extensions.get(_KEY)
    if cached is not None and cached[0] == (name, app.config.get("SEARCH_INDEX_DIR")):
        return cached[1]
    if name == "postgres":
        from app.search.backends.postgres import PostgresBackend

        backend: Backend = PostgresBackend()
    elif name == "whoosh":
        from app.search.backends.whoosh import WhooshBackend

        backend = WhooshBackend(app.config["SEARCH_INDEX_DIR"])
    else:
        raise ValueError(f"SEARCH_BACKEND must be whoosh or postgres, not {name!r}")
    app.extensions[_KEY] = ((name, app.config.get("SEARCH_INDEX_DIR")), backend)
    return backend
