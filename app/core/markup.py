"""Markdown rendering and the one HTML sanitiser every piece of user text goes through.

`render_markdown` turns a member's Markdown into HTML with raw HTML switched off, then
`sanitize_html` cleans it with an allow-list. Templates mark only the output of these two
functions as safe. The sanitiser is the single place to change if bleach is replaced.
"""

from __future__ import annotations

from functools import lru_cache

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
        "h5", "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub",
        "sup", "table", "tbody", "td", "th", "thead", "tr", "ul", "aside", "cite", "span",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel", "class"],
    "img": ["src", "alt", "title", "width", "height", "loading"],
    "abbr": ["title"],
    "th": ["align"],
    "td": ["align"],
    "blockquote": ["class", "data-post-id"],
    "aside": ["class"],
    "cite": ["class"],
    "code": ["class"],
    "span": ["class"],
    "ol": ["start"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"


class _RelFilter(Filter):
    """Gives every link rel="nofollow ugc noopener", replacing whatever the author set."""

    def __iter__(self):  # type: ignore[no-untyped-def]
        for token in super().__iter__():
            if token.get("type") in {"StartTag", "EmptyTag"} and token.get("name") == "a":
                data = dict(token.get("data") or {})
                data[(None, "rel")] = LINK_REL
                token["data"] = data
            yield token


@lru_cache(maxsize=1)
def _cleaner() -> bleach.Cleaner:
    return bleach.Cleaner(
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[_RelFilter],
    )


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])
    return md


def sanitize_html(html: str) -> str:
    """Clean HTML with the allow-list; every link gets rel="nofollow ugc noopener"."""
    return _cleaner().clean(html or "")


def render_markdown(text: str) -> str:
    """Markdown source to sanitised HTML (raw HTML in the source is shown as text)."""
    return sanitize_html(_markdown().render(text or ""))


def safe_markdown(text: str) -> Markup:
    """For templates: Markdown rendered and sanitised, marked safe."""
    return Markup(render_markdown(text))  # safe: sanitised by sanitize_html
