"""The polls' part of `flask seed demo`."""

from __future__ import annotations

from flask import Flask

from app.core.cli import Seeder, add_seeder


def _seed_demo() -> object:
    from app.community.polls.seed import seed_polls

    return seed_polls()


def register(app: Flask) -> None:
    # After the members, the forums (the embedding topic) and the customer view (stages).
    add_seeder(app, Seeder("polls", 60, demo=_seed_demo))
