"""Demo polls for the Alpenglow Club: a colour poll for everyone (embedded in a Nordwand
jacket topic), a ranked expedition-tent poll for Gold members and above (quota per tier),
and a closed 0–10 scale about the Ember stove; answered by members of every tier, in
English and French. The tour's accounts (anna_hikes, hugo, grace) are left to answer."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update

from app.community.polls import services
from app.community.polls.models import Poll, PollAnswer
from app.core.errors import ServiceError
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member

LEFT_FOR_THE_TOUR = {"anna_hikes", "hugo", "grace"}

COLOUR_POLL: dict[str, Any] = {
    "title_en": "Which colour should the next Nordwand jacket come in?",
    "title_fr": "Quelle couleur pour la prochaine veste Nordwand ?",
    "description_en": "We are choosing **one new colour** for next winter's Nordwand shell. "
    "The samples are on the way to the team: tell us which one you would wear.",
    "description_fr": "Nous choisissons **une nouvelle couleur** pour la veste Nordwand de "
    "l'hiver prochain. Dites-nous laquelle vous porteriez.",
    "kind": "single",
    "options": [
        {"label_en": "Glacier blue", "label_fr": "Bleu glacier"},
        {"label_en": "Moss green", "label_fr": "Vert mousse"},
        {"label_en": "Ember orange", "label_fr": "Orange braise"},
        {"label_en": "Basalt black", "label_fr": "Noir basalte"},
    ],
    "results_visibility": "after_vote",
    "outsiders": "read_only",
    "anonymous": "on",
    "weight_attribute": "tier",
}

TENT_POLL: dict[str, Any] = {
    "title_en": "Gold members: what matters most in our next expedition tent?",
    "title_fr": "Membres Or et Platine : qu'est-ce qui compte le plus pour notre prochaine "
    "tente d'expédition ?",
    "description_en": "You have slept in our tents more than anyone. Rank the three that "
    "matter most to you: 1 is your first choice.",
    "description_fr": "Vous avez dormi dans nos tentes plus que quiconque. Classez les trois "
    "critères qui comptent le plus : 1 est votre premier choix.",
    "kind": "ranked",
    "min_choices": "3",
    "max_choices": "3",
    "options": [
        {"label_en": "Weight under 2 kg", "label_fr": "Moins de 2 kg"},
        {"label_en": "Storm stability", "label_fr": "Tenue dans la tempête"},
        {"label_en": "Two vestibules", "label_fr": "Deux absides"},
        {"label_en": "Pitch in under 3 minutes", "label_fr": "Montage en moins de 3 minutes"},
        {"label_en": "Recycled fabrics", "label_fr": "Tissus recyclés"},
    ],
    "audience_min_tier": "gold",
    "outsiders": "read_only",
    "results_visibility": "after_vote",
    "anonymous": "",
    "weight_attribute": "tier",
    "quota_attribute": "tier",
    "quotas": {"gold": "200", "platinum": "100"},
}

STOVE_POLL: dict[str, Any] = {
    "title_en": "How likely are you to recommend the Ember stove to a friend?",
    "title_fr": "Recommanderiez-vous le réchaud Ember à un ami ?",
    "kind": "number",
    "number_min": "0",
    "number_max": "10",
    "number_step": "1",
    "min_label_en": "Not at all",
    "min_label_fr": "Pas du tout",
    "max_label_en": "Without a doubt",
    "max_label_fr": "Sans hésiter",
    "results_visibility": "after_close",
    "outsiders": "read_only",
    "anonymous": "on",
    "weight_attribute": "stage",
}


def _jacket_topic() -> int | None:
    from app.community.forums.models import Topic

    return db.session.scalar(
        select(Topic.id).where(Topic.title.ilike("%Nordwand%")).order_by(Topic.id).limit(1)
    )


def seed_polls() -> str:
    """Create the demo polls and their answers once (idempotent: nothing when polls exist)."""
    if db.session.scalar(select(func.count()).select_from(Poll)):
        return "polls already there"
    author = db.session.scalar(select(Member).where(Member.username_lower == "ines.product"))
    if author is None:
        return "no product team member: skipped"
    rng = random.Random(12)
    now = utcnow()
    members = [
        m
        for m in db.session.scalars(
            select(Member)
            .where(Member.role == "member", Member.erased_at.is_(None))
            .order_by(Member.id)
        )
        if m.username_lower not in LEFT_FOR_THE_TOUR
    ]
    topic_id = _jacket_topic()
    colour = services.create_poll(
        author,
        {
            **COLOUR_POLL,
            "opens_at": now - timedelta(days=12),
            "closes_at": now + timedelta(days=18),
            "topic_id": str(topic_id or ""),
        },
    )
    tent = services.create_poll(
        author,
        {**TENT_POLL, "opens_at": now - timedelta(days=6), "closes_at": now + timedelta(days=24)},
    )
    stove = services.create_poll(author, {**STOVE_POLL, "opens_at": now - timedelta(days=40)})
    answered = 0
    colour_weights = {
        "bronze": (5, 3, 1, 2),
        "silver": (3, 4, 2, 2),
        "gold": (2, 5, 1, 3),
        "platinum": (1, 4, 1, 4),
    }
    for member in members:
        if rng.random() < 0.85:
            weights = colour_weights.get(member.tier, (1, 1, 1, 1))
            option = rng.choices(colour.options, weights=weights)[0]
            answered += _answer(
                member, colour.id, now - timedelta(days=rng.uniform(0.2, 11.5)), choices=[option.id]
            )
        if member.tier in ("gold", "platinum"):
            order = sorted(
                tent.options, key=lambda o: rng.random() * (0.5 if o.position in (0, 1) else 1.0)
            )[:3]
            ranking = {str(o.id): str(i + 1) for i, o in enumerate(order)}
            answered += _answer(
                member, tent.id, now - timedelta(days=rng.uniform(0.2, 5.5)), ranking=ranking
            )
        if rng.random() < 0.8:
            base = {"bronze": 7, "silver": 8, "gold": 8, "platinum": 9}.get(member.tier, 7)
            score = max(0, min(10, base + rng.choice((-2, -1, 0, 0, 1, 1))))
            answered += _answer(
                member, stove.id, now - timedelta(days=rng.uniform(11, 39)), number=str(score)
            )
    services.close_poll(author, stove.id)
    db.session.execute(
        update(Poll).where(Poll.id == stove.id).values(closes_at=now - timedelta(days=10))
    )
    db.session.commit()
    return f"3 polls, {answered} answers"


def _answer(member: Member, poll_id: int, at, **answer: Any) -> int:  # type: ignore[no-untyped-def]
    try:
        created = services.answer_poll(member, poll_id, **answer)
    except ServiceError:
        return 0
    db.session.execute(update(PollAnswer).where(PollAnswer.id == created.id).values(created_at=at))
    db.session.commit()
    return 1
