"""Demo data of the forums' second pass: a Q&A category with solved topics, and reactions.

Called by `seed_forums` inside its unit of work, after the topics and posts are written:
"Repair & care" becomes the Q&A category; about two of its topics in three (those with
replies by someone other than the asker) get their most liked such reply as the solution;
one post in eight with likes gets a few reactions from other members. Deterministic.
"""

from __future__ import annotations

import random
from collections import defaultdict

from sqlalchemy import select, update

from app.community.forums.models import Category, Post, PostReaction, Topic
from app.community.forums.services.reactions import DEFAULT_REACTIONS
from app.core.time import utcnow
from app.extensions import db

QA_CATEGORIES = ("repair-care",)


def seed_comforts(member_ids: list[int], rng: random.Random | None = None) -> None:
    rng = rng or random.Random(20261129)
    db.session.execute(update(Category).where(Category.slug.in_(QA_CATEGORIES)).values(qa=True))
    _solutions(rng)
    _reactions(rng, member_ids)
    db.session.flush()


def _solutions(rng: random.Random) -> None:
    rows = db.session.execute(
        select(Topic.id, Topic.author_id, Post.id, Post.author_id, Post.like_count)
        .join(Category, Category.id == Topic.category_id)
        .join(Post, Post.topic_id == Topic.id)
        .where(
            Category.slug.in_(QA_CATEGORIES),
            Post.post_number > 1,
            Post.deleted_at.is_(None),
            Topic.deleted_at.is_(None),
        )
        .order_by(Topic.id, Post.like_count.desc(), Post.post_number)
    ).all()
    best: dict[int, int] = {}
    for topic_id, asker_id, post_id, author_id, _likes in rows:
        if author_id != asker_id and topic_id not in best:
            best[topic_id] = post_id
    for topic_id, post_id in sorted(best.items()):
        if rng.random() < 0.67:
            db.session.execute(
                update(Topic)
                .where(Topic.id == topic_id)
                .values(solution_post_id=post_id, solved=True)
            )


def _reactions(rng: random.Random, member_ids: list[int]) -> None:
    posts = db.session.execute(
        select(Post.id, Post.author_id)
        .where(Post.like_count > 0, Post.deleted_at.is_(None))
        .order_by(Post.id)
    ).all()
    rows = []
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    now = utcnow()
    for post_id, author_id in posts:
        if rng.random() >= 0.125:
            continue
        others = [m for m in member_ids if m != author_id]
        # Distinct members per post: (post, member, reaction) stays unique.
        for member_id in rng.sample(others, k=min(len(others), rng.randint(1, 3))):
            reaction = rng.choice(DEFAULT_REACTIONS)
            rows.append(
                {"post_id": post_id, "member_id": member_id, "reaction": reaction,
                 "created_at": now}
            )  # fmt: skip
            counts[post_id][reaction] = counts[post_id].get(reaction, 0) + 1
    if rows:
        db.session.execute(PostReaction.__table__.insert(), rows)
    for post_id, reactions in counts.items():
        db.session.execute(update(Post).where(Post.id == post_id).values(reaction_counts=reactions))
