"""An idea's text is its discussion's first post: when moderation hides that post (flags
past the threshold, or staff from the queue), the idea leaves every list and its page
for everyone but its author and staff; restoring it gives it back, not announced anew."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.community.forums.events import PostMadeVisible, TopicCreated
from app.community.forums.models import Post
from app.community.forums.services import moderation_state
from app.community.ideas import queries
from app.community.ideas import services as ideas
from app.core.db import unit_of_work
from app.core.errors import NotFound
from app.extensions import db
from tests.community.ideas.conftest import make_board
from tests.factories import MemberFactory


def _first_post(idea) -> Post:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(Post).where(Post.topic_id == idea.topic_id, Post.post_number == 1)
    )


def _listed(viewer, board) -> set[int]:  # type: ignore[no-untyped-def]
    shown = {r.idea.id for r in queries.board_page(viewer, board, 1).items}
    for _board, rows in queries.all_boards_page(viewer):
        shown |= {r.idea.id for r in rows}
    return shown


def test_a_hidden_idea_is_shown_to_its_author_and_staff_only(db):  # type: ignore[no-untyped-def]
    board = make_board()
    author, other = MemberFactory(trust_level=1), MemberFactory(trust_level=1)
    moderator = MemberFactory(role="moderator")
    spam = ideas.create_idea(author, board.id, "Cheap tents", "Buy cheap tents at spam.example")
    kept = ideas.create_idea(other, board.id, "Lighter poles", "Carbon poles would save weight.")
    with unit_of_work():
        moderation_state.hide_post(_first_post(spam), "staff", moderator.id)

    for viewer, sees in ((author, True), (moderator, True), (other, False), (None, False)):
        assert (spam.id in _listed(viewer, board)) is sees, viewer
        assert kept.id in _listed(viewer, board)
        if sees:
            assert ideas.get_idea(viewer, spam.id).id == spam.id
        else:
            with pytest.raises(NotFound):
                ideas.get_idea(viewer, spam.id)
    assert spam.id not in {i.id for i in ideas.similar_ideas(other, "Cheap tents")}


def test_restoring_an_idea_does_not_announce_it_again(db, published):  # type: ignore[no-untyped-def]
    board = make_board()
    idea = ideas.create_idea(
        MemberFactory(trust_level=1), board.id, "Lighter poles", "Carbon poles would save weight."
    )
    with unit_of_work():
        moderation_state.hide_post(_first_post(idea), "staff")
    published.clear()
    with unit_of_work():
        moderation_state.make_visible(_first_post(idea))
    shown = [e for e in published if isinstance(e, PostMadeVisible)]
    assert [e.first_time for e in shown] == [False]
    assert not [e for e in published if isinstance(e, TopicCreated)]
    assert ideas.get_idea(MemberFactory(), idea.id).id == idea.id


def test_a_held_idea_waits_for_approval_before_others_see_it(app, db, monkeypatch, published):  # type: ignore[no-untyped-def]
    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)
    board = make_board()
    newcomer, other = MemberFactory(trust_level=0), MemberFactory(trust_level=1)
    idea = ideas.create_idea(newcomer, board.id, "Cheap tents", "Buy cheap tents, they are great.")
    first = _first_post(idea)
    assert (first.moderation_state, first.topic.moderation_state) == ("held", "held")
    assert not [e for e in published if isinstance(e, TopicCreated)]
    assert idea.id in _listed(newcomer, board)
    assert idea.id not in _listed(other, board)
    with pytest.raises(NotFound):
        ideas.get_idea(other, idea.id)

    with unit_of_work():
        moderation_state.make_visible(_first_post(idea))
    assert [e.topic_id for e in published if isinstance(e, TopicCreated)] == [idea.topic_id]
    assert idea.id in _listed(other, board)
    assert ideas.get_idea(other, idea.id).id == idea.id


def test_the_author_of_a_held_idea_is_told_it_waits(app, client, login_as, monkeypatch):  # type: ignore[no-untyped-def]
    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)
    board = make_board()
    login_as(trust_level=0)
    response = client.post(
        "/ideas/new",
        data={"board": board.slug, "title": "Cheap tents", "body": "Buy cheap tents, they rock."},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "waits for approval by the community team" in page
    assert "Others can vote for it now" not in page


def test_the_boards_count_leaves_out_held_and_hidden_ideas(app, db, monkeypatch):  # type: ignore[no-untyped-def]
    from app.community.ideas.models import IdeaBoard
    from app.community.ideas.recount import recount_ideas
    from tests.conftest import drain_events

    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)
    board = make_board()

    def count() -> int:
        drain_events()
        db.session.expire_all()
        return db.session.get(IdeaBoard, board.id).idea_count

    shown = ideas.create_idea(
        MemberFactory(trust_level=1), board.id, "Lighter poles", "Carbon poles would save weight."
    )
    held = ideas.create_idea(
        MemberFactory(trust_level=0), board.id, "Cheap tents", "Buy cheap tents, they rock."
    )
    assert count() == 1
    with unit_of_work():
        moderation_state.hide_post(_first_post(shown), "staff")
    assert count() == 0
    with unit_of_work():
        moderation_state.make_visible(_first_post(held))
        moderation_state.make_visible(_first_post(shown))
    assert count() == 2
    with unit_of_work():
        moderation_state.hide_post(_first_post(held), "staff")
    assert count() == 1
    assert not [line for line in recount_ideas() if "idea_count" in line]


def test_the_author_of_a_held_comment_is_told_it_waits(app, client, login_as, monkeypatch):  # type: ignore[no-untyped-def]
    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)
    board = make_board()
    idea = ideas.create_idea(
        MemberFactory(trust_level=1), board.id, "Lighter poles", "Carbon poles would save weight."
    )
    login_as(trust_level=0)
    response = client.post(
        f"/ideas/{idea.id}/comment", data={"body": "My very first words."}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert "waits for approval by the community team" in page
    assert "Your comment is posted" not in page
