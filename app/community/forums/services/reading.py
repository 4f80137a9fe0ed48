"""Dismissing the Unread and New lists: the member's read positions, moved forward at once.

A read position only ever grows (`read_state.raise_read_positions`), so dismissing twice,
or racing a page view or a reply, ends in the same place. The topics are exactly the
list's (`queries.unread_statement`, `queries.new_statement`). Dismissing is the member's
own bookkeeping, not content: it writes no event and no write guard refuses it.
"""

from __future__ import annotations

from typing import Any

from app.community.forums.models import Topic
from app.community.forums.read_state import raise_read_positions
from app.community.forums.services.base import require_member
from app.core.db import unit_of_work
from app.extensions import db
from app.members.models import Member


def _dismiss(actor: Member, statement: Any) -> int:
    rows = db.session.execute(
        statement.with_only_columns(Topic.id, Topic.highest_post_number)
    ).all()
    raise_read_positions({(actor.id, topic_id): highest for topic_id, highest in rows})
    return len(rows)


def dismiss_unread(actor: Member) -> int:
    """Mark every topic of the member's Unread list read to its last post; returns how many
    topics moved."""
    from app.community.forums.queries import unread_statement

    require_member(actor)
    with unit_of_work():
        return _dismiss(actor, unread_statement(actor))


def dismiss_new(actor: Member) -> int:
    """Mark every topic of the member's New list read (it leaves New, and comes back in
    Unread when someone replies); returns how many topics moved."""
    from app.community.forums.queries import new_statement

    require_member(actor)
    with unit_of_work():
        return _dismiss(actor, new_statement(actor))
