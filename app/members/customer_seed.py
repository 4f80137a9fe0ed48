"""Demo data of the single customer view: a year of purchases, store visits, support tickets
and newsletter clicks for every demo member, recorded through the same pipeline as the API
(so profiles, ledgers and tiers are what they would be). Idempotent: fixed source keys."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement.pipeline import Activity, record
from app.members.models import Member

PRODUCTS = [
    ("TENT-2P", "Alpenglow Ridge 2 tent", 349),
    ("JKT-SHELL", "Storm shell jacket", 229),
    ("BOOT-HIKE", "Trail boots", 179),
    ("PACK-45", "45 L backpack", 159),
    ("STOVE-GAS", "Compact gas stove", 59),
    ("LAMP-HEAD", "Head torch", 39),
]


def demo_activities(member_id: int, rng: random.Random) -> list[Activity]:
    now = utcnow()
    # A few big spenders, most occasional buyers, some who never buy (the 80/20 shape).
    buys = rng.choice([0, 0, 1, 1, 2, 3, 4, 6, 10, 16])
    out = []
    for i in range(buys):
        sku, name, price = rng.choice(PRODUCTS)
        qty = rng.choice([1, 1, 1, 2])
        at = now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
        out.append(
            Activity(
                "purchase",
                at,
                f"demo:{member_id}:purchase:{i}",
                member_id=member_id,
                channel="shop",
                value_cents=price * qty * 100,
                properties={
                    "amount": f"{price * qty}.00",
                    "currency": "EUR",
                    "products": [{"sku": sku, "name": name, "quantity": qty}],
                },
            )
        )
    for kind, channel, n in (
        ("store_visit", "store", rng.randint(0, 4)),
        ("support_ticket", "support", rng.randint(0, 2)),
        ("newsletter_click", "newsletter", rng.randint(0, 8)),
    ):
        for i in range(n):
            at = now - timedelta(days=rng.randint(0, 364), minutes=rng.randint(0, 1440))
            out.append(
                Activity(
                    kind, at, f"demo:{member_id}:{kind}:{i}", member_id=member_id, channel=channel
                )
            )
    out.sort(key=lambda a: a.occurred_at)
    return out


def seed_demo() -> str:
    rng = random.Random(20261129)
    member_ids = list(
        db.session.scalars(select(Member.id).where(Member.erased_at.is_(None)).order_by(Member.id))
    )
    added = 0
    for start in range(0, len(member_ids), 50):
        activities = [a for m in member_ids[start : start + 50] for a in demo_activities(m, rng)]
        with unit_of_work():
            added += record(activities).inserted
    return f"{added} channel events for {len(member_ids)} members"
