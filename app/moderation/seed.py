"""The demo club's moderation: held posts from a new member, a flagged post, an expired
silence, and twelve weeks of handled items so the metrics have a story to tell.

Idempotent: nothing is added once the demo queue exists. Writes go through the services
where a member would act (replies, flags), so the held posts are held by the same rules as
in real use; the history of handled items is written directly, in the past.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from app.community.forums import services as forum_services
from app.community.forums.models import Post, Topic
from app.community.forums.services import moderation_state
from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation.models import AuditEntry, Flag, ReviewItem, Sanction

NEW_MEMBER = ("ben.newcomer", "Ben Newcomer")
HELD_REPLIES = (
    "Great deals on tents here: https://cheap-tents.example and https://tents-outlet.example",
    "Bonjour ! Je vends mon réchaud, tout neuf : https://leboncoin.example/rechaud",
)
FLAG_REASONS = ("spam", "off_topic", "abusive", "spam", "other")


def _member(username: str) -> Member | None:
    return db.session.scalar(select(Member).where(Member.username_lower == username.lower()))


def _new_member() -> Member:
    from app.members.passwords import hash_password
    from app.members.seed import DEMO_PASSWORD

    member = _member(NEW_MEMBER[0])
    if member is None:
        with unit_of_work():
            member = Member(
                username=NEW_MEMBER[0],
                username_lower=NEW_MEMBER[0],
                email="ben.newcomer@example.com",
                password_hash=hash_password(DEMO_PASSWORD),
                display_name=NEW_MEMBER[1],
                role="member",
                tier="bronze",
                locale="en",
                email_verified_at=utcnow(),
                trust_level=0,
            )
            db.session.add(member)
    return member


def _held(post: Post, reason: str) -> None:
    """Held by the posting rules already, or held here the same way (demo without rules)."""
    from app.moderation.review import open_item

    db.session.refresh(post)
    with unit_of_work():
        if post.moderation_state == "visible":
            moderation_state.hold_post(post, reason)
        open_item(post, "held", reason, {}, 0)


def _recent_topics(limit: int) -> list[Topic]:
    return list(
        db.session.scalars(
            select(Topic)
            .where(Topic.deleted_at.is_(None), Topic.moderation_state == "visible")
            .order_by(Topic.last_posted_at.desc())
            .limit(limit)
        )
    )


def _history(rng: random.Random, staff: list[Member], flaggers: list[Member]) -> int:
    """Twelve weeks of items already handled (on visible posts, dismissed or approved), with
    the flags behind them: what the metrics page charts."""
    posts = list(
        db.session.scalars(
            select(Post)
            .join(Topic, Topic.id == Post.topic_id)
            .where(
                Post.deleted_at.is_(None),
                Post.moderation_state == "visible",
                Post.post_number > 1,
                Topic.moderation_state == "visible",
            )
            .order_by(Post.id.desc())
            .limit(60)
        )
    )
    now = utcnow()
    made = 0
    plan = []
    for index, post in enumerate(posts[12:48]):
        opened = now - timedelta(days=rng.randint(4, 83), hours=rng.randint(0, 23))
        plan.append((opened, index, post))
    plan.sort(key=lambda step: step[0])  # ids follow time, as in real use
    with unit_of_work():
        for opened, index, post in plan:
            waited = timedelta(minutes=rng.randint(10, 60 * 30))
            flagger = flaggers[index % len(flaggers)]
            if flagger.id == post.author_id:
                continue
            reason = FLAG_REASONS[index % len(FLAG_REASONS)]
            db.session.add(
                Flag(
                    post_id=post.id,
                    topic_id=post.topic_id,
                    member_id=flagger.id,
                    reason=reason,
                    comment="Not sure this belongs here." if reason == "other" else "",
                    weight=1,
                    created_at=opened,
                    status="rejected",
                )
            )
            item = ReviewItem(
                kind="flagged",
                post_id=post.id,
                topic_id=post.topic_id,
                category_id=post.topic.category_id,
                author_id=post.author_id,
                reason="flags",
                details={"reasons": ["flags"], f"flags_{reason}": 1},
                flag_weight=1,
                status="dismissed" if index % 3 else "approved",
                created_at=opened,
                first_action_at=opened + waited,
                resolved_at=opened + waited,
                resolved_by_id=staff[index % len(staff)].id,
                resolution_note="",
            )
            db.session.add(item)
            db.session.flush()
            # Every staff decision has its audit entry, at the time it was made.
            decision = item.status
            db.session.add(
                AuditEntry(
                    actor_id=item.resolved_by_id,
                    action=f"review_{decision}",
                    target_type="post",
                    target_id=post.id,
                    details={
                        "item_id": item.id,
                        "topic_id": post.topic_id,
                        "author_id": post.author_id,
                        "before": {"status": "pending"},
                        "after": {"status": decision},
                        "reason": "",
                    },
                    created_at=item.resolved_at,
                )
            )
            made += 1
    return made


def seed_moderation() -> str:
    """The demo queue (see the module docstring); returns what it added."""
    if _member(NEW_MEMBER[0]) is not None:  # the demo's newcomer: seeded before
        return "already seeded"
    staff = list(db.session.scalars(select(Member).where(Member.role.in_(("moderator", "admin")))))
    regulars = list(
        db.session.scalars(select(Member).where(Member.role == "member").order_by(Member.id))
    )
    topics = _recent_topics(4)
    if not staff or len(regulars) < 4 or len(topics) < 3:
        return "skipped: seed the members and forums first"
    rng = random.Random(20261129)
    newcomer = _new_member()
    # Held: a new member's first replies, with links.
    held = 0
    for topic, body in zip(topics[:2], HELD_REPLIES, strict=True):
        post = forum_services.reply(newcomer, topic.id, body)
        _held(post, "new_member")
        held += 1
    # Flagged: two trusted members flag a recent reply (below the hiding threshold).
    from app.moderation.flags import flag_post

    target = db.session.scalar(
        select(Post)
        .where(
            Post.topic_id == topics[2].id,
            Post.post_number > 1,
            Post.deleted_at.is_(None),
            Post.moderation_state == "visible",
        )
        .order_by(Post.post_number.desc())
        .limit(1)
    )
    flagged = 0
    if target is not None:
        for flagger, reason in zip(regulars[:2], ("spam", "off_topic"), strict=True):
            if flagger.id != target.author_id:
                flag_post(flagger, target.id, reason)
                flagged += 1
    history = _history(rng, staff, regulars[2:] or regulars)
    # An expired silence (after the history, so the audit log's ids follow time): two days
    # ago for one day; the member may write again.
    noisy = regulars[-1]
    with unit_of_work():
        start = utcnow() - timedelta(days=2)
        silence = Sanction(
            member_id=noisy.id,
            kind="silence",
            reason="Repeated off-topic posts after a warning.",
            starts_at=start,
            ends_at=start + timedelta(days=1),
            created_by_id=staff[0].id,
            created_at=start,
        )
        db.session.add(silence)
        db.session.flush()
        db.session.add(
            AuditEntry(
                actor_id=staff[0].id,
                action="member_silenced",
                target_type="member",
                target_id=noisy.id,
                details={
                    "sanction_id": silence.id,
                    "reason": silence.reason,
                    "before": None,
                    "after": {"kind": "silence", "ends_at": silence.ends_at.isoformat()},
                },
                created_at=start,
            )
        )
    return (
        f"{held} held posts, {flagged} flags waiting, 1 expired silence, "
        f"{history} handled items in the last 12 weeks"
    )


def register(app) -> None:  # type: ignore[no-untyped-def]
    """`flask seed demo` runs this after the forums and polls (it reads their posts)."""
    from app.core.cli import Seeder, add_seeder

    add_seeder(app, Seeder("moderation", 70, demo=seed_moderation))
