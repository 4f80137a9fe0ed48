"""An idea's comment count is a count on a hot page: held and hidden comments stay out of
it (as out of a topic's reply count) until a moderator makes them visible."""

from __future__ import annotations

import pytest

from app.community.forums import services as forums
from app.community.forums.models import Post
from app.community.forums.services import moderation_state
from app.community.ideas import services as ideas
from app.community.ideas.models import Idea
from app.core.db import unit_of_work
from app.extensions import db
from tests.community.ideas.conftest import make_board
from tests.conftest import drain_events
from tests.factories import MemberFactory


@pytest.fixture(autouse=True)
def hold_first_posts(app, monkeypatch):  # type: ignore[no-untyped-def]
    limits = {**app.config["TRUST_LEVEL_0_LIMITS"], "held_posts": 1}
    monkeypatch.setitem(app.config, "TRUST_LEVEL_0_LIMITS", limits)


def _count(idea_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Idea, idea_id).comment_count


def test_held_and_hidden_comments_stay_out_of_the_idea_count(db):  # type: ignore[no-untyped-def]
    board = make_board()
    idea = ideas.create_idea(
        MemberFactory(trust_level=1), board.id, "Lighter tent poles", "Carbon poles, please."
    )
    held = forums.reply(MemberFactory(trust_level=0), idea.topic_id, "My very first words.")
    assert held.moderation_state == "held"
    shown = forums.reply(MemberFactory(trust_level=1), idea.topic_id, "Yes, lighter please.")
    drain_events()
    assert _count(idea.id) == 1

    with unit_of_work():
        moderation_state.hide_post(db.session.get(Post, shown.id), "staff")
    drain_events()
    assert _count(idea.id) == 0

    with unit_of_work():
        moderation_state.make_visible(db.session.get(Post, held.id))
        moderation_state.make_visible(db.session.get(Post, shown.id))
    drain_events()
    assert _count(idea.id) == 2
