"""Recount members' activity counters from the forum tables (`flask counters recount`).

The counters (topics, posts, likes received) are kept from forum events by
app/members/counters.py; this states the same rules as the forums' totals per author
(`queries.totals_by_author`: topics not deleted, posts not deleted, likes on any of the
member's posts) and repairs what differs. Members read the forum tables only through that
query function.
"""

from __future__ import annotations

from sqlalchemy import select, update

from app.community.forums.queries import AuthorTotals, totals_by_author
from app.core.db import unit_of_work
from app.core.worker import hold_at_head
from app.extensions import db
from app.members.models import Member

FIELDS = ("topic_count", "post_count", "likes_received")
COUNTERS_SUBSCRIBER = "member_counters"  # app/members/counters.py


def recount_member_counters() -> list[str]:
    """Repair every member counter that differs from the forum rows, in one unit of work.

    Returns one line per value changed ("member 7 post_count: 3 → 4"); [] when all agree.
    """
    report: list[str] = []
    with unit_of_work():
        # The counters' subscriber moves to the newest event in this transaction: events
        # already reflected in the rows must not be counted again by the worker after.
        hold_at_head(COUNTERS_SUBSCRIBER)
        totals = totals_by_author()
        columns = [getattr(Member, f) for f in FIELDS]
        # Every member: one without forum rows must hold zeros.
        rows = db.session.execute(select(Member.id, *columns).order_by(Member.id))
        for row in rows.all():
            actual = totals.get(row.id, AuthorTotals())
            wanted = {
                "topic_count": actual.topics,
                "post_count": actual.posts,
                "likes_received": actual.likes_received,
            }
            changes = {f: v for f, v in wanted.items() if getattr(row, f) != v}
            if not changes:
                continue
            for name, value in changes.items():
                report.append(f"member {row.id} {name}: {getattr(row, name)} → {value}")
            db.session.execute(
                update(Member).where(Member.id == row.id).values(**changes),
                execution_options={"synchronize_session": False},
            )
    db.session.expire_all()
    return report
