"""Periodic jobs, registered by the areas and run by APScheduler.

Each area registers its own jobs in the factory (`add_job`): core drains the durable
events, notifications send mail, the forums write their buffered topic views. Two kinds:

- **worker jobs** run in the worker: `flask worker` processes in production (several may
  run at once: every job claims its rows, so running it twice at the same time is safe),
  or the embedded worker thread of `make run`;
- **per-process jobs** run in every web process, for state that lives in that process
  (the topic-view buffer). They run again when the process exits — on SIGTERM too, see
  `install_exit_handlers` — so a clean stop loses nothing.

`flask jobs run-due` runs every worker job once (for cron, or to catch up by hand).
Why APScheduler rather than Huey or the home-made scheduler: docs/decisions.md.
"""

from __future__ import annotations

import atexit
import logging
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask

log = logging.getLogger(__name__)

_JOBS_KEY = "cercle_jobs"
_SCHEDULER_KEY = "cercle_scheduler"


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[[], object]
    seconds: float
    per_process: bool = False
    # Run at once after a commit that recorded events (instead of at the next tick).
    wake_on_events: bool = False
    # Run when the process exits (per-process jobs: write what the process still holds).
    on_exit: Callable[[], object] | None = None


def add_job(
    app: Flask,
    name: str,
    func: Callable[[], object],
    seconds: float,
    *,
    per_process: bool = False,
    wake_on_events: bool = False,
    on_exit: Callable[[], object] | None = None,
) -> None:
    """Register a periodic job for this application (an area calls this in the factory)."""
    specs: dict[str, JobSpec] = app.extensions.setdefault(_JOBS_KEY, {})
    if name in specs:
        raise ValueError(f"job {name!r} is already registered")
    specs[name] = JobSpec(name, func, seconds, per_process, wake_on_events, on_exit)


def registered_jobs(app: Flask) -> list[JobSpec]:
    return list(app.extensions.get(_JOBS_KEY, {}).values())


def run_job(app: Flask, spec: JobSpec, func: Callable[[], object] | None = None) -> object:
    """Run one job in a fresh app context; a failure is logged and never escapes."""
    from app.core.db import gate
    from app.extensions import db

    try:
        with app.app_context():
            try:
                return (func or spec.func)()
            finally:
                with gate(app):
                    db.session.remove()
    except Exception:
        log.exception("job %s failed", spec.name)
        return None


def run_due(app: Flask, per_process: bool = False) -> dict[str, object]:
    """Run every worker job (and the per-process ones when asked) once, in order."""
    return {
        spec.name: run_job(app, spec)
        for spec in registered_jobs(app)
        if per_process or not spec.per_process
    }


def _schedule(app: Flask, scheduler: BaseScheduler, specs: list[JobSpec]) -> None:
    for spec in specs:
        scheduler.add_job(
            run_job,
            "interval",
            args=(app, spec),
            seconds=spec.seconds,
            id=spec.name,
            name=spec.name,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
            next_run_time=datetime.now().astimezone(),
        )


def _quiet_apscheduler() -> None:
    # "Running job ..." every second, and "skipped: maximum number of running instances"
    # each time a commit wakes a job that is already running, would drown the server's
    # own log; a failing job is logged by run_job itself.
    logging.getLogger("apscheduler.executors").setLevel(logging.ERROR)
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)


def _waker(scheduler: BaseScheduler, specs: list[JobSpec]) -> Callable[[], None]:
    names = [s.name for s in specs if s.wake_on_events]

    def wake() -> None:
        now = datetime.now().astimezone()
        for name in names:
            try:
                scheduler.modify_job(name, next_run_time=now)
            except Exception:  # the scheduler is shutting down: the next tick will do
                log.debug("could not wake job %s", name)

    return wake


def start_embedded(app: Flask) -> BackgroundScheduler | None:
    """The web process's scheduler thread: per-process jobs, plus the embedded worker.

    Started when SCHEDULER_ENABLED (make run, and every web process in production) and
    never in tests. With EMBEDDED_WORKER off, the worker jobs are left to `flask worker`.
    """
    if not app.config.get("SCHEDULER_ENABLED") or app.testing or _in_cli_command():
        return None
    specs = [s for s in registered_jobs(app) if s.per_process or app.config.get("EMBEDDED_WORKER")]
    _quiet_apscheduler()
    scheduler = BackgroundScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=3)}, timezone="UTC"
    )
    _schedule(app, scheduler, specs)
    scheduler.start()
    app.extensions[_SCHEDULER_KEY] = scheduler
    from app.core.events import get_bus

    with app.app_context():
        get_bus().on_recorded = _waker(scheduler, specs)

    def _at_exit() -> None:
        # The views still buffered (and any per-process state) are written first: a job
        # still running (a mail batch against a slow server) must not delay them past a
        # supervisor's stop timeout.
        for spec in specs:
            if spec.on_exit is not None:
                run_job(app, spec, spec.on_exit)
        scheduler.shutdown(wait=False)

    atexit.register(_at_exit)
    install_exit_handlers()
    log.info("scheduler started: %s", ", ".join(s.name for s in specs))
    return scheduler


def _in_cli_command() -> bool:
    """True while a `flask ...` command other than `flask run` builds the app: a migration,
    a seed or `flask worker` must not start the web process's scheduler thread."""
    import click

    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.info_name != "run"


def install_exit_handlers() -> None:
    """Make SIGTERM a normal exit (atexit handlers run) where nobody else handles it.

    Python's default SIGTERM kills the process without running atexit; gunicorn installs
    its own handler, which exits cleanly already, so that one is left alone.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None):
        signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, _frame: Any) -> None:
    log.info("signal %d: stopping", signum)
    sys.exit(0)


def run_worker(app: Flask) -> None:
    """`flask worker`: run the worker jobs until SIGTERM or Ctrl+C."""
    embedded = app.extensions.pop(_SCHEDULER_KEY, None)
    if embedded is not None:  # never both in one process: the jobs would run twice
        embedded.shutdown(wait=False)
    specs = [s for s in registered_jobs(app) if not s.per_process]
    _quiet_apscheduler()
    scheduler = BlockingScheduler(
        executors={"default": ThreadPoolExecutor(max_workers=3)}, timezone="UTC"
    )
    _schedule(app, scheduler, specs)

    def _stop(signum: int, _frame: Any) -> None:
        log.info("signal %d: worker stopping after the running jobs", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    log.info("worker started: %s", ", ".join(s.name for s in specs))
    scheduler.start()
