"""Importing history without announcing it (the demo seeder, a backfill from a CRM).

Inside `with backfill():` stages, tiers and lifecycle history are stored as usual, but no
`lifecycle_changed` or `tier_changed` event is emitted: a year of imported history must
not notify every member, fire webhooks, or keep the worker busy at the next start.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_BACKFILL: ContextVar[bool] = ContextVar("cercle_engagement_backfill", default=False)


@contextmanager
def backfill() -> Iterator[None]:
    token = _BACKFILL.set(True)
    try:
        yield
    finally:
        _BACKFILL.reset(token)


def announcing() -> bool:
    """False inside `backfill()`: store the change, emit no event."""
    return not _BACKFILL.get()
