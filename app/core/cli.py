"""Cross-area commands: `flask seed ...` and `flask jobs run-due`.

Each area provides its own seed and job functions; these groups only call them in order.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

seed = AppGroup("seed", help="Fill the database with demo or load-test data.")
jobs = AppGroup("jobs", help="Periodic jobs (idempotent; cron or the scheduler calls them).")


@seed.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database has members.")
def seed_demo(if_empty: bool) -> None:
    """Create the demo club (idempotent: an existing demo is left as it is)."""
    from app.community.forums.seed import seed_forums
    from app.members.seed import demo_member_count, seed_members

    if if_empty and demo_member_count():
        click.echo("The database is not empty: demo data not added.")
        return

    members = seed_members()
    click.echo(f"members: {members}")
    summary = seed_forums()
    click.echo(f"forums: {summary}")


@seed.command("load")
@click.option(
    "--scale", type=int, default=1, show_default=True, help="1 = 10,000 posts; 10 = 100,000 posts."
)
def seed_load(scale: int) -> None:
    """Add large synthetic data quickly (bulk inserts) for benchmarks."""
    from app.community.forums.seed import seed_load as load

    load(scale)


@jobs.command("run-due")
def run_due() -> None:
    """Run every periodic job that is due: buffered view counts, mail retries."""
    from app.community.forums.views import flush_views
    from app.notifications.mail import deliver_pending

    click.echo(f"views flushed: {flush_views()}")
    click.echo(f"mail handled: {deliver_pending()}")


def register(app: Flask) -> None:
    app.cli.add_command(seed)
    app.cli.add_command(jobs)
