"""The forums' parts of `flask seed` and `flask counters recount`."""

from __future__ import annotations

from flask import Flask

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


def register(app: Flask) -> None:
    add_seeder(app, Seeder("forums", 20, demo=_seed_demo, load=_seed_load))
    add_recounter(app, "forums", _recount)
