"""Read-side functions other areas call to show forum content (filled by the forums work)."""

from __future__ import annotations

from typing import Any


def latest_topics(viewer: Any, limit: int = 8) -> list:
    return []


def topics_for_interests(viewer: Any, interest_ids: list[int], limit: int = 8) -> list:
    return []


def categories_overview(viewer: Any) -> list:
    return []


def recent_posts_by(member_id: int, viewer: Any, limit: int = 10) -> list:
    return []
