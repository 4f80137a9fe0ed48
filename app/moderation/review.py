"""Opening review items: flags, rules and spam heuristics put posts in the /mod/ queue.

One *pending* item per post (a unique partial index): opening an item for a post that
already waits reuses it, adds the new weight and records the new reason in its details,
so the queue shows a post once with everything said about it. Resolving items is the
staff side's (app/moderation/actions.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.community.forums.models import Post, Topic
from app.core.events import emit
from app.extensions import db
from app.moderation.events import ReviewItemOpened
from app.moderation.models import REVIEW_KINDS, ReviewItem

# A flag or a rule hit on a held post does not make it less held: the strongest kind wins.
_KIND_RANK = {"flagged": 0, "rule": 1, "spam": 2, "held": 3}


def pending_item(post_id: int) -> ReviewItem | None:
    return db.session.scalar(
        select(ReviewItem).where(ReviewItem.post_id == post_id, ReviewItem.status == "pending")
    )


def open_item(
    post: Post,
    kind: str,
    reason: str,
    details: dict[str, Any] | None = None,
    weight: int = 0,
) -> ReviewItem:
    """The post's pending review item, created or reused (idempotent), with `weight` added.

    Runs inside the caller's unit of work, which holds the topic's row lock (every post
    write takes it), so two openings for one post cannot both insert.
    """
    if kind not in REVIEW_KINDS:
        raise ValueError(f"unknown review kind {kind!r}")
    details = dict(details or {})
    item = pending_item(post.id)
    topic = post.topic if post.topic is not None else db.session.get(Topic, post.topic_id)
    if item is None:
        item = ReviewItem(
            kind=kind,
            post_id=post.id,
            topic_id=post.topic_id,
            category_id=topic.category_id,
            author_id=post.author_id,
            reason=reason,
            details={"reasons": [reason], **details},
            flag_weight=weight,
            status="pending",
        )
        db.session.add(item)
    else:
        merged = dict(item.details or {})
        reasons = list(merged.get("reasons", [item.reason]))
        if reason not in reasons:
            reasons.append(reason)
        for key, value in details.items():
            if isinstance(value, int) and isinstance(merged.get(key), int):
                merged[key] = merged[key] + value
            else:
                merged[key] = value
        merged["reasons"] = reasons
        item.details = merged  # a new dict: JSON columns track assignment, not mutation
        item.flag_weight = item.flag_weight + weight
        if _KIND_RANK.get(kind, 0) > _KIND_RANK.get(item.kind, 0):
            item.kind, item.reason = kind, reason
    db.session.flush()
    emit(
        ReviewItemOpened(
            item_id=item.id,
            post_id=post.id,
            topic_id=post.topic_id,
            category_id=item.category_id,
            kind=item.kind,
            reason=reason,
        )
    )
    return item
