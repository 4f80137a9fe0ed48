"""Trust levels 0–3: moderation rights earned by taking part, as on Discourse.

A member's level is the highest whose every threshold their activity meets (levels are
reached in order). Thresholds default to Discourse's and are set by the app config
`TRUST_LEVEL_THRESHOLDS` (docs/configuration.md). The `trust_recompute` job recomputes
members whose numbers are due; staff may set a level and lock it (the job then leaves it).
Every change emits TrustLevelChanged; staff changes are audited.

What each level gets is read here too: flag weight (`flag_weight`), and the limits of
new members (held first posts, links and images, posting rate) in `new_member_check`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.community.forums.models import Post, TopicReadState, TopicViewDay
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation.events import TrustLevelChanged
from app.moderation.models import Flag, TrustStats

LEVELS = (0, 1, 2, 3)
STATS = ("days_visited", "topics_read", "posts_read", "posts", "likes_received")

# Discourse's defaults (tl1_requires_*, tl2_requires_*, tl3_requires_*), on the numbers
# Cercle keeps. `flags_upheld_max`: at most this many of the member's posts were flagged
# and the flag upheld (Discourse's tl3 "max flagged posts").
DEFAULT_THRESHOLDS: dict[int, dict[str, int]] = {
    1: {"topics_read": 5, "posts_read": 30},
    2: {
        "days_visited": 15,
        "topics_read": 20,
        "posts_read": 100,
        "posts": 3,
        "likes_received": 1,
    },
    3: {
        "days_visited": 50,
        "topics_read": 100,
        "posts_read": 500,
        "posts": 10,
        "likes_received": 20,
        "flags_upheld_max": 5,
    },
}
# Flag weight by trust level; staff flags hide at once. Three members of level 1 or 2
# reach the default threshold of 3; level 3 counts double; a level-0 flag opens review
# but cannot hide anything alone (new accounts cannot team up to hide a post).
DEFAULT_FLAG_WEIGHTS = {0: 0, 1: 1, 2: 1, 3: 2}


def thresholds() -> dict[int, dict[str, int]]:
    configured = current_app.config.get("TRUST_LEVEL_THRESHOLDS") or {}
    merged = {level: dict(values) for level, values in DEFAULT_THRESHOLDS.items()}
    for level, values in configured.items():
        merged.setdefault(int(level), {}).update(values)
    return merged


def level_for(stats: dict[str, int], table: dict[int, dict[str, int]] | None = None) -> int:
    """The highest level whose thresholds (and every lower level's) `stats` meet."""
    table = table or thresholds()
    level = 0
    for candidate in (1, 2, 3):
        needs = table.get(candidate, {})
        ok = all(
            stats.get("flags_upheld", 0) <= value
            if name == "flags_upheld_max"
            else stats.get(name, 0) >= value
            for name, value in needs.items()
        )
        if not ok:
            break
        level = candidate
    return level


def flag_weight(member: Any) -> int:
    weights = {**DEFAULT_FLAG_WEIGHTS, **(current_app.config.get("FLAG_WEIGHTS") or {})}
    return int(weights.get(int(member.trust_level or 0), 0))


# --- activity numbers --------------------------------------------------------------------


def gather(member_ids: list[int]) -> dict[int, dict[str, int]]:
    """The activity numbers of these members: four grouped queries whatever their count."""
    if not member_ids:
        return {}
    out: dict[int, dict[str, int]] = {
        m: dict.fromkeys((*STATS, "flags_upheld"), 0) for m in member_ids
    }
    # Days visited: the days a member opened a topic (the views' one row per topic, viewer
    # and day, app/community/forums/views.py).
    keys = {f"m:{m}": m for m in member_ids}
    for key, days in db.session.execute(
        select(TopicViewDay.viewer_key, func.count(func.distinct(TopicViewDay.day)))
        .where(TopicViewDay.viewer_key.in_(list(keys)))
        .group_by(TopicViewDay.viewer_key)
    ):
        out[keys[key]]["days_visited"] = int(days or 0)
    for member_id, topics, posts in db.session.execute(
        select(
            TopicReadState.member_id,
            func.count(TopicReadState.id),
            func.coalesce(func.sum(TopicReadState.last_read_post_number), 0),
        )
        .where(TopicReadState.member_id.in_(member_ids))
        .group_by(TopicReadState.member_id)
    ):
        out[member_id]["topics_read"] = int(topics)
        out[member_id]["posts_read"] = int(posts)
    for member_id, posts, likes in db.session.execute(
        select(Member.id, Member.post_count, Member.likes_received).where(Member.id.in_(member_ids))
    ):
        out[member_id]["posts"] = int(posts or 0)
        out[member_id]["likes_received"] = int(likes or 0)
    for member_id, upheld in db.session.execute(
        select(Post.author_id, func.count(func.distinct(Flag.post_id)))
        .join(Post, Post.id == Flag.post_id)
        .where(Post.author_id.in_(member_ids), Flag.status == "upheld")
        .group_by(Post.author_id)
    ):
        out[member_id]["flags_upheld"] = int(upheld)
    return out


def stats_of(member_id: int) -> dict[str, int]:
    return gather([member_id])[member_id]


# --- changing levels ---------------------------------------------------------------------


def _apply(member: Member, level: int, actor_id: int | None, locked: bool) -> bool:
    old = int(member.trust_level or 0)
    changed = old != level or bool(member.trust_level_locked) != locked
    if not changed:
        return False
    member.trust_level = level
    member.trust_level_locked = locked
    if actor_id is None:
        from app.moderation.subscribers import record

        # Staff changes are recorded by set_trust_level with their reason; the recompute's
        # own changes are recorded here, so every change of level has its entry.
        record(None, "trust_level_recomputed", "member", member.id, before=old, after=level)
    emit(
        TrustLevelChanged(
            member_id=member.id, old_level=old, new_level=level, locked=locked, actor_id=actor_id
        )
    )
    return True


def recompute_members(member_ids: list[int]) -> int:
    """Recompute these members' levels from their activity (locked levels stay); the
    snapshot of their numbers is stored. Inside the caller's unit of work. Returns how
    many levels changed."""
    numbers = gather(member_ids)
    table = thresholds()
    now = utcnow()
    changed = 0
    members = db.session.scalars(select(Member).where(Member.id.in_(member_ids))).all()
    for member in members:
        stats = numbers[member.id]
        db.session.execute(
            dialect_insert(TrustStats)
            .values(member_id=member.id, days_visited=0)
            .on_conflict_do_nothing(index_elements=["member_id"])
        )
        db.session.execute(
            update(TrustStats)
            .where(TrustStats.member_id == member.id)
            .values(
                days_visited=stats["days_visited"],
                topics_read=stats["topics_read"],
                posts_read=stats["posts_read"],
                flags_upheld=stats["flags_upheld"],
                computed_at=now,
            ),
            execution_options={"synchronize_session": False},
        )
        if member.trust_level_locked or member.is_staff or member.erased_at is not None:
            continue
        if _apply(member, level_for(stats, table), None, False):
            changed += 1
    return changed


def mark_due(member_id: int | None) -> None:
    """The member did something that counts (read a topic today, posted, got a like): the
    next `trust_recompute` run takes them first (computed_at NULL), not in 6 hours."""
    if member_id is None:
        return
    db.session.execute(
        dialect_insert(TrustStats)
        .values(member_id=member_id, days_visited=0, computed_at=None)
        .on_conflict_do_update(index_elements=["member_id"], set_={"computed_at": None})
    )


def register(bus: Any) -> None:
    """`trust_activity` (durable): activity marks the member due for a recompute."""
    from app.community.forums.events import PostCreated, PostLiked, TopicViewed

    bus.subscribe_durable(
        "trust_activity",
        {
            TopicViewed: lambda evt: mark_due(evt.member_id),
            PostCreated: lambda evt: mark_due(evt.author_id),
            PostLiked: lambda evt: mark_due(evt.post_author_id),
        },
    )


RECOMPUTE_BATCH = 500
RECOMPUTE_EVERY = timedelta(hours=6)


def recompute_due(limit: int = RECOMPUTE_BATCH) -> int:
    """The job: members not recomputed for RECOMPUTE_EVERY (or never), oldest first."""
    cutoff = utcnow() - RECOMPUTE_EVERY
    ids = list(
        db.session.scalars(
            select(Member.id)
            .outerjoin(TrustStats, TrustStats.member_id == Member.id)
            .where((TrustStats.computed_at.is_(None)) | (TrustStats.computed_at < cutoff))
            .order_by(TrustStats.computed_at.is_not(None), TrustStats.computed_at, Member.id)
            .limit(limit)
        )
    )
    if not ids:
        return 0
    with unit_of_work():
        return recompute_members(ids)


def set_trust_level(actor: Any, member_id: int, level: int, locked: bool = True) -> Member:
    """Staff set a member's trust level; `locked` keeps the recompute from changing it.
    Unlocking hands the level back to the recompute (run at once)."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied(_("Only the community team can change trust levels."))
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = -1
    if level not in LEVELS:
        raise Invalid({"trust_level": _("Choose a trust level from 0 to 3.")})
    with unit_of_work():
        member = db.session.get(Member, member_id)
        if member is None:
            raise NotFound()
        old = int(member.trust_level or 0)
        if locked:
            _apply(member, level, actor.id, True)
        else:
            _apply(member, level_for(stats_of(member.id)), actor.id, False)
        from app.moderation.subscribers import record

        record(
            actor.id,
            "trust_level_set",
            "member",
            member.id,
            before=old,
            after=member.trust_level,
            locked=locked,
        )
    return member


# --- what each level may do --------------------------------------------------------------


def new_member_limits() -> dict[str, int]:
    defaults = {"held_posts": 0, "links": 0, "images": 0}
    return {**defaults, **(current_app.config.get("TRUST_LEVEL_0_LIMITS") or {})}


def count_links(html: str) -> int:
    return html.count("<a ")


def count_images(html: str) -> int:
    return html.count("<img")


def posts_written(member_id: int) -> int:
    """Every post the member wrote (held, hidden and deleted ones too)."""
    return int(
        db.session.scalar(select(func.count(Post.id)).where(Post.author_id == member_id)) or 0
    )


# --- what a profile shows ----------------------------------------------------------------

LEVEL_NAMES = {
    0: _l("New member"),
    1: _l("Basic member"),
    2: _l("Member"),
    3: _l("Regular"),
}
STAT_LABELS = {
    "days_visited": _l("Days visited"),
    "topics_read": _l("Topics read"),
    "posts_read": _l("Posts read"),
    "posts": _l("Posts written"),
    "likes_received": _l("Likes received"),
    "flags_upheld_max": _l("Posts flagged and hidden (at most)"),
}


@dataclass(frozen=True)
class Requirement:
    label: str
    have: int
    need: int
    met: bool


@dataclass(frozen=True)
class Progress:
    level: int
    name: str
    locked: bool
    next_level: int | None
    next_name: str
    requirements: list[Requirement]


def progress(member: Member) -> Progress:
    """The member's level and what the next one needs, with their numbers (four grouped
    queries: shown on their own profile and to staff only)."""
    level = int(member.trust_level or 0)
    stats = stats_of(member.id)
    nxt = level + 1 if level < 3 else None
    requirements = []
    if nxt is not None:
        for name, need in thresholds().get(nxt, {}).items():
            if name == "flags_upheld_max":
                have = stats.get("flags_upheld", 0)
                met = have <= need
            else:
                have = stats.get(name, 0)
                met = have >= need
            requirements.append(Requirement(str(STAT_LABELS.get(name, name)), have, need, met))
    return Progress(
        level=level,
        name=str(LEVEL_NAMES[level]),
        locked=bool(member.trust_level_locked),
        next_level=nxt,
        next_name=str(LEVEL_NAMES[nxt]) if nxt is not None else "",
        requirements=requirements,
    )
