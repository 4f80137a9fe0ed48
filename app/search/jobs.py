"""Search's worker job (drain the queue into the index) and its /healthz section."""

from __future__ import annotations

from flask import Flask

from app.core.jobs import add_job
from app.core.routes import add_health_check

DRAIN_SECONDS = 1.0
DRAIN_BATCH = 500


def drain_index(batches: int = 20) -> int:
    """Index what the queue holds, a batch at a time, until it is empty (or `batches`)."""
    from app.search.backends import get_backend

    backend = get_backend()
    done = 0
    for _ in range(batches):
        count = backend.drain(DRAIN_BATCH)
        done += count
        if count < DRAIN_BATCH:
            break
    return done


def search_report() -> dict:
    """The index's state (ok, missing, damaged), its size, and the queue waiting for it."""
    from app.search.backends import get_backend
    from app.search.indexing import queue_report

    report = get_backend().status()
    report.update(queue_report())
    return report


def register(app: Flask) -> None:
    add_job(app, "search_index", drain_index, DRAIN_SECONDS, wake_on_events=True)
    add_health_check(app, "search", search_report)
