"""Markdown rendering and the one HTML sanitiser every piece of user text goes through.

`render_markdown` turns a member's Markdown into HTML with raw HTML switched off, then
`sanitize_html` cleans it with an allow-list. Templates mark only the output of these two
functions as safe. The sanitiser is the single place to change if bleach is replaced.

Images show inline only from this site or from the hosts in POST_IMAGE_HOSTS; any other
image becomes a plain link to it, so reading a post never makes the reader's browser call
a host the author chose (which would hand that host the reader's address).
"""

from __future__ import annotations

import html
import threading
from collections.abc import Iterator
from functools import lru_cache, partial
from typing import Any
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import Filter
from flask import current_app, has_app_context
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
                yield token
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
            # Images first, so the links they become get their rel too.
            filters=[partial(_ImageFilter, image_hosts=image_hosts), _RelFilter],
        )
    return cleaner


def _configured_image_hosts() -> tuple[str, ...]:
    if not has_app_context():
        return ()
    return tuple(current_app.config.get("POST_IMAGE_HOSTS") or ())


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    md.enable(["linkify", "strikethrough", "table"])
    return md


def sanitize_html(source: str, image_hosts: tuple[str, ...] | None = None) -> str:
    """Clean HTML with the allow-list; every link gets rel="nofollow ugc noopener", and an
    image from a host not in `image_hosts` (default: POST_IMAGE_HOSTS) becomes a link."""
    if image_hosts is None:
        image_hosts = _configured_image_hosts()
    return _cleaner(tuple(image_hosts)).clean(source or "")


def render_markdown(text: str, image_hosts: tuple[str, ...] | None = None) -> str:
    """Markdown source to sanitised HTML (raw HTML in the source is shown as text)."""
    return sanitize_html(_markdown().render(text or ""), image_hosts)


def safe_markdown(text: str) -> Markup:
    """For templates: Markdown rendered and sanitised, marked safe."""
    return Markup(render_markdown(text))  # safe: sanitised by sanitize_html
