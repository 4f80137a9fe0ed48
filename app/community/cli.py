"""The forums' commands (`flask posts render`) and their parts of `flask seed` and
`flask counters recount`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.core.cli import Seeder, add_recounter, add_seeder


def _seed_demo() -> object:
    from app.community.forums.seed import seed_forums

    return seed_forums()


def _seed_load(scale: int) -> object:
    from app.community.forums.seed import seed_load

    return seed_load(scale)


def _recount() -> list[str]:
    from app.community.forums.counters import recount_forum_counters

    return recount_forum_counters()


posts = AppGroup("posts", help="Forum posts.")


@posts.command("render")
def render_posts() -> None:
    """Render every post's stored HTML again (after changing POST_IMAGE_HOSTS, say)."""
    from app.community.forums.rendering import render_all_posts

    read, changed = render_all_posts()
    click.echo(f"{read} post(s) read, {changed} rendered differently and updated.")


def register(app: Flask) -> None:
    app.cli.add_command(posts)
    add_seeder(app, Seeder("forums", 20, demo=_seed_demo, load=_seed_load))
    add_recounter(app, "forums", _recount)
