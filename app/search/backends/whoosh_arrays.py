"""Whoosh searches computed on arrays: the results page's work in a few numpy operations.

Whoosh's own searcher walks every match in Python, once to rank (BM25F per document,
reading each field length) and once more to count and facet: 20 to 90 ms for a query
matching a tenth of 100k posts. Here the index is only *read* through Whoosh:

- each immutable segment's per-document columns (field lengths, type, place, author,
  visibility, created) are read once into arrays, cached by segment id (a new generation
  reads only its new small segments);
- each query term's postings are read block by block (ids and weights) into arrays;
- the query is then a boolean mask over the generation's documents (AND of the terms,
  minus the exclusions, within the viewer's readable scopes, live documents only) and a
  score array (Whoosh's BM25F formula and statistics, title and body summed), so the
  exact total, every facet's exact counts (`bincount`) and the ranked first page come
  from the same arrays, and stored fields are read for the displayed hits only.

Quoted phrases use the `title_pairs`/`body_pairs` fields (each pair of neighbouring
terms, indexed at write time), so a two-word phrase is one postings list instead of a
position check per candidate; longer phrases are the pairs' AND, confirmed by Whoosh's
phrase matcher on those candidates only.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from whoosh import query as Q
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.util.times import datetime_to_long

from app.search.query import ParsedQuery

B, K1 = 0.75, 1.2  # Whoosh's BM25F defaults (the scorer the index was searched with)
TEXT_FIELDS = ("title", "body")
PAIR_FIELDS = {"title": "title_pairs", "body": "body_pairs"}
CODED = ("type", "place", "author")


def pair_terms(terms: list[str]) -> list[str]:
    """The pair terms of a phrase's terms: ["sleep", "bag"] -> ["sleep bag"]."""
    return [f"{a} {b}" for a, b in itertools.pairwise(terms)]


class Vocabulary:
    """Values of a column as small integer codes, shared by every segment (grow-only)."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}
        self.values: list[str] = []
        self._lock = threading.Lock()

    def code(self, value: str) -> int:
        found = self.codes.get(value)
        if found is None:
            with self._lock:
                found = self.codes.setdefault(value, len(self.values))
                if found == len(self.values):
                    self.values.append(value)
        return found


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


@dataclass
class SegmentArrays:
    lengths: dict[str, np.ndarray]
    coded: dict[str, np.ndarray]
    visibility: np.ndarray
    created: np.ndarray


def _segment_arrays(reader, vocabularies: dict[str, Vocabulary]) -> SegmentArrays:  # type: ignore[no-untyped-def]
    n = reader.doc_count_all()
    lengths = {
        f: np.fromiter((reader.doc_field_length(d, f, 1) for d in range(n)), np.float32, n)
        for f in (*TEXT_FIELDS, *PAIR_FIELDS.values())
    }
    coded = {}
    for name in CODED:
        vocabulary = vocabularies[name]
        column = reader.column_reader(name, translate=False)
        coded[name] = np.fromiter((vocabulary.code(_text(v)) for v in column), np.int32, n)
    created = np.fromiter(reader.column_reader("created", translate=False), np.int64, n)
    # Visibility is not a column: each scope's postings say which documents it holds.
    visibility = np.full(n, -1, np.int32)
    for scope in reader.lexicon("visibility"):
        ids, _weights = _postings(reader, "visibility", scope)
        visibility[ids] = vocabularies["visibility"].code(_text(scope))
    return SegmentArrays(lengths, coded, visibility, created)


def _postings(reader, field: str, text) -> tuple[np.ndarray, np.ndarray]:  # type: ignore[no-untyped-def]
    """Document numbers and weights of one term in one segment (deleted ones included)."""
    if (field, text) not in reader:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    matcher = reader.postings(field, text)
    if isinstance(matcher, FilterMatcher):  # deletions: masked by `live` instead
        matcher = matcher.child
    ids: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if isinstance(matcher, W3LeafMatcher) and not matcher._byteids:
        # Block by block: the ids are stored as deltas, the weights as an array.
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw_ids, raw_weights = matcher._data[0], matcher._data[1]
            count = matcher._blocklength
            ids.append(np.cumsum(np.asarray(raw_ids, dtype=np.int64)))
            if raw_weights is None:
                weights.append(np.ones(count, np.float32))
            elif isinstance(raw_weights, float):
                weights.append(np.full(count, raw_weights, np.float32))
            else:
                weights.append(np.asarray(raw_weights, dtype=np.float32))
            matcher._next_block()
    else:  # any other postings format: one at a time
        one_ids, one_weights = [], []
        while matcher.is_active():
            one_ids.append(matcher.id())
            one_weights.append(matcher.weight())
            matcher.next()
        ids.append(np.asarray(one_ids, dtype=np.int64))
        weights.append(np.asarray(one_weights, dtype=np.float32))
    if not ids:
        return np.empty(0, np.int64), np.empty(0, np.float32)
    return np.concatenate(ids), np.concatenate(weights)


def _segment_key(reader) -> object:  # type: ignore[no-untyped-def]
    segment = reader.segment() if hasattr(reader, "segment") else None
    return segment.segment_id() if segment is not None else id(reader)


class Generation:
    """One searcher's documents as arrays (segments concatenated at their offsets)."""

    def __init__(self, searcher, segments: dict, vocabularies: dict[str, Vocabulary]) -> None:  # type: ignore[no-untyped-def]
        self.searcher = searcher
        self.vocabularies = vocabularies
        self.leaves = [(sub.reader(), offset) for sub, offset in searcher.leaf_searchers()]
        self.size = searcher.doc_count_all()
        parts = []
        live = np.ones(self.size, bool)
        for reader, offset in self.leaves:
            key = _segment_key(reader)
            arrays = segments.get(key)
            if arrays is None:
                arrays = segments[key] = _segment_arrays(reader, vocabularies)
            parts.append(arrays)
            deleted = getattr(reader, "deleted_docs_set", None) or ()
            if deleted:
                live[offset + np.fromiter(deleted, np.int64, len(deleted))] = False
        self.live = live

        def joined(pick, dtype):  # type: ignore[no-untyped-def]
            return np.concatenate([pick(p) for p in parts]) if parts else np.empty(0, dtype)

        self.lengths = {
            f: joined(lambda p, f=f: p.lengths[f], np.float32)
            for f in (*TEXT_FIELDS, *PAIR_FIELDS.values())
        }
        self.coded = {c: joined(lambda p, c=c: p.coded[c], np.int32) for c in CODED}
        self.visibility = joined(lambda p: p.visibility, np.int32)
        self.created = joined(lambda p: p.created, np.int64)
        self.used_segments = {_segment_key(reader) for reader, _o in self.leaves}

    # --- building blocks -------------------------------------------------------------

    def term(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Mask and BM25F score of one term in one field, over the whole generation."""
        mask = np.zeros(self.size, bool)
        score = np.zeros(self.size, np.float32)
        found = False
        for reader, offset in self.leaves:
            ids, weights = _postings(reader, field, text)
            if len(ids):
                found = True
                mask[ids + offset] = True
                score[ids + offset] = weights
        if not found:
            return mask, score
        idf = self.searcher.idf(field, text)
        average = self.searcher.avg_field_length(field) or 1
        weights = score[mask]
        lengths = self.lengths[field][mask]
        norm = K1 * ((1 - B) + B * lengths / average)
        score[mask] = idf * (weights * (K1 + 1)) / (weights + norm)
        return mask, score

    def clause(self, terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """A word (one term) or a phrase (several), in the title or the body."""
        mask = np.zeros(self.size, bool)
        score = np.zeros(self.size, np.float32)
        for field in TEXT_FIELDS:
            if len(terms) == 1:
                m, s = self.term(field, terms[0])
            else:
                m, s = np.ones(self.size, bool), np.zeros(self.size, np.float32)
                for pair in pair_terms(terms):
                    pm, ps = self.term(PAIR_FIELDS[field], pair)
                    m &= pm
                    s += ps
                if len(terms) > 2 and m.any():
                    # Pairs can be apart ("a b ... b c"): the positions decide, on the
                    # candidates only.
                    m &= self._phrase_docs(field, terms)
                s = np.where(m, s, 0)
            mask |= m
            score += s
        return mask, score

    def _phrase_docs(self, field: str, terms: list[str]) -> np.ndarray:
        mask = np.zeros(self.size, bool)
        docs = list(self.searcher.docs_for_query(Q.Phrase(field, terms)))
        mask[np.asarray(docs, dtype=np.int64)] = True
        return mask

    def equals(self, column: str, value: str) -> np.ndarray:
        code = self.vocabularies[column].codes.get(value)
        if code is None:
            return np.zeros(self.size, bool)
        return self.coded[column] == code

    def readable(self, scopes: set[str]) -> np.ndarray:
        vocabulary = self.vocabularies["visibility"]
        table = np.zeros(len(vocabulary.values) + 1, bool)  # the last one: no scope (-1)
        for scope in scopes:
            if (code := vocabulary.codes.get(scope)) is not None:
                table[code] = True
        return table[self.visibility] & self.live

    def since(self, moment: datetime) -> np.ndarray:
        return self.created >= datetime_to_long(moment)

    def until(self, moment: datetime) -> np.ndarray:
        return self.created <= datetime_to_long(moment)

    # --- a query ---------------------------------------------------------------------

    def text(self, query: ParsedQuery) -> tuple[np.ndarray, np.ndarray]:
        """The words' mask and score (every document, unscored, without words)."""
        clauses = [[t] for t in query.terms] + list(query.phrases)
        if clauses:
            mask = np.zeros(self.size, bool) if query.match_any else np.ones(self.size, bool)
            score = np.zeros(self.size, np.float32)
            for terms in clauses:
                m, s = self.clause(terms)
                if query.match_any:
                    mask |= m
                else:
                    mask &= m
                score += s
        else:
            mask, score = np.ones(self.size, bool), np.zeros(self.size, np.float32)
        for terms in [[t] for t in query.excluded_terms] + list(query.excluded_phrases):
            if mask.any():
                mask &= ~self.clause(terms)[0]
        return mask, score

    def facets(self, mask: np.ndarray, date_starts: dict[str, datetime]) -> dict:
        out: dict[str, dict[str, int]] = {}
        for column in CODED:
            values = self.vocabularies[column].values
            counts = np.bincount(self.coded[column][mask], minlength=len(values))
            out[column] = {values[i]: int(counts[i]) for i in np.flatnonzero(counts)}
        created = self.created[mask]
        out["date"] = {}
        for name, start in date_starts.items():
            if count := int(np.count_nonzero(created >= datetime_to_long(start))):
                out["date"][name] = count
        return out

    def top(self, mask: np.ndarray, score: np.ndarray | None, limit: int) -> np.ndarray:
        """Document numbers of the `limit` best (by score, else newest), in order."""
        docs = np.flatnonzero(mask)
        if not len(docs) or limit <= 0:
            return docs[:0]
        # Best score first (newest first without one); equal ones by document number.
        key = score[docs] if score is not None else self.created[docs]
        if len(docs) > limit:
            # Everything at least as good as the `limit`-th best, then an exact sort.
            threshold = np.partition(key, len(docs) - limit)[len(docs) - limit]
            keep = key >= threshold
            docs, key = docs[keep], key[keep]
        order = np.lexsort((docs, -key))
        return docs[order][:limit]
