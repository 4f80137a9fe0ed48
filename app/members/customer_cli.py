"""`flask profiles recompute` and the customer-view seeder."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.core.cli import Seeder, add_seeder
from app.core.db import unit_of_work
from app.extensions import db

profiles = AppGroup("profiles", help="Customer profiles (engagement rollups).")


@profiles.command("recompute")
@click.option("--chunk", type=int, default=500, show_default=True, help="Members per transaction.")
def recompute(chunk: int) -> None:
    """Rebuild every profile rollup from the engagement log (same result as incremental)."""
    from app.members.engagement.models import EngagementEvent
    from app.members.engagement.rollups import recompute as rebuild

    member_ids = list(
        db.session.scalars(
            select(EngagementEvent.member_id)
            .where(EngagementEvent.member_id.is_not(None))
            .distinct()
            .order_by(EngagementEvent.member_id)
        )
    )
    with click.progressbar(length=len(member_ids), label="Profiles") as bar:
        for start in range(0, len(member_ids), chunk):
            ids = member_ids[start : start + chunk]
            with unit_of_work():
                rebuild(ids, chunk=chunk)
            bar.update(len(ids))
    click.echo(f"{len(member_ids)} profile(s) rebuilt.")


def _has_ledger() -> bool:
    from app.members.loyalty.models import LedgerEntry

    return bool(db.session.scalar(select(func.count()).select_from(LedgerEntry)))


def _seed_demo() -> str:
    from app.members.customer_seed import seed_demo

    return seed_demo()


def register(app: Flask) -> None:
    app.cli.add_command(profiles)
    add_seeder(app, Seeder("customer view", 40, demo=_seed_demo, has_data=_has_ledger))
