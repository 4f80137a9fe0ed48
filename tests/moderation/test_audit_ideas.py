"""A moderator merging duplicate ideas (or undoing it) is a staff action: one audit entry
each, shown in /mod/audit in the reader's language."""

from __future__ import annotations

import flask_babel
from sqlalchemy import select

from app.community.ideas import services as ideas
from app.community.ideas import workflow
from app.extensions import db
from app.moderation.models import AuditEntry
from tests.community.ideas.conftest import make_board
from tests.factories import MemberFactory


def test_merging_and_unmerging_ideas_is_audited_once_each(client, login_as):  # type: ignore[no-untyped-def]
    moderator = login_as("moderator", locale="fr")
    board = make_board()
    one = ideas.create_idea(MemberFactory(), board.id, "Lighter poles", "Carbon poles, lighter.")
    two = ideas.create_idea(MemberFactory(), board.id, "Carbon poles", "Lighter carbon poles.")
    workflow.merge(moderator, two.id, one.id)
    workflow.unmerge(moderator, two.id)
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target_type == "idea").order_by(AuditEntry.id)
    ).all()
    assert [(e.actor_id, e.action, e.target_id) for e in entries] == [
        (moderator.id, "ideas_merged", two.id),
        (moderator.id, "ideas_unmerged", two.id),
    ]
    assert entries[0].details["after"] == {"merged_into": one.id}
    flask_babel.refresh()  # the services above chose English for the test's app context
    page = client.get("/mod/audit?target_type=idea")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Idées fusionnées" in text and f"/ideas/{two.id}" in text
