"""`flask users ...` commands; the members' parts of `seed` and `counters recount`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.cli import Seeder, add_recounter, add_seeder
from app.core.errors import Invalid

users = AppGroup("users", help="Manage member accounts.")


@users.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.password_option()
def create_admin(username: str, email: str, password: str) -> None:
    """Create a verified administrator account."""
    from app.members.services import create_admin as create

    try:
        member = create(username, email, password)
    except Invalid as exc:
        for field, message in exc.errors.items():
            click.echo(f"{field}: {message}", err=True)
        raise SystemExit(1) from exc
    click.echo(f"Administrator {member.username} <{member.email}> created.")


def _recount() -> list[str]:
    from app.members.recount import recount_member_counters

    return recount_member_counters()


def _has_members() -> bool:
    from app.members.seed import demo_member_count

    return demo_member_count() > 0


def _seed_demo() -> object:
    from app.members.seed import seed_members

    return seed_members()


def register(app: Flask) -> None:
    app.cli.add_command(users)
    add_seeder(app, Seeder("members", 10, demo=_seed_demo, has_data=_has_members))
    add_recounter(app, "members", _recount)
