"""Cross-area command groups; the areas plug their own parts into them.

- `flask seed demo|load`: each area registers its seeder (`add_seeder`), run in order.
- `flask counters recount`: each area registers its recount function (`add_recounter`).
- `flask jobs run-due`: every registered worker job once (app/core/jobs.py).
- `flask worker`: the durable-events and mail worker, until SIGTERM.
- `flask events status|replay`: the durable subscribers' lag and parked events.

Core never imports an area: the areas call `add_seeder`/`add_recounter` from their own
`cli.register(app)`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import click
from flask import Flask, current_app
from flask.cli import AppGroup

seed = AppGroup("seed", help="Fill the database with demo or load-test data.")
jobs = AppGroup("jobs", help="Periodic jobs (idempotent; the worker or cron calls them).")
counters = AppGroup("counters", help="Stored counters.")
events = AppGroup("events", help="Durable domain events: lag, parked events.")

_SEEDERS = "cercle_seeders"
_RECOUNTERS = "cercle_recounters"


@dataclass(frozen=True)
class Seeder:
    name: str
    order: int
    demo: Callable[[], object]
    load: Callable[[int], object] | None = None
    has_data: Callable[[], bool] | None = None


def add_seeder(app: Flask, seeder: Seeder) -> None:
    app.extensions.setdefault(_SEEDERS, []).append(seeder)


def add_recounter(app: Flask, name: str, func: Callable[[], list[str]]) -> None:
    """`func` repairs its area's stored counters and returns one line per changed value."""
    app.extensions.setdefault(_RECOUNTERS, {})[name] = func


def _seeders() -> list[Seeder]:
    return sorted(current_app.extensions.get(_SEEDERS, []), key=lambda s: s.order)


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has data.")
def seed_demo(if_empty: bool) -> None:
    """Create the demo club (idempotent: an existing demo is left as it is)."""
    seeders = _seeders()
    if if_empty and any(s.has_data and s.has_data() for s in seeders):
        click.echo("The database is not empty: demo data not added.")
        return
    for seeder in seeders:
        click.echo(f"{seeder.name}: {seeder.demo()}")


@seed.command("load")
@click.option(
    "--scale", type=int, default=1, show_default=True, help="1 = 10,000 posts; 10 = 100,000 posts."
)
def seed_load(scale: int) -> None:
    """Add large synthetic data quickly (bulk inserts) for benchmarks."""
    for seeder in _seeders():
        if seeder.load is not None:
            seeder.load(scale)


@counters.command("recount")
def recount() -> None:
    """Recompute every stored counter from the data; print and repair what differed."""
    changed = 0
    for name, func in current_app.extensions.get(_RECOUNTERS, {}).items():
        lines = func()
        changed += len(lines)
        for line in lines:
            click.echo(f"{name}: {line}")
    click.echo(f"{changed} value(s) repaired." if changed else "Every counter was right.")


@jobs.command("run-due")
def run_due() -> None:
    """Run every worker job once: durable events, mail, pruning."""
    from app.core.jobs import run_due as run

    for name, result in run(current_app._get_current_object()).items():  # type: ignore[attr-defined]
        click.echo(f"{name}: {result}")


@click.command("worker")
def worker() -> None:
    """Drain the durable events and send mail until stopped (several may run at once)."""
    from app.core.jobs import run_worker

    run_worker(current_app._get_current_object())  # type: ignore[attr-defined]


@events.command("status")
def events_status() -> None:
    """Each durable subscriber's position, lag and retry state; the parked count."""
    from app.core.worker import event_lag

    lag = event_lag()
    click.echo(f"head: {lag.head}  lag: {lag.lag_seconds:.1f}s  parked: {lag.parked}")
    for s in lag.subscribers:
        retry = f"  retrying (attempt {s.attempts})" if s.attempts else ""
        click.echo(f"  {s.name:<28} position {s.position:>10}  behind {s.behind:>8}{retry}")


@events.command("drain")
def events_drain() -> None:
    """Feed the durable subscribers now, until none is behind."""
    from app.core.worker import drain

    click.echo(f"events handled: {drain(time_budget=3600.0)}")


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(jobs)
    app.cli.add_command(counters)
    app.cli.add_command(events)
    app.cli.add_command(worker)
