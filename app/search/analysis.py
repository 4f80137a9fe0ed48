"""Text analysis shared by every backend: one way to turn words into index terms.

English and French are analysed together, since a post rarely says which it is in:
lower case, accents folded, stop words of both languages dropped, then the French
Snowball stemmer followed by the English one. The composition is deterministic, so a
word and its variants in either language meet on one term ("vélo électrique" and "velos
electriques" both give `velo electr`; "running shoes" and "run in these shoe" both give
`run sho`). Whoosh indexes these terms through `ANALYZER`; the PostgreSQL backend stores
the same terms as text and lets `to_tsvector('simple', ...)` count them, so both
backends find exactly the same documents.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import CharsetFilter, Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language
from whoosh.support.charset import accent_map

# Letters and digits (no underscore: PostgreSQL's parser splits on it too).
_WORD = r"[^\W_]+(?:['’][^\W_]+)*"
# "l'eau", "d’été": the elided article goes, the word stays.
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu)['’]", re.IGNORECASE)
MAX_TOKEN_CHARS = 40

_STOP = frozenset(stopwords_for_language("en")) | frozenset(stopwords_for_language("fr"))
_stem_fr = stemmer_for_language("fr")
_stem_en = stemmer_for_language("en")


def fold(word: str) -> str:
    """Lower case without accents: "Été" -> "ete"."""
    return word.lower().translate(accent_map)


@lru_cache(maxsize=100_000)
def stem(word: str) -> str | None:
    """The index term of one word, or None for a stop word or noise."""
    word = _ELISION.sub("", word)
    folded = fold(word)
    if not folded or len(folded) > MAX_TOKEN_CHARS or folded in _STOP:
        return None
    folded = folded.replace("'", "").replace("’", "")
    if folded.isdigit():
        return folded
    return _stem_en(_stem_fr(folded)) or folded


class _BilingualStem(Filter):
    """Replace each token's text by its term; drop stop words (positions keep their gaps)."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        # Positions are counted without the stop words, as in `terms()`: a quoted phrase
        # matches across a dropped "in" or "de" the same way on both backends.
        position = 0
        for token in tokens:
            term = stem(token.text)
            if term is None:
                continue
            token.text = term
            token.pos = position
            position += 1
            yield token


class _Pairs(Filter):
    """Each pair of neighbouring terms as one term ("sleep bag"): quoted phrases of two
    words become one postings list (app.search.backends.whoosh_arrays)."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        previous = None
        for token in tokens:
            text = token.text
            if previous is not None:
                token.text = f"{previous} {text}"
                yield token
            previous = text


ANALYZER = RegexTokenizer(_WORD) | _BilingualStem()
PAIRS_ANALYZER = ANALYZER | _Pairs()
# Words as typed, folded, for "did you mean" (stems would suggest "electr").
SPELL_ANALYZER = (
    RegexTokenizer(_WORD)
    | LowercaseFilter()
    | CharsetFilter(accent_map)
    | StopFilter(stoplist=_STOP, minsize=3, maxsize=MAX_TOKEN_CHARS)
)


def terms(text: str) -> list[str]:
    """The index terms of `text`, in order."""
    return [t for t in (stem(m.group()) for m in re.finditer(_WORD, text)) if t]


def words(text: str) -> list[str]:
    """Folded words of `text` that carry meaning (no stop words), for spelling."""
    out = []
    for match in re.finditer(_WORD, text):
        word = fold(_ELISION.sub("", match.group()))
        if 2 < len(word) <= MAX_TOKEN_CHARS and word not in _STOP and not word.isdigit():
            out.append(word)
    return out


def spans(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, term) of every word of `text` that has a term (for highlighting)."""
    for match in re.finditer(_WORD, text):
        term = stem(match.group())
        if term:
            yield match.start(), match.end(), term


_MARKDOWN_NOISE = [
    (re.compile(r"```.*?```", re.DOTALL), " "),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"^\s{0,3}(?:#{1,6}|>+|[-*+]|\d+\.)\s+", re.MULTILINE), ""),
    (re.compile(r"[*_`~]{1,3}"), ""),
    (re.compile(r"\s+"), " "),
]


def plain_text(markdown: str) -> str:
    """Readable text of a Markdown source: what snippets show (escaped when rendered)."""
    text = markdown
    for pattern, replacement in _MARKDOWN_NOISE:
        text = pattern.sub(replacement, text)
    return text.strip()


def typos(a: str, b: str) -> int:
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
