"""A silence refuses every write service of the areas built beside the forums (ideas,
polls, uploads, drafts, reactions, bookmarks, solutions), the team's writes included:
each asks app.core.guards.require_can_write, and nothing is written."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from app.community.forums import drafts
from app.community.forums import services as forums
from app.community.forums.services import bookmarks, reactions, solutions
from app.community.ideas import services as ideas
from app.community.ideas import workflow
from app.community.polls import services as polls
from app.community.uploads import services as uploads
from app.core.errors import PermissionDenied
from app.extensions import db as database
from app.moderation import sanctions
from app.moderation.models import AuditEntry
from tests.community.factories import CategoryFactory
from tests.community.ideas.conftest import make_board
from tests.community.polls.conftest import poll_data
from tests.factories import MemberFactory


def _refused(attempt) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied) as refused:
        attempt()
    assert "Too many links" in refused.value.message


def test_a_silenced_member_is_refused_by_every_new_write_service(db):  # type: ignore[no-untyped-def]
    admin = MemberFactory(role="admin")
    product = MemberFactory(role="product")
    member = MemberFactory(trust_level=2)
    board = make_board()
    idea = ideas.create_idea(
        MemberFactory(), board.id, "Lighter poles", "Carbon poles would save weight on treks."
    )
    ideas.vote(member, idea.id)
    poll = polls.create_poll(product, poll_data())
    qa = CategoryFactory(qa=True)
    question = forums.create_topic(member, qa.id, "Which stove?", "For winter camping.")
    answer = forums.reply(MemberFactory(), question.id, "The Alpine gas stove.")
    sanctions.silence(admin, member.id, "Too many links", days=2)
    picture = FileStorage(io.BytesIO(b"GIF89a"), filename="a.gif", content_type="image/gif")
    attempts = [
        lambda: ideas.create_idea(
            member, board.id, "Another idea", "A longer text for the idea body."
        ),
        lambda: ideas.vote(member, idea.id, 2),
        lambda: ideas.withdraw_vote(member, idea.id),
        lambda: ideas.set_follow(member, idea.id, True),
        lambda: ideas.comment(member, idea.id, "A comment"),
        lambda: polls.answer_poll(member, poll.id, choices=[poll.options[0].id]),
        lambda: uploads.save_image(member, picture),
        lambda: drafts.save_draft(member, drafts.reply_key(question.id), "Half a reply"),
        lambda: reactions.set_reaction(member, answer.id, reactions.reaction_set()[0], True),
        lambda: bookmarks.set_bookmark(member, answer.id, True),
        lambda: solutions.mark_solution(member, answer.id),
    ]
    for attempt in attempts:
        _refused(attempt)


def test_a_silenced_team_member_is_refused_the_teams_writes_too(db):  # type: ignore[no-untyped-def]
    admin = MemberFactory(role="admin")
    product = MemberFactory(role="product")
    board = make_board()
    one = ideas.create_idea(
        MemberFactory(), board.id, "Lighter poles", "Carbon poles would save weight on treks."
    )
    two = ideas.create_idea(
        MemberFactory(), board.id, "Light poles", "Carbon poles, please, they weigh less."
    )
    merged = ideas.create_idea(
        MemberFactory(), board.id, "Carbon tent poles", "Lighter poles for the Trek 2 tent."
    )
    workflow.merge(product, merged.id, one.id)
    poll = polls.create_poll(product, poll_data())
    sanctions.silence(admin, product.id, "Too many links", days=2)
    audited = database.session.scalar(select(func.count()).select_from(AuditEntry))
    attempts = [
        lambda: workflow.change_status(product, one.id, "planned", "Coming in spring."),
        lambda: workflow.merge(product, two.id, one.id),
        lambda: workflow.unmerge(product, merged.id),
        lambda: polls.create_poll(product, poll_data()),
        lambda: polls.close_poll(product, poll.id),
    ]
    for attempt in attempts:
        _refused(attempt)
    assert database.session.scalar(select(func.count()).select_from(AuditEntry)) == audited


def test_a_password_reset_does_not_log_a_suspended_member_in(client, db):  # type: ignore[no-untyped-def]
    from app.members import tokens

    member = MemberFactory()
    sanctions.suspend(MemberFactory(role="admin"), member.id, "Too many links", days=2)
    link = f"/auth/reset/{tokens.make_token(member, tokens.RESET)}"
    secret = "a long enough new secret"
    response = client.post(link, data={"password": secret, "confirm": secret})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]
    assert client.get("/settings/profile").status_code == 302  # not logged in
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Too many links" in page
