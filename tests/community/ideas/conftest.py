"""Idea fixtures: an open board, a Gold-only board, and members of each role."""

from __future__ import annotations

import pytest

from app.community.ideas import boards
from tests.factories import MemberFactory


def make_board(slug: str = "tents", **fields):  # type: ignore[no-untyped-def]
    admin = MemberFactory(role="admin")
    data = {
        "slug": slug,
        "name_en": fields.pop("name_en", "Tents"),
        "name_fr": fields.pop("name_fr", "Tentes"),
        "description_en": "",
        "description_fr": "",
        "product": fields.pop("product", "Tents"),
        **fields,
    }
    return boards.save_board(admin, data)


@pytest.fixture
def board(db):  # type: ignore[no-untyped-def]
    return make_board()


@pytest.fixture
def gold_board(db):  # type: ignore[no-untyped-def]
    return make_board("lounge", name_en="Gold lounge", audience={"min_tier": "gold"})


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return MemberFactory()


@pytest.fixture
def product(db):  # type: ignore[no-untyped-def]
    return MemberFactory(role="product")


@pytest.fixture
def idea(board, member):  # type: ignore[no-untyped-def]
    from app.community.ideas import services

    return services.create_idea(
        member, board.id, "Lighter tent poles", "Carbon poles would save 300 g on the Trek 2."
    )
