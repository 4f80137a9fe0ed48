"""The forums' periodic job: write the topic views buffered in this web process."""

from __future__ import annotations

import time

from flask import Flask, current_app

from app.core.jobs import add_job

TICK_SECONDS = 1.0
_LAST_FLUSH = "cercle_views_last_flush"


def _flush_views_when_due() -> int:
    """Every VIEW_FLUSH_SECONDS, or at the next tick once VIEW_FLUSH_SIZE views wait."""
    from app.community.forums.views import view_buffer

    app = current_app
    now = time.monotonic()
    # The first tick starts the clock: a process that just started has nothing old to write.
    last = app.extensions.setdefault(_LAST_FLUSH, now)
    due = now - last >= float(app.config["VIEW_FLUSH_SECONDS"])
    if not due and not view_buffer(app._get_current_object()).full.is_set():  # type: ignore[attr-defined]
        return 0
    app.extensions[_LAST_FLUSH] = now
    return _flush_views()


def _flush_views() -> int:
    from app.community.forums.views import flush_views
    from app.core.db import gate

    with gate(current_app._get_current_object()):  # type: ignore[attr-defined]
        return flush_views()


def register(app: Flask) -> None:
    # Per process: each web process holds its own buffer, written at exit too (SIGTERM).
    add_job(
        app,
        "flush_views",
        _flush_views_when_due,
        TICK_SECONDS,
        per_process=True,
        on_exit=_flush_views,
    )
