"""Content-addressed file names, and what a name tells without a query.

An original is `<hash>-<width>x<height>.<ext>`; its smaller copy `w` wide is
`<hash>-<width>x<height>-<w>w.<ext>`. The renderer reads an image's size and its copies
from the URL alone (`describe`), so a post's <img> gets width, height and srcset at no cost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EXTENSIONS = {"jpg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp"}
# The widths of the smaller copies made of each image (those narrower than the original).
VARIANT_WIDTHS = (320, 640, 1280)

NAME = re.compile(
    r"(?P<hash>[0-9a-f]{40})-(?P<w>[1-9][0-9]{0,4})x(?P<h>[1-9][0-9]{0,4})"
    r"(?:-(?P<v>[1-9][0-9]{0,4})w)?\.(?P<ext>jpg|png|gif|webp)"
)


def original_name(digest: str, width: int, height: int, ext: str) -> str:
    return f"{digest[:40]}-{width}x{height}.{ext}"


def variant_name(name: str, width: int) -> str:
    stem, ext = name.rsplit(".", 1)
    return f"{stem}-{width}w.{ext}"


def variant_widths(width: int, ext: str) -> tuple[int, ...]:
    """The copies made for an original `width` wide (none for GIFs: they may be animated)."""
    if ext == "gif":
        return ()
    return tuple(w for w in VARIANT_WIDTHS if w < width)


@dataclass(frozen=True)
class Described:
    width: int
    height: int
    srcset: str


def describe(url: str, prefix: str = "/uploads/") -> Described | None:
    """Width, height and srcset of an upload's URL (None for any other URL)."""
    if not url.startswith(prefix):
        return None
    match = NAME.fullmatch(url[len(prefix) :])
    if match is None or match["v"]:
        return None
    width, height, ext = int(match["w"]), int(match["h"]), match["ext"]
    name = match.group(0)
    entries = [f"{prefix}{variant_name(name, w)} {w}w" for w in variant_widths(width, ext)]
    entries.append(f"{url} {width}w")
    return Described(width, height, ", ".join(entries))
