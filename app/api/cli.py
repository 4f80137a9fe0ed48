"""`flask api-keys create|list|revoke`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

api_keys = AppGroup("api-keys", help="Keys for the events API.")


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


def register(app: Flask) -> None:
    app.cli.add_command(api_keys)
