"""`flask users ...` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

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


def register(app: Flask) -> None:
    app.cli.add_command(users)
