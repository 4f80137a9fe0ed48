"""Offset pagination with a bounded page size and stable `?page=N` URLs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask import abort, request

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to show: first, last and a window around the current (None = gap)."""
        shown = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        out: list[int | None] = []
        prev = 0
        for n in sorted(p for p in shown if 1 <= p <= self.pages):
            if n - prev > 1:
                out.append(None)
            out.append(n)
            prev = n
        return out


def page_arg(name: str = "page") -> int:
    """The requested page number; a malformed or negative one is a 404, not a crash."""
    raw = request.args.get(name, "1")
    try:
        page = int(raw)
    except ValueError:
        abort(404)
    if page < 1 or page > 1_000_000:
        abort(404)
    return page
