"""Recording engagement: the one path every activity takes into the log.

`record(activities)` is set-based, for batches of thousands: it creates and locks the
profiles involved (in member-id order, so two writers never deadlock and each member's
rows are folded in id order), inserts the rows with `ON CONFLICT (source_key) DO NOTHING`
(a repeated domain event or a retried API batch adds nothing), then folds only the rows
really inserted into the profiles and the points ledger. It runs inside the caller's
transaction: the durable `engagement` subscriber's (forum and member events) or the events
API's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from app.core.db import dialect_insert
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement import rollups
from app.members.engagement.models import EngagementEvent


@dataclass
class Activity:
    type: str
    occurred_at: datetime
    source_key: str
    member_id: int | None = None
    visitor_id: str | None = None
    pending_id: int | None = None
    channel: str = "community"
    object_type: str | None = None
    object_id: str | None = None
    interest_id: int | None = None
    value_cents: int | None = None
    properties: dict[str, Any] = field(default_factory=dict)

    def values(self, recorded_at: datetime) -> dict[str, Any]:
        return {
            "member_id": self.member_id,
            "visitor_id": self.visitor_id,
            "pending_id": self.pending_id,
            "type": self.type,
            "channel": self.channel,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "interest_id": self.interest_id,
            "value_cents": self.value_cents,
            "properties": self.properties,
            "occurred_at": self.occurred_at,
            "recorded_at": recorded_at,
            "source_key": self.source_key,
        }


@dataclass(frozen=True)
class Recorded:
    inserted: int
    duplicates: int


def record(activities: list[Activity]) -> Recorded:
    """Append activities to the log once each, keeping profiles and points current."""
    if not activities:
        return Recorded(0, 0)
    from app.members.loyalty import ledger

    now = utcnow()
    profiles = rollups.lock_profiles(a.member_id for a in activities if a.member_id is not None)
    statement = (
        dialect_insert(EngagementEvent)
        .on_conflict_do_nothing(index_elements=["source_key"])
        .returning(EngagementEvent.id, EngagementEvent.source_key)
    )
    ids = {
        key: row_id
        for row_id, key in db.session.execute(statement, [a.values(now) for a in activities])
    }
    pairs = sorted(
        (
            (
                rollups.Row(
                    ids[a.source_key],
                    a.member_id,
                    a.type,
                    a.occurred_at,
                    now,
                    a.interest_id,
                    a.value_cents,
                ),
                a,
            )
            for a in activities
            if a.source_key in ids and a.member_id is not None
        ),
        key=lambda pair: pair[0].id,
    )
    rollups.apply([row for row, _a in pairs], profiles)
    ledger.award(pairs)
    return Recorded(len(ids), len(activities) - len(ids))


def attach(member_id: int, *, visitor_id: str | None = None, pending_id: int | None = None) -> int:
    """Give a visitor's or pending profile's rows to the member they turned out to be.

    The member's profile is then rebuilt from the log (the attached rows are older than
    the member's own, so only a rebuild keeps the log order) and their loyalty points
    for the attached rows are awarded.
    """
    from app.members.loyalty import ledger

    table = EngagementEvent.__table__
    query = update(table).where(table.c.member_id.is_(None))
    if visitor_id is not None:
        query = query.where(table.c.visitor_id == visitor_id)
    elif pending_id is not None:
        query = query.where(table.c.pending_id == pending_id)
    else:
        return 0
    rollups.lock_profiles([member_id])
    moved = (
        db.session.execute(query.values(member_id=member_id).returning(table.c.id)).scalars().all()
    )
    if not moved:
        return 0
    rollups.recompute([member_id])
    result = db.session.execute(
        select(
            *rollups.row_columns(),
            EngagementEvent.object_type,
            EngagementEvent.object_id,
            EngagementEvent.properties,
        )
        .where(EngagementEvent.id.in_(moved))
        .order_by(EngagementEvent.id)
    ).all()
    ledger.award(
        [
            (
                rollups.Row(*r[:7]),
                Activity(
                    type=r.type,
                    occurred_at=r.occurred_at,
                    source_key="",
                    member_id=member_id,
                    object_type=r.object_type,
                    object_id=r.object_id,
                    properties=r.properties or {},
                ),
            )
            for r in result
        ]
    )
    return len(moved)


def insert_plain(activities: list[Activity]) -> None:
    """Rows that fold into no profile (a consenting visitor's views): insert, once."""
    if activities:
        now = utcnow()
        db.session.execute(
            dialect_insert(EngagementEvent).on_conflict_do_nothing(index_elements=["source_key"]),
            [a.values(now) for a in activities],
        )
