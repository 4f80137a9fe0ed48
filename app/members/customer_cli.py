"""`flask profiles recompute`, `flask api-keys create|list|revoke`, the customer-view seeder."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import func, select

from app.core.cli import Seeder, add_seeder
from app.core.db import unit_of_work
from app.extensions import db

profiles = AppGroup("profiles", help="Customer profiles (engagement rollups).")
api_keys = AppGroup("api-keys", help="Keys for the events API.")


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


@api_keys.command("create")
@click.argument("name")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    default=("events:write",),
    show_default=True,
    help="events:write, profiles:read, export:read (repeat the option).",
)
def create_key(name: str, scopes: tuple[str, ...]) -> None:
    """Create an API key and print it (shown only once)."""
    from app.api.keys import create_key as create
    from app.core.errors import Invalid

    try:
        new = create(None, name, list(scopes))
    except Invalid as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"API key {new.key.prefix} ({', '.join(new.key.scope_list)}):")
    click.echo(new.token)
    click.echo("Store it now: it cannot be shown again.")


@api_keys.command("list")
def list_keys() -> None:
    """Every key: prefix, name, scopes, state."""
    from app.api.keys import list_keys as all_keys

    for key in all_keys():
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.id:>4}  {key.prefix}  {state:<8} {key.scopes:<40} {key.name}")


@api_keys.command("revoke")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Revoke a key: requests with it are refused at once."""
    from app.api.keys import revoke_key as revoke

    revoke(None, key_id)
    click.echo(f"Key {key_id} revoked.")


def _has_ledger() -> bool:
    from app.members.loyalty.models import LedgerEntry

    return bool(db.session.scalar(select(func.count()).select_from(LedgerEntry)))


def _seed_demo() -> str:
    from app.members.customer_seed import seed_demo

    return seed_demo()


def register(app: Flask) -> None:
    app.cli.add_command(profiles)
    app.cli.add_command(api_keys)
    add_seeder(app, Seeder("customer view", 40, demo=_seed_demo, has_data=_has_ledger))
