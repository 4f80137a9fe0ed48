"""How far each member has read each topic: one upsert, used by posting and by views.

A read position only ever grows (the highest post number seen), so two writers racing —
the view buffer's flush and a member's own reply — can arrive in any order.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import func

from app.community.forums.models import TopicReadState
from app.core.db import dialect_insert
from app.core.time import utcnow
from app.extensions import db

# Rows per statement, well under SQLite's bound-parameter limit.
CHUNK = 500


def raise_read_positions(furthest: Mapping[tuple[int, int], int]) -> None:
    """For each (member id, topic id) -> post number, raise the stored position to at least
    that number (INSERT ... ON CONFLICT DO UPDATE SET n = greatest(n, new))."""
    if not furthest:
        return
    states = TopicReadState.__table__
    now = utcnow()
    rows = [
        {"member_id": m, "topic_id": t, "last_read_post_number": n, "updated_at": now}
        for (m, t), n in sorted(furthest.items())
    ]
    is_postgres = db.session.get_bind().dialect.name == "postgresql"
    greatest = func.greatest if is_postgres else func.max  # SQLite's two-argument max()
    for start in range(0, len(rows), CHUNK):
        stmt = dialect_insert(states).values(rows[start : start + CHUNK])
        stmt = stmt.on_conflict_do_update(
            index_elements=["member_id", "topic_id"],
            set_={
                "last_read_post_number": greatest(
                    states.c.last_read_post_number, stmt.excluded.last_read_post_number
                ),
                "updated_at": stmt.excluded.updated_at,
            },
        )
        db.session.execute(stmt)


def mark_read(member_id: int, topic_id: int, post_number: int) -> None:
    """Raise one member's read position in one topic to `post_number` (never lower it)."""
    raise_read_positions({(member_id, topic_id): post_number})
