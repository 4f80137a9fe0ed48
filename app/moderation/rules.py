"""Watched words: a safe, fast matcher over staff-written words and phrases.

A pattern is one or more words; `*` inside a word stands for any run of letters or digits
(`spam*`, `*coin`, `f*ck`). Nothing a user writes is ever compiled as a regular
expression: the text is cut once into words (one linear `\\w+` scan), and each pattern
word is matched against one text word by literal pieces found in order with `str.find`
(a `*`-only glob has no backtracking to speak of: the leftmost match of each piece is
always the right one), in time linear in the word's length. Exact words go through a
dict, `prefix*` words through a dict per prefix length, so 1,000 watched words cost about
what a handful do.

The compiled rules are cached per rules version (the table's count and highest id, one
small query) and rebuilt when staff add or remove a word, in every process.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.moderation.models import WatchedWord

_WORD = re.compile(r"\w+")
# Words longer than this are cut for matching: nothing a moderator watches is this long,
# and it bounds the work a single huge "word" can cost.
MAX_WORD = 100
MAX_PATTERN_WORDS = 8


def _fold(text: str) -> str:
    """Lower case without accents: `Späm` is watched by `spam`."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def pattern_words(pattern: str) -> list[str]:
    """The pattern cut into words the way texts are (a `*` stays inside its word)."""
    words = []
    for raw in _fold(pattern).split():
        pieces = [p for p in re.split(r"[^\w*]+", raw) if p]
        words.extend(re.sub(r"\*+", "*", p) for p in pieces)
    return words


def pattern_error(pattern: str) -> str | None:
    """Why a pattern cannot be watched (in English: the service translates), or None."""
    words = pattern_words(pattern)
    if not words:
        return "empty"
    if len(words) > MAX_PATTERN_WORDS:
        return "too_many_words"
    if (
        any(len(w.replace("*", "")) < 1 for w in words)
        or sum(len(w.replace("*", "")) for w in words) < 2
    ):
        return "too_short"
    return None


class _WordGlob:
    """One pattern word with `*`: literal pieces that must appear in order."""

    __slots__ = ("anchored_end", "anchored_start", "pieces")

    def __init__(self, word: str) -> None:
        self.pieces = [p for p in word.split("*") if p]
        self.anchored_start = not word.startswith("*")
        self.anchored_end = not word.endswith("*")

    def matches(self, token: str) -> bool:
        pieces = self.pieces
        start, end = 0, len(token)
        if self.anchored_start:
            if not token.startswith(pieces[0]):
                return False
            start = len(pieces[0])
            pieces = pieces[1:]
        if self.anchored_end and pieces:
            if not token.endswith(pieces[-1]) or end - len(pieces[-1]) < start:
                return False
            end -= len(pieces[-1])
            pieces = pieces[:-1]
        elif self.anchored_end and start != end:
            return False
        for piece in pieces:
            found = token.find(piece, start, end)
            if found < 0:
                return False
            start = found + len(piece)
        return True


def _word_matcher(word: str) -> str | _WordGlob:
    return word if "*" not in word else _WordGlob(word)


def _word_matches(matcher: str | _WordGlob, token: str) -> bool:
    return matcher == token if isinstance(matcher, str) else matcher.matches(token)


@dataclass(frozen=True)
class Rule:
    id: int
    pattern: str
    action: str
    replacement: str
    words: tuple[str | _WordGlob, ...]


@dataclass(frozen=True)
class Match:
    rule: Rule
    start: int
    end: int


@dataclass
class RuleResult:
    """Every watched word found, by action; `text` with the `replace` words replaced."""

    text: str
    matches: list[Match] = field(default_factory=list)

    def _of(self, action: str) -> list[Match]:
        return [m for m in self.matches if m.rule.action == action]

    @property
    def block(self) -> list[Match]:
        return self._of("block")

    @property
    def hold(self) -> list[Match]:
        return self._of("hold")

    @property
    def flag(self) -> list[Match]:
        return self._of("flag")

    @property
    def replaced(self) -> bool:
        return bool(self._of("replace"))

    def words(self, action: str) -> list[str]:
        return sorted({m.rule.pattern for m in self._of(action)})


class CompiledRules:
    """Rules indexed by their first word: exact words in a dict; a word starting with
    letters (`tent*`, `f*k`) in a dict of its first letters per length, one ending with
    letters (`*coin`) in a dict of its last letters per length; only `*x*` words are
    tried on every word. A candidate is then checked whole."""

    def __init__(self, rules: list[Rule]) -> None:
        self.exact: dict[str, list[Rule]] = defaultdict(list)
        self.prefixed: dict[int, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
        self.suffixed: dict[int, dict[str, list[Rule]]] = defaultdict(lambda: defaultdict(list))
        self.general: list[Rule] = []
        for rule in rules:
            first = rule.words[0]
            if isinstance(first, str):
                self.exact[first].append(rule)
            elif first.anchored_start:
                prefix = first.pieces[0]
                self.prefixed[len(prefix)][prefix].append(rule)
            elif first.anchored_end:
                suffix = first.pieces[-1]
                self.suffixed[len(suffix)][suffix].append(rule)
            else:
                self.general.append(rule)
        self.prefix_lengths = sorted(self.prefixed)
        self.suffix_lengths = sorted(self.suffixed)
        # A word whose first (last) letters start no prefix (end no suffix) skips the loop.
        self.head = min(self.prefix_lengths, default=0)
        self.heads = {p[: self.head] for by in self.prefixed.values() for p in by}
        self.tail = min(self.suffix_lengths, default=0)
        self.tails = {x[len(x) - self.tail :] for by in self.suffixed.values() for x in by}
        self.empty = not rules

    def _candidates(self, token: str) -> list[Rule]:
        found = list(self.exact.get(token, ()))
        size = len(token)
        prefixes = self.prefix_lengths if token[: self.head] in self.heads else ()
        for length in prefixes:
            if length > size:
                break
            for rule in self.prefixed[length].get(token[:length], ()):
                if rule.words[0].matches(token):  # type: ignore[union-attr]
                    found.append(rule)
        suffixes = self.suffix_lengths if token[size - self.tail :] in self.tails else ()
        for length in suffixes:
            if length > size:
                break
            for rule in self.suffixed[length].get(token[size - length :], ()):
                if rule.words[0].matches(token):  # type: ignore[union-attr]
                    found.append(rule)
        found.extend(r for r in self.general if r.words[0].matches(token))  # type: ignore[union-attr]
        return found

    def check(self, text: str) -> RuleResult:
        result = RuleResult(text=text)
        if self.empty or not text:
            return result
        folded = _fold(text)
        spans: list[tuple[int, int]] | None = None
        if len(folded) == len(text):
            tokens = _WORD.findall(folded)  # one C-level scan
        else:  # folding changed lengths (ligatures, ß): fold word by word
            spans = [m.span() for m in _WORD.finditer(text)]
            tokens = [_fold(text[a:b]) for a, b in spans]
        if tokens and max(map(len, tokens)) > MAX_WORD:
            tokens = [t[:MAX_WORD] for t in tokens]
        count = len(tokens)
        seen: dict[str, list[Rule]] = {}  # a post repeats its words: look each up once
        found: list[tuple[int, int, Rule]] = []
        for i, token in enumerate(tokens):
            candidates = seen.get(token)
            if candidates is None:
                candidates = seen[token] = self._candidates(token)
            for rule in candidates:
                n = len(rule.words)
                if n == 1:
                    found.append((i, i, rule))
                elif i + n <= count and all(
                    _word_matches(rule.words[k], tokens[i + k]) for k in range(1, n)
                ):
                    found.append((i, i + n - 1, rule))
        if found:
            if spans is None:
                spans = [m.span() for m in _WORD.finditer(folded)]
            result.matches = [Match(rule, spans[a][0], spans[b][1]) for a, b, rule in found]
        replacements = [m for m in result.matches if m.rule.action == "replace"]
        if replacements:
            out, last = [], 0
            for match in sorted(replacements, key=lambda m: (m.start, -m.end)):
                if match.start < last:
                    continue  # overlapping the previous replacement
                out.append(text[last : match.start])
                out.append(match.rule.replacement)
                last = match.end
            out.append(text[last:])
            result.text = "".join(out)
        return result


def compile_rules(rows: list[tuple[int, str, str, str]]) -> CompiledRules:
    """(id, pattern, action, replacement) rows to a matcher; invalid patterns are skipped."""
    rules = []
    for rule_id, pattern, action, replacement in rows:
        if pattern_error(pattern):
            continue
        words = tuple(_word_matcher(w) for w in pattern_words(pattern))
        rules.append(Rule(rule_id, pattern, action, replacement or "", words))
    return CompiledRules(rules)


_cache: dict[tuple, CompiledRules] = {}
_cache_lock = threading.Lock()


def _version() -> tuple:
    """The rules' version: count, highest id and latest creation (an add or a remove
    changes at least one, even when SQLite reuses a removed row's id)."""
    count, highest, latest = db.session.execute(
        select(
            func.count(WatchedWord.id),
            func.coalesce(func.max(WatchedWord.id), 0),
            func.max(WatchedWord.created_at),
        )
    ).one()
    return int(count), int(highest), str(latest)


def current_rules() -> CompiledRules:
    """The compiled rules of the database's current version (built once per version)."""
    key = (str(db.engine.url), *_version())
    rules = _cache.get(key)
    if rules is None:
        rows = db.session.execute(
            select(
                WatchedWord.id, WatchedWord.pattern, WatchedWord.action, WatchedWord.replacement
            ).order_by(WatchedWord.id)
        ).all()
        rules = compile_rules([tuple(r) for r in rows])
        with _cache_lock:
            for old in [k for k in _cache if k[0] == key[0]]:
                del _cache[old]
            _cache[key] = rules
    return rules


def check(text: str) -> RuleResult:
    """Every watched word in `text` (block, hold, flag, replace), with replacements made."""
    return current_rules().check(text)


# --- staff services ----------------------------------------------------------------------

ACTIONS = ("block", "hold", "flag", "replace")


def _pattern_message(code: str) -> str:
    from flask_babel import gettext as _

    return {
        "empty": _("Write a word or a phrase."),
        "too_many_words": _("A phrase has at most %(n)d words.", n=MAX_PATTERN_WORDS),
        "too_short": _("Give at least two letters besides the * wildcards."),
    }[code]


def add_watched_word(actor, pattern: str, action: str, replacement: str = "") -> WatchedWord:  # type: ignore[no-untyped-def]
    """Staff watch a word or phrase (`*` wildcards only, never a regular expression).
    Watching the same pattern with the same action again changes nothing. Audited."""
    from flask_babel import gettext as _

    from app.core.db import unit_of_work
    from app.core.errors import Invalid, PermissionDenied
    from app.moderation.subscribers import record

    if not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied(_("Only the community team can manage watched words."))
    pattern = " ".join((pattern or "").split()).lower()
    replacement = " ".join((replacement or "").split())
    errors = {}
    if code := pattern_error(pattern):
        errors["pattern"] = _pattern_message(code)
    elif len(pattern) > 100:
        errors["pattern"] = _("At most %(n)d characters.", n=100)
    if action not in ACTIONS:
        errors["action"] = _("Choose what happens to a post containing it.")
    elif action == "replace" and not replacement:
        errors["replacement"] = _("Say what replaces the word.")
    if len(replacement) > 100:
        errors["replacement"] = _("At most %(n)d characters.", n=100)
    if errors:
        raise Invalid(errors)
    with unit_of_work():
        existing = db.session.scalar(
            select(WatchedWord).where(WatchedWord.pattern == pattern, WatchedWord.action == action)
        )
        if existing is not None:
            return existing
        word = WatchedWord(
            pattern=pattern,
            action=action,
            replacement=replacement if action == "replace" else "",
            created_by_id=actor.id,
        )
        db.session.add(word)
        db.session.flush()
        record(
            actor.id,
            "watched_word_added",
            "watched_word",
            word.id,
            before=None,
            after={"pattern": pattern, "action": action, "replacement": word.replacement},
        )
    return word


def remove_watched_word(actor, word_id: int) -> bool:  # type: ignore[no-untyped-def]
    """Staff stop watching a word (False when it was already gone). Audited."""
    from flask_babel import gettext as _

    from app.core.db import unit_of_work
    from app.core.errors import PermissionDenied
    from app.moderation.subscribers import record

    if not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied(_("Only the community team can manage watched words."))
    with unit_of_work():
        word = db.session.get(WatchedWord, word_id)
        if word is None:
            return False
        record(
            actor.id,
            "watched_word_removed",
            "watched_word",
            word.id,
            before={"pattern": word.pattern, "action": word.action},
            after=None,
        )
        db.session.delete(word)
    return True
