"""Markdown rendering and the one HTML sanitiser every piece of user text goes through.

`render_markdown` turns a member's Markdown into HTML with raw HTML switched off, then
`sanitize_html` cleans it with an allow-list. Templates mark only the output of these two
functions as safe. The sanitiser is the single place to change if bleach is replaced.

Images show inline only from this site or from the hosts in POST_IMAGE_HOSTS; any other
image becomes a plain link to it, so reading a post never makes the reader's browser call
a host the author chose (which would hand that host the reader's address).

@mentions: core knows nothing of members. An area may register one *mention resolver*
(`set_mention_resolver(app, resolve)`: lower-cased names -> the profile's URL, for the
names that exist); `render_markdown` then links `@name` to it, in text only (never inside
code, preformatted blocks or an existing link). The link is added by a filter after the
sanitiser's allow-list, from the resolver's URLs only: the author's text stays text.
Without a resolver, or for a name it does not return, `@name` stays plain text.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import Filter
from flask import Flask, current_app, has_app_context
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
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


EXTERNAL_IMAGE_CLASS = "external-image"


def is_allowed_image_source(src: str, hosts: tuple[str, ...]) -> bool:
    """True for an image on this site (a relative URL) or on one of `hosts` over HTTP(S).

    Browsers drop tabs and newlines inside URLs, read a backslash as a slash and skip
    extra slashes after the scheme, so `/\\evil.example`, `/\t/evil.example` and
    `///evil.example` all reach another host: such sources are never taken as local.
    """
    if not src or "\\" in src or any(ch <= " " or ch == "\x7f" for ch in src):
        return False
    parts = urlsplit(src)
    if not parts.scheme and not src.startswith("//"):
        return True
    # netloc keeps any user@ and port, so "cdn.example.com@evil.example" matches nothing.
    return parts.scheme in {"", "http", "https"} and parts.netloc.lower() in hosts


class _ImageFilter(Filter):
    """Turns an image from a host not allowed into a link to it, showing its alt text.

    Runs after bleach's own filter, so `src` has already passed the protocol allow-list.
    An image inside a link becomes its text only, since links cannot nest.
    """

    def __init__(self, source: Any, image_hosts: tuple[str, ...] = ()) -> None:
        super().__init__(source)
        self.image_hosts = image_hosts

    def __iter__(self) -> Iterator[dict[str, Any]]:
        open_links = 0
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if name == "a" and kind == "StartTag":
                open_links += 1
            elif name == "a" and kind == "EndTag":
                open_links = max(open_links - 1, 0)
            if name != "img" or kind not in {"StartTag", "EmptyTag"}:
                yield token
                continue
            attrs = dict(token.get("data") or {})
            # bleach hands attribute values over escaped; text tokens are escaped on output.
            src = attrs.get((None, "src"), "")
            if not src or is_allowed_image_source(html.unescape(src), self.image_hosts):
                yield _described_image(token, attrs, html.unescape(src)) if src else token
                continue
            label = html.unescape(attrs.get((None, "alt"), "").strip() or src)
            if open_links:
                yield {"type": "Characters", "data": label}
                continue
            link = {(None, "href"): src, (None, "class"): EXTERNAL_IMAGE_CLASS}
            if title := attrs.get((None, "title")):
                link[(None, "title")] = title
            yield {
                "type": "StartTag",
                "name": "a",
                "namespace": token.get("namespace"),
                "data": link,
            }
            yield {"type": "Characters", "data": label}
            yield {"type": "EndTag", "name": "a", "namespace": token.get("namespace")}


# An area may register an *image describer* (`set_image_describer(app, describe)`):
# `describe(src)` returns extra attributes for an image it knows (width, height, srcset,
# sizes: the uploads area reads them from its file names), else None; an image described
# is loaded lazily and decoded off the main thread.
ImageDescriber = Callable[[str], dict[str, str] | None]
_IMAGE_DESCRIBER = "cercle.image_describer"


def set_image_describer(app: Flask, describer: ImageDescriber) -> None:
    app.extensions[_IMAGE_DESCRIBER] = describer


def _described_image(token: dict[str, Any], attrs: dict, src: str) -> dict[str, Any]:
    """The <img> token with what the describer knows of `src` (and lazy loading). Added
    after the allow-list, from the describer's values only (never from the author)."""
    describer = current_app.extensions.get(_IMAGE_DESCRIBER) if has_app_context() else None
    extra = describer(src) if describer is not None else None
    if not extra:
        return token
    for name, value in {"loading": "lazy", "decoding": "async", **extra}.items():
        attrs[(None, name)] = value
    token["data"] = attrs
    return token


# Emoji shortcodes (`:smile:`) become the emoji, in text only (never in code, preformatted
# blocks or links), from the curated table of app.core.emoji.
_NO_EMOJI_INSIDE = frozenset({"a", "code", "pre"})


class _EmojiFilter(Filter):
    def __iter__(self) -> Iterator[dict[str, Any]]:
        from app.core.emoji import replace_shortcodes

        inside = 0
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if name in _NO_EMOJI_INSIDE and kind == "StartTag":
                inside += 1
            elif name in _NO_EMOJI_INSIDE and kind == "EndTag":
                inside = max(inside - 1, 0)
            elif kind == "Characters" and not inside and ":" in token["data"]:
                token = {**token, "data": replace_shortcodes(token["data"])}
            yield token


# The characters a username may hold (app/members/forms.py), after a non-word character;
# a trailing "." or "-" is punctuation ("thanks @ana.").
MENTION = re.compile(r"(?<![\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,29})")
MENTION_CLASS = "mention"
MENTION_LOOKUP_LIMIT = 50  # names looked up per text; the rest stay plain text
_MENTION_RESOLVER = "cercle.mention_resolver"
_NO_LINK_INSIDE = frozenset({"a", "code", "pre"})

MentionResolver = Callable[[set[str]], dict[str, str]]


def set_mention_resolver(app: Flask, resolver: MentionResolver) -> None:
    """Register how `@name` becomes a link: `resolver(names)` gets lower-cased names and
    returns {name: URL} for those that exist (a relative URL: stored HTML is reused)."""
    app.extensions[_MENTION_RESOLVER] = resolver


def _mention_name(raw: str) -> str:
    return raw.rstrip(".-").lower()


class _MentionFilter(Filter):
    """Links `@name` in text to the URL the resolver gave for it (this call's names are in
    a thread-local, set by `render_markdown`); text in code, pre and links is left alone."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        links: dict[str, str] = getattr(_local, "mention_links", None) or {}
        if not links:
            yield from super().__iter__()
            return
        inside = 0
        pending: list[str] = []
        for token in super().__iter__():
            kind, name = token.get("type"), token.get("name")
            if kind in {"Characters", "SpaceCharacters"} and not inside:
                pending.append(token["data"])
                continue
            if pending:
                yield from self._linked("".join(pending), links, token.get("namespace"))
                pending = []
            if name in _NO_LINK_INSIDE and kind == "StartTag":
                inside += 1
            elif name in _NO_LINK_INSIDE and kind == "EndTag":
                inside = max(inside - 1, 0)
            yield token
        if pending:
            yield from self._linked("".join(pending), links, None)

    @staticmethod
    def _linked(text: str, links: dict[str, str], namespace: Any) -> Iterator[dict[str, Any]]:
        start = 0
        for match in MENTION.finditer(text):
            raw = match.group(1)
            url = links.get(_mention_name(raw))
            if url is None:
                continue
            shown = "@" + raw[: len(raw.rstrip(".-"))]
            end = match.start() + len(shown)
            if match.start() > start:
                yield {"type": "Characters", "data": text[start : match.start()]}
            yield {
                "type": "StartTag",
                "name": "a",
                "namespace": namespace,
                "data": {(None, "href"): url, (None, "class"): MENTION_CLASS},
            }
            yield {"type": "Characters", "data": shown}
            yield {"type": "EndTag", "name": "a", "namespace": namespace}
            start = end
        if start < len(text):
            yield {"type": "Characters", "data": text[start:]}


# bleach's Cleaner keeps parser state between calls and is not thread-safe: one per thread
# (the server runs requests in threads), and per allow-list of image hosts.
_local = threading.local()


def _cleaner(image_hosts: tuple[str, ...]) -> bleach.Cleaner:
    cleaners: dict[tuple[str, ...], bleach.Cleaner] | None = getattr(_local, "cleaners", None)
    if cleaners is None:
        cleaners = _local.cleaners = {}
    cleaner = cleaners.get(image_hosts)
    if cleaner is None:
        cleaner = cleaners[image_hosts] = bleach.Cleaner(
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            # Images first, so the links they become get their rel too; mentions before
            # the rel filter for the same reason.
            filters=[
                partial(_ImageFilter, image_hosts=image_hosts),
                _EmojiFilter,
                _MentionFilter,
                _RelFilter,
            ],
        )
    return cleaner


def _configured_image_hosts() -> tuple[str, ...]:
    if not has_app_context():
        return ()
    return tuple(current_app.config.get("POST_IMAGE_HOSTS") or ())


# Raw HTML is off, so a tag typed in a post is shown as text; but linkify would still link
# a URL inside it (`<iframe src="https://...">` shown with a live link in the middle). This
# inline rule takes each tag-like run (from "<" and a letter, "/", "!" or "?" to its ">",
# quotes respected, across line breaks) as one token printed escaped and never linked.
# Autolinks (`<https://...>`) are parsed before it; a "<" with no ">" after it stays text.
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_TAG_SCAN_LIMIT = 2000  # characters looked at for the closing ">" (keeps parsing linear)
RAW_HTML_TEXT = "raw_html_text"


def _raw_html_text(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if not _TAG_START.match(state.src, pos):
        return False
    end, quote = min(state.posMax, pos + _TAG_SCAN_LIMIT), ""
    for index in range(pos + 2, end):
        ch = state.src[index]
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == ">":
            if not silent:
                state.push(RAW_HTML_TEXT, "", 0).content = state.src[pos : index + 1]
            state.pos = index + 1
            return True
    return False


def _render_raw_html_text(self, tokens, idx, options, env) -> str:  # type: ignore[no-untyped-def]
    return escapeHtml(tokens[idx].content)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])
    md.inline.ruler.after("autolink", RAW_HTML_TEXT, _raw_html_text)
    md.add_render_rule(RAW_HTML_TEXT, _render_raw_html_text)
    return md


def sanitize_html(source: str, image_hosts: tuple[str, ...] | None = None) -> str:
    """Clean HTML with the allow-list; every link gets rel="nofollow ugc noopener", and an
    image from a host not in `image_hosts` (default: POST_IMAGE_HOSTS) becomes a link."""
    if image_hosts is None:
        image_hosts = _configured_image_hosts()
    return _cleaner(tuple(image_hosts)).clean(source or "")


def _mention_links(text: str) -> dict[str, str]:
    """{name: URL} of the names mentioned in `text` that the registered resolver knows."""
    if "@" not in text or not has_app_context():
        return {}
    resolver = current_app.extensions.get(_MENTION_RESOLVER)
    if resolver is None:
        return {}
    names: list[str] = []
    for match in MENTION.finditer(text):
        if (name := _mention_name(match.group(1))) not in names:
            names.append(name)
    return resolver(set(names[:MENTION_LOOKUP_LIMIT])) if names else {}


def render_markdown(text: str, image_hosts: tuple[str, ...] | None = None) -> str:
    """Markdown source to sanitised HTML (raw HTML in the source is shown as text), with
    `@name` linked to the profiles the mention resolver knows (see the module's doc)."""
    _local.mention_links = _mention_links(text or "")
    try:
        return sanitize_html(_markdown().render(text or ""), image_hosts)
    finally:
        _local.mention_links = None


def safe_markdown(text: str) -> Markup:
    """For templates: Markdown rendered and sanitised, marked safe."""
    return Markup(render_markdown(text))  # safe: sanitised by sanitize_html
