"""A tiny in-process scheduler for `make run` (SCHEDULER_ENABLED=1).

One daemon thread runs each periodic job when it is due, inside an application context:
the buffered topic views every VIEW_FLUSH_SECONDS (at once when the buffer is full), the
mail retries every minute. A failing job is logged and retried at its next turn; it never
stops the thread. At process exit the views still buffered are flushed.

The jobs are the same functions `flask jobs run-due` calls, so a deployment may use cron
instead for the jobs that are not per process. The view buffer *is* per process: every
process that serves topic pages must flush its own (see docs/configuration.md).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0
MAIL_EVERY_SECONDS = 60.0


@dataclass
class Job:
    """A function run every `interval` seconds, or sooner when `trigger` is set."""

    name: str
    interval: float
    func: Callable[[], object]
    trigger: threading.Event | None = None
    next_run: float = field(default=0.0)


class Scheduler:
    """Runs due jobs in one daemon thread; each job inside its own app context."""

    def __init__(self, app: Flask, jobs: list[Job], tick: float = TICK_SECONDS) -> None:
        self.app = app
        self.jobs = jobs
        self.tick = tick
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        now = time.monotonic()
        for job in self.jobs:
            job.next_run = now + job.interval
        self._thread = threading.Thread(target=self._loop, name="cercle-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def run_pending(self) -> None:
        """Run every job that is due (or triggered) now."""
        now = time.monotonic()
        for job in self.jobs:
            triggered = job.trigger is not None and job.trigger.is_set()
            if now >= job.next_run or triggered:
                self.run_job(job)
                job.next_run = time.monotonic() + job.interval

    def run_job(self, job: Job) -> None:
        from app.core.db import gate

        try:
            with gate(self.app), self.app.app_context():
                job.func()
        except Exception:
            log.exception("scheduled job %s failed", job.name)

    def _loop(self) -> None:
        while not self._stop.wait(self.tick):
            self.run_pending()


def _flush_views() -> object:
    from app.community.forums.views import flush_views

    return flush_views()


def _deliver_mail() -> object:
    from app.notifications.mail import deliver_pending

    return deliver_pending()


def configure_scheduler(app: Flask) -> Scheduler | None:
    """Start the scheduler thread when SCHEDULER_ENABLED (never in tests)."""
    if not app.config.get("SCHEDULER_ENABLED") or app.testing:
        return None
    from app.community.forums.views import view_buffer

    jobs = [
        Job(
            "flush_views",
            float(app.config["VIEW_FLUSH_SECONDS"]),
            _flush_views,
            trigger=view_buffer(app).full,
        ),
        Job("deliver_mail", MAIL_EVERY_SECONDS, _deliver_mail),
    ]
    scheduler = Scheduler(app, jobs)
    app.extensions["cercle_scheduler"] = scheduler
    scheduler.start()

    def _at_exit() -> None:
        scheduler.stop()
        scheduler.run_job(jobs[0])  # the views still buffered

    atexit.register(_at_exit)
    log.info("scheduler started: %s", ", ".join(job.name for job in jobs))
    return scheduler
