"""Idea pages run a bounded number of SQL queries whatever the number of ideas and votes."""

from __future__ import annotations

import pytest

from app.community.ideas import services, workflow
from app.extensions import db
from tests.factories import MemberFactory

# Measured. Board page: visitor 5 (boards, statuses, count, ideas, authors), member 7 (plus
# the session member and the viewer's votes). Idea page: visitor 10, member 13 (plus the
# viewer's vote and follow; both read the discussion topic's moderation state). Roadmap
# (3 columns of a count, ideas, authors): visitor 9, member 11.
BOARD_PAGE_MAX = 7
IDEA_PAGE_MAX = 13
ROADMAP_MAX = 11


def count(client, queries, path: str) -> int:  # type: ignore[no-untyped-def]
    db.session.expunge_all()
    with queries() as q:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(q)


def _ideas(board, n: int) -> list:  # type: ignore[no-untyped-def]
    made = []
    for k in range(n):
        author = MemberFactory()
        made.append(
            services.create_idea(
                author,
                board.id,
                f"Idea number {k} for tents",
                "A body that is long enough to pass.",
            )
        )
    return made


@pytest.fixture(params=["visitor", "member"])
def viewer(request, login_as):  # type: ignore[no-untyped-def]
    if request.param == "member":
        login_as("member", tier="gold")
    return request.param


def test_board_page_costs_the_same_for_5_and_40_ideas(client, queries, board, viewer):
    _ideas(board, 5)
    small = count(client, queries, f"/ideas/b/{board.slug}/")
    _ideas(board, 35)
    big = count(client, queries, f"/ideas/b/{board.slug}/")
    assert small == big <= BOARD_PAGE_MAX


def test_idea_page_is_bounded(client, queries, board, viewer, product):
    [idea] = _ideas(board, 1)
    for _ in range(10):
        services.vote(MemberFactory(), idea.id)
    workflow.change_status(product, idea.id, "planned", "Yes.")
    n = count(client, queries, f"/ideas/{idea.id}")
    assert n <= IDEA_PAGE_MAX


def test_roadmap_is_bounded(client, queries, board, viewer, product):
    for idea in _ideas(board, 6):
        workflow.change_status(product, idea.id, "planned", "")
    n = count(client, queries, "/roadmap")
    assert n <= ROADMAP_MAX
