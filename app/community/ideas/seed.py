"""Demo ideas: boards for the demo brand's products, believable ideas in English and
French, votes from members of every tier, statuses with official responses, and one
shipped idea whose loop is closed (its voters are told and earn points when the worker
runs). Everything goes through the services, then dates are spread over the last weeks so
the roadmap, the changelog and the feedback report have a history."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import func, select, update

from app.community.ideas import boards, services, workflow
from app.community.ideas.models import Idea, IdeaBoard, IdeaStatusChange, IdeaVote
from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Interest, Member

# (board slug, product interest slug, EN name, FR name, EN description, FR description,
#  audience)
BOARDS = [
    (
        "summit-2-tent",
        "summit-2-tent",
        "Summit 2 tent",
        "Tente Summit 2",
        "Ideas for the next Summit 2: pitching, weight, space, storm behaviour.",
        "Vos idées pour la prochaine Summit 2 : montage, poids, volume, tenue au vent.",
        {},
    ),
    (
        "ridge-45-pack",
        "ridge-45-pack",
        "Ridge 45 backpack",
        "Sac à dos Ridge 45",
        "Pockets, harness, materials: tell the packs team what to change.",
        "Poches, portage, matières : dites à l’équipe sacs quoi changer.",
        {},
    ),
    (
        "ember-stove",
        "ember-stove",
        "Ember stove",
        "Réchaud Ember",
        "Cooking outdoors with the Ember and its accessories.",
        "Cuisiner dehors avec l’Ember et ses accessoires.",
        {},
    ),
    (
        "gold-lab",
        "nordwand-jacket",
        "Gold lab: Nordwand jacket",
        "Labo Gold : veste Nordwand",
        "Early ideas for the next Nordwand, open to Gold and Platinum members.",
        "Premières idées pour la prochaine Nordwand, réservées aux membres Gold et Platinum.",
        {"min_tier": "gold"},
    ),
]

# (board slug, author username, title, body, tags, status, response by product, votes)
IDEAS = [
    (
        "summit-2-tent",
        "anna_hikes",
        "Colour-coded pole clips for pitching in the dark",
        "After a long day I pitch in the dark more often than not. If the clips and pole "
        "sleeves were colour-coded, I would stop guessing which pole goes where.",
        ["pitching", "night"],
        "shipped",
        "Shipped in the **2027 Summit 2**: red and blue clips match the pole ends. Thank you "
        "to the 20+ members who voted, and to Anna for the idea.",
        22,
    ),
    (
        "summit-2-tent",
        "maya",
        "Offer a lighter fly made of silnylon",
        "The polyurethane fly is bombproof but heavy. A silnylon option would save about "
        "300 g for those of us who count grams.",
        ["weight", "materials"],
        "planned",
        "We are testing two silnylon fabrics this winter. Planned for the spring range if the "
        "tear tests pass.",
        17,
    ),
    (
        "summit-2-tent",
        "louis.d",
        "Une poche de rangement au-dessus de la porte",
        "Avec les enfants, on cherche toujours la frontale. Une poche en filet au-dessus de "
        "la porte serait parfaite.",
        ["rangement", "famille"],
        "under_review",
        "Bonne idée : on regarde comment l’ajouter sans affaiblir le double toit.",
        11,
    ),
    (
        "summit-2-tent",
        "ella",
        "Snow and sand pegs in the box",
        "The standard pegs are useless on snow. Two wide pegs in the box would make it a real "
        "four-season tent.",
        ["winter", "pegs"],
        "open",
        "",
        8,
    ),
    (
        "ridge-45-pack",
        "priya",
        "Hip-belt pockets big enough for a phone",
        "Today's hip-belt pockets fit a gel, not a phone. A slightly larger zipped pocket "
        "would keep the map at hand.",
        ["pockets", "harness"],
        "in_progress",
        "Prototypes are in the field with our testers now. Expect them on the 2027 Ridge.",
        19,
    ),
    (
        "ridge-45-pack",
        "theo",
        "Un accès zippé au fond du sac",
        "Pour attraper la doudoune sans tout vider. Beaucoup de sacs concurrents le font.",
        ["accès", "zip"],
        "open",
        "",
        9,
    ),
    (
        "ridge-45-pack",
        "mateo",
        "Removable lid that becomes a day pack",
        "Hut to hut, I leave the pack at the refuge and go up light. A lid that converts to a "
        "small day pack would be ideal.",
        ["hut-to-hut"],
        "declined",
        "We tried it: the converted lid was uncomfortable and added 180 g for everyone. "
        "We will look at a separate ultralight summit pack instead.",
        6,
    ),
    (
        "ember-stove",
        "lea.r",
        "Sell a spare-parts kit for the Ember",
        "O-rings, a jet and a pot-support screw: small parts that end a trip when they break. "
        "A repair kit would make the stove last years longer.",
        ["repair", "sustainability"],
        "planned",
        "Yes: a spare-parts kit is planned, with a repair guide on the club.",
        14,
    ),
    (
        "ember-stove",
        "grace",
        "A windscreen that fits the Ember in winter",
        "In wind the flame goes sideways and boiling takes forever. A light folding "
        "windscreen sized for the Ember would help.",
        ["winter", "wind"],
        "open",
        "",
        7,
    ),
    (
        "gold-lab",
        "jb_alpes",
        "Des renforts d’épaules pour le portage",
        "Avec un sac lourd, les épaules de la Nordwand s’usent en deux saisons. Un renfort "
        "en Cordura à cet endroit serait bienvenu.",
        ["durabilité", "portage"],
        "under_review",
        "Merci : nous testons deux renforts avec nos guides partenaires.",
        5,
    ),
]

COMMENTS = [
    (
        "anna_hikes",
        "summit-2-tent",
        0,
        "I tried the new clips last weekend: pitched in four minutes with a head torch.",
    ),
    ("priya", "summit-2-tent", 1, "Yes please! 300 g is a lot over a week."),
    ("lucas", "summit-2-tent", 1, "Attention à la durabilité du silnylon au soleil, quand même."),
    ("maya", "ridge-45-pack", 4, "Phone and a small map, that's all I need there."),
    (
        "jb_alpes",
        "ember-stove",
        7,
        "Un kit de réparation, c’est exactement ce qu’il faut en refuge.",
    ),
]


def _member(username: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.username == username))


def seed_ideas(seed: int = 12) -> str:
    """Create the demo boards and ideas once (an existing board means done)."""
    if db.session.scalar(select(func.count()).select_from(IdeaBoard)):
        return "already there"
    boards.ensure_default_statuses()
    db.session.commit()
    admin = db.session.scalar(select(Member).where(Member.role == "admin").limit(1))
    product = _member("ines.product") or db.session.scalar(
        select(Member).where(Member.role == "product").limit(1)
    )
    if admin is None or product is None:
        return "no demo members: run the members' seed first"
    rng = random.Random(seed)
    made: dict[str, IdeaBoard] = {}
    for position, (slug, interest, en, fr, den, dfr, rule) in enumerate(BOARDS):
        interest_id = db.session.scalar(select(Interest.id).where(Interest.slug == interest))
        made[slug] = boards.save_board(
            admin,
            {
                "slug": slug,
                "name_en": en,
                "name_fr": fr,
                "description_en": den,
                "description_fr": dfr,
                "product_interest_id": interest_id,
                "product": en,
                "position": (position + 1) * 10,
                "audience": rule,
            },
        )
    members = list(
        db.session.scalars(
            select(Member)
            .where(Member.role == "member", Member.erased_at.is_(None))
            .order_by(Member.id)
        )
    )
    now = utcnow()
    ideas: dict[tuple[str, int], Idea] = {}
    per_board: dict[str, int] = {}
    for n, (board_slug, author_name, title, body, tags, status, response, votes) in enumerate(
        IDEAS
    ):
        author = _member(author_name)
        board = made[board_slug]
        if author is None or not boards.can_see_board(author, board):
            continue
        idea = services.create_idea(author, board.id, title, body, tags)
        index = per_board.get(board_slug, 0)
        per_board[board_slug] = index + 1
        ideas[(board_slug, index)] = idea
        eligible = [m for m in members if m.id != author.id and boards.can_see_board(m, board)]
        rng.shuffle(eligible)
        for voter in eligible[:votes]:
            services.vote(voter, idea.id, rng.choices((1, 2, 3), (5, 3, 2))[0])
        if status == "shipped":
            workflow.change_status(
                product, idea.id, "planned", "On the list for next year's range."
            )
            workflow.change_status(product, idea.id, "in_progress", "")
        if status != "open":
            workflow.change_status(product, idea.id, status, response)
        _spread(idea, now - timedelta(days=70 - n * 6), now, rng)
    for username, board_slug, index, text in COMMENTS:
        commenter = _member(username)
        idea = ideas.get((board_slug, index))
        if (
            commenter is not None
            and idea is not None
            and boards.can_see_board(commenter, idea.board)
        ):
            services.comment(commenter, idea.id, text)
    return f"{len(made)} boards, {len(ideas)} ideas"


def _spread(idea: Idea, created: object, now: object, rng: random.Random) -> None:
    """Backdate an idea, its votes and its timeline so the demo has a history."""
    with unit_of_work():
        span = (now - created).total_seconds()  # type: ignore[operator]
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(created_at=created, last_activity_at=now)
        )
        vote_ids = list(db.session.scalars(select(IdeaVote.id).where(IdeaVote.idea_id == idea.id)))
        for vote_id in vote_ids:
            at = created + timedelta(seconds=rng.uniform(0.02, 0.7) * span)  # type: ignore[operator]
            db.session.execute(update(IdeaVote).where(IdeaVote.id == vote_id).values(created_at=at))
        changes = list(
            db.session.scalars(
                select(IdeaStatusChange)
                .where(IdeaStatusChange.idea_id == idea.id)
                .order_by(IdeaStatusChange.id)
            )
        )
        for k, change in enumerate(changes):
            at = created + timedelta(seconds=(0.72 + 0.08 * k) * span)  # type: ignore[operator]
            change.created_at = at
        if changes:
            last = changes[-1].created_at
            first = changes[0].created_at
            values = {"status_changed_at": last, "first_response_at": first}
            if idea.shipped_at is not None:
                values["shipped_at"] = last
            db.session.execute(update(Idea).where(Idea.id == idea.id).values(**values))
