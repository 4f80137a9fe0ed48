"""A seeded club for the feedback report: two boards, ideas with votes in this period and
the one before (each vote with its snapshot), status changes with responses, two polls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from app.community.ideas.models import Idea, IdeaBoard, IdeaStatusChange, IdeaVote
from app.community.polls import services as poll_services
from app.core.time import utcnow
from app.extensions import db
from tests.factories import InterestFactory, MemberFactory

TIERS = ("bronze", "silver", "gold", "platinum")
STAGES = ("new", "active", "advocate")
BANDS = ("none", "low", "medium", "high")


@dataclass
class Scene:
    tents: IdeaBoard
    packs: IdeaBoard
    ideas: dict[str, Idea]
    members: list
    polls: dict = field(default_factory=dict)


def _idea(board: IdeaBoard, author, title: str, days_ago: float, **fields) -> Idea:  # type: ignore[no-untyped-def]
    now = utcnow()
    idea = Idea(
        board_id=board.id,
        author_id=author.id,
        title=title,
        slug=title.lower().replace(" ", "-"),
        body=title,
        body_html=f"<p>{title}</p>",
        status=fields.pop("status", "open"),
        created_at=now - timedelta(days=days_ago),
        last_activity_at=now - timedelta(days=fields.pop("active_days_ago", days_ago)),
        **fields,
    )
    db.session.add(idea)
    db.session.flush()
    return idea


@pytest.fixture
def scene(db):  # type: ignore[no-untyped-def]
    now = utcnow()
    InterestFactory(slug="trail-running", name_en="Trail running", name_fr="Trail")
    InterestFactory(slug="climbing", name_en="Climbing", name_fr="Escalade")
    tents = IdeaBoard(slug="tents", name_en="Tents", name_fr="Tentes", product="Tents", audience={})
    packs = IdeaBoard(slug="packs", name_en="Packs", name_fr="Sacs", product="Packs", audience={})
    db.session.add_all([tents, packs])
    db.session.flush()
    members = [MemberFactory(tier=TIERS[i % 4]) for i in range(12)]
    author = members[0]
    ideas = {
        "poles": _idea(
            tents,
            author,
            "Lighter tent poles",
            10,
            status="planned",
            comment_count=5,
            first_response_at=now - timedelta(days=8),
            status_changed_at=now - timedelta(days=8),
        ),
        "vestibule": _idea(tents, author, "Bigger vestibule", 20, comment_count=2),
        "pegs": _idea(
            tents,
            author,
            "Titanium pegs",
            45,
            status="under_review",
            first_response_at=now - timedelta(days=41),
        ),
        "old": _idea(
            tents,
            author,
            "Old shipped idea",
            200,
            status="shipped",
            comment_count=9,
            active_days_ago=150,
        ),
        "straps": _idea(packs, author, "Hip belt pockets", 5, comment_count=1),
    }
    db.session.add_all(
        [
            IdeaStatusChange(
                idea_id=ideas["poles"].id,
                old_status="open",
                new_status="under_review",
                response="Looking",
                actor_id=author.id,
                created_at=now - timedelta(days=8),
            ),
            IdeaStatusChange(
                idea_id=ideas["poles"].id,
                old_status="under_review",
                new_status="planned",
                response="Planned for spring",
                actor_id=author.id,
                created_at=now - timedelta(days=3),
            ),
            IdeaStatusChange(
                idea_id=ideas["pegs"].id,
                old_status="open",
                new_status="under_review",
                response="Checking",
                actor_id=author.id,
                created_at=now - timedelta(days=41),
            ),
        ]
    )
    votes = []

    def vote(idea: str, member_index: int, days_ago: float, interests=("trail-running",)) -> None:  # type: ignore[no-untyped-def]
        member = members[member_index]
        votes.append(
            IdeaVote(
                idea_id=ideas[idea].id,
                member_id=member.id,
                importance=1 + member_index % 3,
                created_at=now - timedelta(days=days_ago),
                tier=member.tier,
                stage=STAGES[member_index % 3],
                value_band=BANDS[member_index % 4],
                interests=list(interests),
            )
        )

    # Poles: 6 votes this period (members 0-5), Vestibule: 3 this period from Gold/Platinum
    # members (2, 3, 6), 2 in the previous period; Pegs: 1 this period, 4 before; Old: none;
    # Straps (other board): 2 this period.
    for i in range(6):
        vote(
            "poles",
            i,
            1 + i,
            interests=("trail-running", "climbing") if i % 2 else ("trail-running",),
        )
    for i in (2, 3, 6):
        vote("vestibule", i, 12, interests=("climbing",))
    for i in (7, 8):
        vote("vestibule", i, 40)
    vote("pegs", 9, 2, interests=())
    for i in (0, 1, 2, 3):
        vote("pegs", i, 44)
    for i in (10, 11):
        vote("straps", i, 3)
    db.session.add_all(votes)
    db.session.flush()
    return Scene(tents, packs, ideas, members)


@pytest.fixture
def poll_scene(scene):  # type: ignore[no-untyped-def]
    product = MemberFactory(role="product")
    poll = poll_services.create_poll(
        product,
        {
            "title_en": "Which pole material?",
            "kind": "single",
            "options": [{"label_en": "Carbon"}, {"label_en": "Aluminium"}],
            "results_visibility": "always",
        },
    )
    carbon, alu = poll.options
    for index, member in enumerate(scene.members[:5]):
        poll_services.answer_poll(
            member, poll.id, choices=[carbon.id if index % 2 == 0 else alu.id]
        )
    scene.polls["material"] = poll
    return scene
