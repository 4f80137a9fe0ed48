"""Every string the site shows is extracted, and every extracted string has its French.

The catalogue alone cannot tell that a helper's strings are missing from it (a helper
translating through a function the extractor does not know leaves no trace there): so the
source is read for translating calls, and the messages are extracted afresh with the
project's own configuration (babel.cfg) and compared with the French catalogue.
"""

from __future__ import annotations

import ast
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
FR_CATALOGUE = ROOT / "app" / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def _mapping():  # type: ignore[no-untyped-def]
    with (ROOT / "babel.cfg").open() as fh:
        return parse_mapping_cfg(fh, "babel.cfg")


def _python_keywords() -> set[str]:
    methods, options = _mapping()
    extra: set[str] = set()
    for pattern, method in methods:
        if method == "python":
            extra |= set((options.get(pattern) or {}).get("keywords") or {})
    return set(DEFAULT_KEYWORDS) | extra


def _translating_names(tree: ast.Module) -> set[str]:
    """Names that translate: any *gettext* function, and aliases of flask_babel's."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in {"flask_babel", "babel.support"}:
            for alias in node.names:
                if "gettext" in alias.name:
                    names.add(alias.asname or alias.name)
    return names


def _called_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def test_every_call_translating_a_literal_is_extracted() -> None:
    keywords = _python_keywords()
    missed = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        translating = _translating_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _called_name(node)
            first = node.args[0]
            if name is None or not (
                isinstance(first, ast.Constant) and isinstance(first.value, str)
            ):
                continue
            if (name in translating or "gettext" in name) and name not in keywords:
                missed.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}({first.value!r})")
    assert missed == [], "add these functions to babel.cfg's keywords"


def test_helper_strings_are_extracted_from_the_helpers_themselves() -> None:
    """The relative-time helper's "just now" comes from its own module, not a template."""
    methods, options = _mapping()
    found = {
        (filename, message)
        for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), methods, options
        )
    }
    assert ("app/core/templating.py", "just now") in found


def test_every_extracted_message_has_a_french_translation() -> None:
    methods, options = _mapping()
    extracted: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), methods, options
    ):
        extracted.add(message if isinstance(message, str) else message[0])
    with FR_CATALOGUE.open("rb") as fh:
        catalogue = read_po(fh, locale="fr")
    assert len(extracted) > 500  # the site's messages really were extracted
    missing, untranslated = [], []
    for msgid in sorted(extracted):
        entry = catalogue.get(msgid)
        if entry is None:
            missing.append(msgid)
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s and s.strip() for s in strings):
            untranslated.append(msgid)
    assert missing == [], "not in the catalogue: run make extract-messages and translate"
    assert untranslated == []
