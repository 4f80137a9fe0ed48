"""Per-member limits on forum writes, kept in Flask-Limiter's storage (memory, or Redis).

Each action has a config key holding a Flask-Limiter limit string ("1 per 15 seconds;20
per day"). The key is the member's id, not their address: members share addresses
(offices, phone networks) and one member may use several. Staff are not limited.

Routes ask `wait_for(action)` before calling the service and `record(action)` after it
succeeded, so refused or invalid submissions cost nothing. Two requests racing past the
check may each be counted: a limit can be passed by the number of requests in flight,
which an abuse limit tolerates (Discourse's limiter behaves the same way).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from time import time

from flask import current_app
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from limits import RateLimitItem, parse_many

from app.community.forums import access
from app.extensions import limiter

log = logging.getLogger(__name__)

CONFIG_KEYS = {
    "topic": "POST_RATE_LIMIT",
    "reply": "REPLY_RATE_LIMIT",
    "edit": "EDIT_RATE_LIMIT",
    "like": "LIKE_RATE_LIMIT",
    "flag": "FLAG_RATE_LIMIT",
}


# New members (trust level 0) post under a tighter limit as well (moderation's rule).
NEW_MEMBER_KEYS = {"topic": "NEW_MEMBER_POST_RATE_LIMIT", "reply": "NEW_MEMBER_REPLY_RATE_LIMIT"}


def _items(action: str) -> list[RateLimitItem]:
    value = current_app.config.get(CONFIG_KEYS[action]) or ""
    items = parse_many(value) if value.strip() else []
    if action in NEW_MEMBER_KEYS and getattr(current_user, "trust_level", 1) == 0:
        extra = current_app.config.get(NEW_MEMBER_KEYS[action]) or ""
        items += parse_many(extra) if extra.strip() else []
    return items


def _applies() -> bool:
    return limiter.enabled and access.is_member(current_user) and not access.is_staff(current_user)


def _identifiers(action: str) -> tuple[str, str, str]:
    return ("forums", action, f"member:{current_user.id}")


def wait_for(action: str) -> str | None:
    """None when the current member may do `action` now; otherwise the message saying why
    not and how long to wait (translated)."""
    if not _applies():
        return None
    ids = _identifiers(action)
    try:
        for item in _items(action):
            if not limiter.limiter.test(item, *ids):
                reset_at = limiter.limiter.get_window_stats(item, *ids).reset_time
                wait = timedelta(seconds=max(1, int(reset_at - time()) + 1))
                return _(
                    "You have reached the limit for this action. You can try again %(when)s.",
                    when=format_timedelta(wait, add_direction=True, threshold=1.0),
                )
    except Exception:
        # The store (Redis) is down: an abuse limit fails open rather than closing the forums.
        log.exception("rate-limit store unavailable; %s not limited", action)
    return None


def record(action: str) -> None:
    """Count one `action` by the current member (after the service accepted it)."""
    if not _applies():
        return
    ids = _identifiers(action)
    try:
        for item in _items(action):
            limiter.limiter.hit(item, *ids)
    except Exception:
        log.exception("rate-limit store unavailable; %s not counted", action)
