"""Demo data of the single customer view: a year of purchases, store visits, support tickets
and newsletter clicks for every demo member, recorded through the same pipeline as the API
(so profiles, ledgers and tiers are what they would be). Idempotent: fixed source keys."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.engagement.backfill import backfill
from app.members.engagement.pipeline import Activity, record
from app.members.models import Member

PRODUCTS = [
    ("TENT-2P", "Alpenglow Ridge 2 tent", 349),
    ("JKT-SHELL", "Storm shell jacket", 229),
    ("BOOT-HIKE", "Trail boots", 179),
    ("PACK-45", "45 L backpack", 159),
    ("STOVE-GAS", "Compact gas stove", 59),
    ("LAMP-HEAD", "Head torch", 39),
]


def demo_activities(
    member_id: int, rng: random.Random, newest: int = 0, oldest: int = 364
) -> list[Activity]:
    """A year (or the window `newest`..`oldest` days ago) of the other channels."""
    now = utcnow()
    # A few big spenders, most occasional buyers, some who never buy (the 80/20 shape).
    buys = rng.choice([0, 0, 1, 1, 2, 3, 4, 6, 10, 16])
    out = []
    for i in range(buys):
        sku, name, price = rng.choice(PRODUCTS)
        qty = rng.choice([1, 1, 1, 2])
        at = now - timedelta(days=rng.randint(newest, oldest), minutes=rng.randint(0, 1440))
        out.append(
            Activity(
                "purchase",
                at,
                f"demo:{member_id}:purchase:{i}",
                member_id=member_id,
                channel="shop",
                value_cents=price * qty * 100,
                properties={
                    "amount": f"{price * qty}.00",
                    "currency": "EUR",
                    "products": [{"sku": sku, "name": name, "quantity": qty}],
                },
            )
        )
    for kind, channel, n in (
        ("store_visit", "store", rng.randint(0, 4)),
        ("support_ticket", "support", rng.randint(0, 2)),
        ("newsletter_click", "newsletter", rng.randint(0, 8)),
    ):
        for i in range(n):
            at = now - timedelta(days=rng.randint(newest, oldest), minutes=rng.randint(0, 1440))
            out.append(
                Activity(
                    kind, at, f"demo:{member_id}:{kind}:{i}", member_id=member_id, channel=channel
                )
            )
    out.sort(key=lambda a: a.occurred_at)
    return out


def community_activities(rng: random.Random, member_ids: list[int]) -> list[Activity]:
    """What the forum seed did (it writes its tables without domain events), as the
    engagement subscriber would have logged it: posts, replies and likes given and
    received, plus the logins and topic views around them. The forums are only read."""
    from app.community.forums import access
    from app.community.forums.models import Post, PostLike, Topic

    interest_of = {c.id: c.interest_id for c in access.all_categories()}
    now = utcnow()
    posts = db.session.execute(
        select(
            Post.id,
            Post.topic_id,
            Post.post_number,
            Post.author_id,
            Post.created_at,
            Topic.category_id,
        )
        .join(Topic, Topic.id == Post.topic_id)
        .where(Post.deleted_at.is_(None), Topic.deleted_at.is_(None))
    ).all()
    by_id = {p.id: p for p in posts}
    out = []
    for p in posts:
        kind = "posted" if p.post_number == 1 else "replied"
        out.append(
            Activity(
                kind,
                p.created_at,
                f"demo:post:{p.id}",
                member_id=p.author_id,
                object_type="post",
                object_id=str(p.id),
                interest_id=interest_of.get(p.category_id),
                properties={"topic_id": p.topic_id},
            )
        )
    for like_id, post_id, liker, at in db.session.execute(
        select(PostLike.id, PostLike.post_id, PostLike.member_id, PostLike.created_at)
    ):
        post = by_id.get(post_id)
        if post is None:
            continue
        common = {"object_type": "post", "object_id": str(post_id)}
        # The forum seed stamps some likes with the time it ran: a like comes hours after
        # the post in the log (never later than its own stamp, never in the future).
        posted, latest = aware(post.created_at), min(aware(at), now)
        at = posted + timedelta(hours=rng.randint(1, 72))
        if at > latest:
            at = posted + (latest - posted) * rng.random()
        out.append(
            Activity(
                "liked",
                at,
                f"demo:like:{like_id}",
                member_id=liker,
                interest_id=interest_of.get(post.category_id),
                properties={"topic_id": post.topic_id},
                **common,
            )
        )
        if post.author_id != liker:
            out.append(
                Activity(
                    "like_received",
                    at,
                    f"demo:like:{like_id}:received",
                    member_id=post.author_id,
                    properties={"liker_id": liker, "topic_id": post.topic_id},
                    **common,
                )
            )
    # Reading and visiting: a few topic views around each post, logins on active weeks.
    topics = [(p.topic_id, p.category_id) for p in posts if p.post_number == 1]
    for member_id in member_ids:
        weeks = rng.choice([4, 10, 20, 35, 50])
        for week in sorted(rng.sample(range(52), k=weeks)):
            at = now - timedelta(weeks=week, hours=rng.randint(0, 160))
            out.append(
                Activity("logged_in", at, f"demo:{member_id}:login:{week}", member_id=member_id)
            )
            for n, (topic_id, category_id) in enumerate(rng.sample(topics, k=min(3, len(topics)))):
                out.append(
                    Activity(
                        "topic_viewed",
                        at + timedelta(minutes=2 + n * 5),
                        f"demo:{member_id}:view:{week}:{n}",
                        member_id=member_id,
                        object_type="topic",
                        object_id=str(topic_id),
                        interest_id=interest_of.get(category_id),
                    )
                )
    return out


def _consents(rng: random.Random, member_ids: list[int]) -> None:
    """Most demo members consent to personalisation (so affinities show); some do not."""
    from app.members.engagement.models import MemberConsent

    have = set(db.session.scalars(select(MemberConsent.member_id)))
    now = utcnow()
    with unit_of_work():
        for member_id in member_ids:
            if member_id in have:
                continue
            personalise = rng.random() < 0.7
            db.session.add(
                MemberConsent(
                    member_id=member_id,
                    personalisation=personalise,
                    personalisation_since=now - timedelta(days=400) if personalise else None,
                    marketing_email=rng.random() < 0.5,
                    updated_at=now,
                )
            )


FIRST = (
    "Alex",
    "Bea",
    "Chris",
    "Dana",
    "Eli",
    "Fatou",
    "Gil",
    "Hana",
    "Ivo",
    "Jade",
    "Karim",
    "Lou",
    "Mina",
    "Nils",
    "Olga",
    "Pablo",
    "Quentin",
    "Rita",
    "Sven",
    "Tara",
    "Ugo",
    "Vera",
)
LAST = (
    "Meyer",
    "Blanc",
    "Costa",
    "Novak",
    "Laurent",
    "Berg",
    "Silva",
    "Moreau",
    "Keller",
    "Roche",
    "Young",
    "Weber",
)
# The customers the brand knows beyond its forum regulars: (kind, how many).
QUIET = (("buyer", 60), ("lurker", 45), ("at_risk", 25), ("lapsed", 40), ("new", 20))


def _quiet_customers(rng: random.Random) -> list[tuple[int, str]]:
    """Members who buy, read or have drifted away, without posting: what most of a
    brand's customers look like next to its forum regulars. Idempotent (fixed names)."""
    from sqlalchemy import insert

    from app.members.passwords import hash_password
    from app.members.seed import DEMO_PASSWORD

    names = [(first, last) for last in LAST for first in FIRST]
    rng.shuffle(names)
    wanted = []
    for kind, count in QUIET:
        for _ in range(count):
            first, last = names.pop()
            wanted.append((kind, f"{first.lower()}.{last.lower()}", f"{first} {last}"))
    existing = dict(
        db.session.execute(
            select(Member.username_lower, Member.id).where(
                Member.username_lower.in_([u for _k, u, _n in wanted])
            )
        ).all()
    )
    now = utcnow()
    password_hash = hash_password(DEMO_PASSWORD)
    rows = []
    for kind, username, name in wanted:
        if username in existing:
            continue
        days = {"new": rng.randint(1, 28), "lapsed": rng.randint(200, 700)}.get(
            kind, rng.randint(40, 700)
        )
        joined = now - timedelta(days=days, hours=rng.randint(0, 23))
        rows.append(
            {
                "username": username,
                "username_lower": username,
                "email": f"{username}@example.com",
                "password_hash": password_hash,
                "display_name": name,
                "bio": "",
                "role": "member",
                "tier": "bronze",
                "points": 0,
                "locale": rng.choice(["en", "fr"]),
                "auth_version": 1,
                "email_verified_at": joined,
                "created_at": joined,
                "last_seen_at": joined,
                "external_id": f"AG-{10000 + len(existing) + len(rows)}",
            }
        )
    if rows:
        with unit_of_work():
            db.session.execute(insert(Member), rows)
    ids = dict(
        db.session.execute(
            select(Member.username_lower, Member.id).where(
                Member.username_lower.in_([u for _k, u, _n in wanted])
            )
        ).all()
    )
    return [(ids[u], kind) for kind, u, _n in wanted]


def _quiet_activities(member_id: int, kind: str, joined: Any, rng: random.Random) -> list[Activity]:
    now = utcnow()
    age = max(1, (now - aware(joined)).days)
    # (newest, oldest) days ago of their activity: the lapsed stopped long ago.
    newest, oldest = {
        "lapsed": (100, min(age, 360)),
        "at_risk": (32, min(age, 300)),
        "new": (0, age),
    }.get(kind, (0, min(age, 364)))
    newest = min(newest, oldest)
    out = [Activity("registered", joined, f"demo:{member_id}:registered", member_id=member_id)]
    if kind in ("buyer", "at_risk", "lapsed"):
        out += demo_activities(member_id, rng, newest, oldest)
    visits = {"lurker": 14, "new": 4}.get(kind, 3)
    for n in range(rng.randint(1, visits)):
        at = now - timedelta(days=rng.randint(newest, oldest), minutes=rng.randint(0, 1440))
        out.append(Activity("logged_in", at, f"demo:{member_id}:qlogin:{n}", member_id=member_id))
    return out


def seed_demo() -> str:
    # One generator per purpose and member: a second run draws the same (and adds nothing).
    seed = 20261129
    started = utcnow()
    member_ids = list(
        db.session.scalars(select(Member.id).where(Member.erased_at.is_(None)).order_by(Member.id))
    )
    # The demo accounts' tiers are part of the tour (a Bronze member who never sees the
    # Gold Lounge): the history below must not move them.
    seeded_tiers = dict(
        db.session.execute(select(Member.id, Member.tier).where(Member.id.in_(member_ids))).all()
    )
    quiet = _quiet_customers(random.Random(seed))
    regulars = [m for m in member_ids if m not in {q for q, _k in quiet}]
    _consents(random.Random(seed + 1), member_ids + [q for q, _k in quiet])
    activities = [a for m in regulars for a in demo_activities(m, random.Random(seed + m))]
    activities += community_activities(random.Random(seed + 2), regulars)
    joined = dict(
        db.session.execute(
            select(Member.id, Member.created_at).where(Member.id.in_([q for q, _k in quiet]))
        ).all()
    )
    for member_id, kind in quiet:
        activities += _quiet_activities(
            member_id, kind, joined[member_id], random.Random(seed + member_id)
        )
    # In time order, as they would have arrived: each profile is folded in that order.
    activities.sort(key=lambda a: (aware(a.occurred_at), a.source_key))
    added = 0
    for start in range(0, len(activities), 2000):
        with backfill(), unit_of_work():  # history: stored, not announced
            added += record(activities[start : start + 2000]).inserted
    _keep_tiers(seeded_tiers)
    _lifecycle_history(member_ids + [q for q, _k in quiet], started)
    return f"{added} events (community and channels) for {len(regulars) + len(quiet)} members"


def _keep_tiers(seeded: dict[int, str]) -> None:
    """Correct each demo member's opening balance so that their rolling points land in the
    middle of the tier they were seeded with (one ledger entry each, once)."""
    from app.members.loyalty import ledger

    levels = ledger.thresholds()
    bands = {
        key: (needed, levels[i + 1][1] if i + 1 < len(levels) else needed * 2)
        for i, (key, needed) in enumerate(levels)
    }
    current = dict(
        db.session.execute(select(Member.id, Member.tier).where(Member.id.in_(seeded))).all()
    )
    moved = [m for m, tier in seeded.items() if current.get(m) != tier]
    if not moved:
        return
    with backfill(), unit_of_work():
        standing = ledger.standing(moved)
        for member_id in moved:
            low, high = bands[seeded[member_id]]
            wanted = (low + high) // 2
            ledger.adjust(
                member_id,
                wanted - standing[member_id][1],
                f"seed:tier:{member_id}",
                "Opening balance",
            )


def _lifecycle_history(member_ids: list[int], started: Any) -> None:
    """A year of lifecycle history, as the hourly job would have written it week by week
    (the seed records a year in a minute: its own changes all say "today")."""
    from sqlalchemy import delete, insert, update

    from app.members.engagement import rollups
    from app.members.engagement.models import EngagementEvent, LifecycleChange, MemberProfile

    weights, _affinity, lapsed = rollups._settings()
    now = utcnow()
    checkpoints = [now - timedelta(weeks=w) for w in range(52, 0, -1)]
    stored = dict(
        db.session.execute(
            select(MemberProfile.member_id, MemberProfile.stage).where(
                MemberProfile.member_id.in_(member_ids)
            )
        ).all()
    )
    with unit_of_work():
        db.session.execute(
            delete(LifecycleChange).where(
                LifecycleChange.member_id.in_(member_ids), LifecycleChange.changed_at >= started
            )
        )
        changes, last_change = [], {}
        for member_id in member_ids:
            rows = db.session.execute(
                select(*rollups.row_columns())
                .where(EngagementEvent.member_id == member_id)
                .order_by(EngagementEvent.occurred_at, EngagementEvent.id)
            ).all()
            profile, stage, i = rollups.empty_profile(), None, 0
            for checkpoint in [*checkpoints, now]:
                while i < len(rows) and aware(rows[i].occurred_at) <= checkpoint:
                    rollups.fold(profile, rollups.Row(*rows[i]), weights, lapsed)
                    i += 1
                if not profile["event_count"]:
                    continue
                new = stored.get(member_id) if checkpoint is now else None
                new = new or rollups.stage_for(profile, checkpoint)
                if new != stage:
                    changes.append(
                        {
                            "member_id": member_id,
                            "old_stage": stage,
                            "new_stage": new,
                            "changed_at": checkpoint,
                        }
                    )
                    stage, last_change[member_id] = new, checkpoint
        if changes:
            db.session.execute(insert(LifecycleChange), changes)
        for member_id, at in last_change.items():
            db.session.execute(
                update(MemberProfile)
                .where(MemberProfile.member_id == member_id)
                .values(stage_changed_at=at)
            )
