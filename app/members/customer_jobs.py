"""Periodic jobs of the single customer view (run by the worker or `flask jobs run-due`).

- `lifecycle_and_tiers` (hourly): stages move with the clock (active → at-risk →
  lapsed) and points leave the rolling 12-month window (a tier can go down); both are
  idempotent recomputations that record and announce only real changes.
"""

from __future__ import annotations

from flask import Flask

from app.core.db import gate, unit_of_work
from app.core.jobs import add_job


def lifecycle_and_tiers() -> dict[str, int]:
    from flask import current_app

    from app.members.engagement.rollups import refresh_stages
    from app.members.loyalty.ledger import refresh_members

    with gate(current_app._get_current_object()), unit_of_work():  # type: ignore[attr-defined]
        stages = refresh_stages()
        tiers = refresh_members()
    return {"stages changed": stages, "tiers changed": tiers}


def register(app: Flask) -> None:
    add_job(app, "lifecycle_and_tiers", lifecycle_and_tiers, 3600)
