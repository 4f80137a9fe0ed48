"""Spam heuristics, run on every new topic and reply before it is written.

- A new member (trust level 0) posting the same text, or the same links, in several
  topics within a day: held for review (`duplicate_text`, `duplicate_links`).
- A new member (trust level 0) posting faster than SPAM_VELOCITY (posts per window):
  held (`velocity`). Staff are never held.

Each reads a bounded slice of the member's own recent posts (index on author, created).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.community.forums.models import Post
from app.core.time import utcnow
from app.extensions import db

RECENT = timedelta(days=1)
RECENT_POSTS = 50
_HREF = re.compile(r'<a [^>]*href="([^"]+)"')


def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


def links_in(html: str) -> set[str]:
    return {h for h in _HREF.findall(html or "") if not h.startswith(("#", "/"))}


def duplicate_reason(
    member_id: int, body: str, body_html: str, topic_id: int | None
) -> tuple[str, dict[str, Any]] | None:
    """("duplicate_text" | "duplicate_links", details) when the member already posted this
    text, or these links, in enough other topics within a day."""
    since = utcnow() - RECENT
    rows = db.session.execute(
        select(Post.topic_id, Post.body, Post.body_html)
        .where(Post.author_id == member_id, Post.created_at >= since)
        .order_by(Post.created_at.desc())
        .limit(RECENT_POSTS)
    ).all()
    if not rows:
        return None
    needed = int(current_app.config.get("SPAM_SAME_CONTENT_TOPICS", 1))
    text = _normal(body)
    same_text = {t for t, b, _h in rows if t != topic_id and _normal(b) == text}
    if len(same_text) >= needed:
        return "duplicate_text", {"topics": sorted(same_text)[:10]}
    links = links_in(body_html)
    if links:
        same_links = {t for t, _b, h in rows if t != topic_id and links & links_in(h)}
        if len(same_links) >= needed:
            return "duplicate_links", {
                "topics": sorted(same_links)[:10],
                "links": sorted(links)[:5],
            }
    return None


def velocity_exceeded(member_id: int) -> dict[str, Any] | None:
    """The member's posts in the window, when over SPAM_VELOCITY ("<posts> per <seconds>")."""
    posts, seconds = current_app.config.get("SPAM_VELOCITY", (10, 300))
    since = utcnow() - timedelta(seconds=int(seconds))
    count = db.session.scalar(
        select(func.count(Post.id)).where(Post.author_id == member_id, Post.created_at >= since)
    )
    if int(count or 0) >= int(posts):
        return {"posts": int(count or 0), "seconds": int(seconds)}
    return None
