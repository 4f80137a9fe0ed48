"""`flask search rebuild|verify`, and search's part of `flask seed` (index what it made)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.cli import Seeder, add_seeder

search = AppGroup("search", help="The search index.")


@search.command("rebuild")
def rebuild() -> None:
    """Build the whole index again from the database (searches keep working meanwhile)."""
    from app.search.backends import get_backend
    from app.search.indexing import document_count

    total = document_count()
    with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
        done = [0]

        def progress(written: int) -> None:
            bar.update(written - done[0])
            done[0] = written

        written = get_backend().rebuild(progress)
    click.echo(f"{written} document(s) indexed.")


@search.command("verify")
@click.option("--no-repair", is_flag=True, help="Only report the differences.")
def verify(no_repair: bool) -> None:
    """Compare the index with the database and repair any difference."""
    from app.search.indexing import verify as run_verify

    report = run_verify(repair=not no_repair)
    if report.get("rebuilt"):
        click.echo(
            f"The index was {report['state']}: rebuilt with {report['documents']} document(s)."
        )
        return
    if report.get("state") not in (None, "ok"):
        click.echo(f"The index is {report['state']}: run `flask search rebuild`.")
        raise SystemExit(1)
    differences = report["missing"] + report["stale"] + report["extra"]
    click.echo(
        f"{report['missing']} missing, {report['stale']} out of date, "
        f"{report['extra']} extra document(s)"
        + (" — repaired." if differences and not no_repair else ".")
    )
    if differences and no_repair:
        raise SystemExit(1)


def _index_seeded(*_args: object) -> str:
    from app.search.backends import get_backend

    message = f"{get_backend().rebuild()} document(s) indexed"
    if _args:  # `seed load` prints nothing of its own
        click.echo(f"search: {message}")
    return message


def register(app: Flask) -> None:
    app.cli.add_command(search)
    # After every area's seeder: demo and load data are written without events.
    add_seeder(app, Seeder("search", 1000, demo=_index_seeded, load=_index_seeded))
