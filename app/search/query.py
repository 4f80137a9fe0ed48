"""The search box's little language, parsed once and handed to any backend.

`word`, `"a quoted phrase"`, `-excluded`, `-"excluded phrase"`, `author:name` and
`in:category`. Everything else (Whoosh or tsquery operators, brackets, stars...) is just
text: words are taken out of it, so no input can become query syntax. A query that is
too long is cut; an unbalanced quote reads as if it were closed at the end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.search.analysis import terms, words

MAX_QUERY_CHARS = 300
MAX_TERMS = 16

_TOKEN = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
_FILTER = re.compile(r"^(author|in|by|dans|par):(.*)$", re.IGNORECASE)


@dataclass
class ParsedQuery:
    text: str
    terms: list[str] = field(default_factory=list)
    phrases: list[list[str]] = field(default_factory=list)
    excluded_terms: list[str] = field(default_factory=list)
    excluded_phrases: list[list[str]] = field(default_factory=list)
    author: str | None = None
    place_slug: str | None = None
    # Any term rather than all of them (the composer's "similar discussions").
    match_any: bool = False
    # Folded words as typed, for "did you mean".
    words: list[str] = field(default_factory=list)
    # Notices for the page: "shortened", "empty_author", "empty_in", "only_common".
    notices: list[str] = field(default_factory=list)

    @property
    def has_text(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def is_empty(self) -> bool:
        """Nothing to look for (exclusions alone select nothing)."""
        return not (self.has_text or self.author or self.place_slug)

    def positive_terms(self) -> set[str]:
        found = set(self.terms)
        for phrase in self.phrases:
            found.update(phrase)
        return found


def _add_unique(target: list, value: object) -> None:
    if value and value not in target:
        target.append(value)


def parse(raw: str | None) -> ParsedQuery:
    text = (raw or "").replace("\x00", " ").strip()
    query = ParsedQuery(text=text)
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        query.text = text
        query.notices.append("shortened")
    had_words = False
    for match in _TOKEN.finditer(text):
        negative, quoted, bare = match.group(1) == "-", match.group(2), match.group(3)
        if quoted is not None:
            stems = terms(quoted)
            had_words = had_words or bool(quoted.strip())
            if len(stems) == 1:
                _add_unique(query.excluded_terms if negative else query.terms, stems[0])
            elif stems:
                _add_unique(query.excluded_phrases if negative else query.phrases, stems)
            if not negative:
                query.words.extend(words(quoted))
            continue
        filter_match = _FILTER.match(bare) if not negative else None
        if filter_match:
            name, value = filter_match.group(1).lower(), filter_match.group(2).strip().strip('"')
            if name in ("author", "by", "par"):
                if value:
                    query.author = value.lstrip("@").lower()[:40]
                else:
                    _add_unique(query.notices, "empty_author")
            else:
                if value:
                    query.place_slug = value.lower()[:80]
                else:
                    _add_unique(query.notices, "empty_in")
            continue
        stems = terms(bare)
        had_words = had_words or any(ch.isalnum() for ch in bare)
        for stem in stems:
            _add_unique(query.excluded_terms if negative else query.terms, stem)
        if not negative:
            query.words.extend(words(bare))
    query.terms = query.terms[:MAX_TERMS]
    query.phrases = [p[:MAX_TERMS] for p in query.phrases[:4]]
    query.excluded_terms = query.excluded_terms[:MAX_TERMS]
    query.excluded_phrases = query.excluded_phrases[:4]
    if had_words and not query.has_text and not query.excluded_terms and query.is_empty:
        query.notices.append("only_common")
    return query
