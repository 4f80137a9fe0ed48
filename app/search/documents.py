"""What the index holds, and the registry of the areas' document sources.

Every searchable area has one `Source` (forums now; ideas and polls when they arrive),
listed in `app/search/sources/__init__.py`. A source lives in `app/search/sources/`
and reads its area through that area's models and readability rule: search sits above
the areas (it may import them; they never import search), so no arrow runs back up and
no import circle can form. Keys are `"<source>:<id>"`, e.g. `post:42`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app

_SOURCES_KEY = "cercle_search_sources"


@dataclass(frozen=True)
class Document:
    """One searchable thing. `visibility` is the scope a viewer must be able to read
    (e.g. `category:3`); `place` is where it lives, for the facet and the result line."""

    key: str
    type: str
    doc_id: int
    parent_id: int | None
    title: str
    body: str
    author: str
    author_id: int | None
    place: str
    visibility: str
    created: datetime
    tags: tuple[str, ...] = ()

    @property
    def digest(self) -> str:
        """A fingerprint of everything indexed: `flask search verify` compares these."""
        parts = [
            self.type,
            str(self.doc_id),
            str(self.parent_id),
            self.title,
            self.body,
            self.author,
            str(self.author_id),
            self.place,
            self.visibility,
            self.created.replace(microsecond=0, tzinfo=None).isoformat(),
            ",".join(self.tags),
        ]
        return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Shown:
    """What a result line shows of a document, for one viewer."""

    url: str
    title: str
    place_label: str
    author_name: str
    author_username: str


@dataclass(frozen=True)
class Source:
    """An area's documents: how to build them, list them, and show them to a viewer.

    - `build(ids)` returns a Document per id, or None when it must leave the index
      (deleted, or gone);
    - `ids_after(last_id, limit)` pages through every id (rebuild and verify);
    - `scopes(viewer)` are the visibility scopes the viewer may read, applied inside the
      query so nothing else is returned, counted or highlighted;
    - `places(viewer, locale)` names the places the viewer may filter on, by `place`;
    - `show(ids, viewer, locale)` loads what result lines display, in one or two
      queries, dropping anything the viewer may no longer see.
    """

    name: str
    types: tuple[str, ...]
    build: Callable[[list[int]], dict[int, Document | None]]
    ids_after: Callable[[int, int], list[int]]
    scopes: Callable[[Any], set[str]]
    places: Callable[[Any, str], dict[str, str]]
    show: Callable[[list[int], Any, str], dict[int, Shown]]
    resolve_place: Callable[[Any, str], str | None] = field(default=lambda viewer, slug: None)
    count: Callable[[], int] = field(default=lambda: 0)


def register_source(app: Flask, source: Source) -> None:
    sources: dict[str, Source] = app.extensions.setdefault(_SOURCES_KEY, {})
    if source.name in sources:
        raise ValueError(f"search source {source.name!r} is already registered")
    sources[source.name] = source


def sources() -> dict[str, Source]:
    return current_app.extensions.get(_SOURCES_KEY, {})


def key_of(source: str, doc_id: int) -> str:
    return f"{source}:{doc_id}"


def split_key(key: str) -> tuple[str, int]:
    name, _, raw = key.partition(":")
    return name, int(raw)


def build_documents(keys: Iterable[str]) -> dict[str, Document | None]:
    """Documents for `keys` (None: remove from the index), one query batch per source."""
    by_source: dict[str, list[int]] = {}
    for key in keys:
        name, doc_id = split_key(key)
        by_source.setdefault(name, []).append(doc_id)
    out: dict[str, Document | None] = {}
    known = sources()
    for name, ids in by_source.items():
        source = known.get(name)
        built = source.build(ids) if source else {}
        for doc_id in ids:
            out[key_of(name, doc_id)] = built.get(doc_id)
    return out


def readable_scopes(viewer: Any) -> set[str]:
    scopes: set[str] = set()
    for source in sources().values():
        scopes |= source.scopes(viewer)
    return scopes
