"""The ideas' part of `flask seed demo`."""

from __future__ import annotations

from flask import Flask

from app.core.cli import Seeder, add_recounter, add_seeder


def _seed_demo() -> object:
    from app.community.ideas.seed import seed_ideas

    return seed_ideas()


def register(app: Flask) -> None:
    # After the members, the forums (the discussion categories) and the customer view
    # (lifecycle stages in the vote snapshots); before the polls and their report.
    add_seeder(app, Seeder("ideas", 50, demo=_seed_demo))
    add_recounter(app, "ideas", _recount)


def _recount() -> list[str]:
    from app.community.ideas.recount import recount_ideas

    return recount_ideas()
