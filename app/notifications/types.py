"""The notification type registry: what a notice says, and how a member hears of it.

An area that wants to notify registers a `NotificationType` (in the factory, through its
`subscribers.register`): later areas add idea status changes, poll openings, moderation
decisions the same way. Each type says its label (for /settings/notifications), its
default channel, whether members may turn it off, and how one notice reads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.notifications.models import CHANNELS

# `describe(notice, actor_name)` -> one sentence in the current language.
Describe = Callable[[Any, str], str]


@dataclass(frozen=True)
class NotificationType:
    key: str
    label: Any  # a lazy string
    describe: Describe
    default_channel: str = "app"
    # An email "at once" for this type is worth sending (not likes: digest or app only).
    email_at_once: bool = True
    icon: str = "bell"

    def __post_init__(self) -> None:
        if self.default_channel not in CHANNELS:
            raise ValueError(f"unknown channel {self.default_channel!r}")

    def channels(self) -> tuple[str, ...]:
        return CHANNELS if self.email_at_once else tuple(c for c in CHANNELS if c != "email")


_TYPES: dict[str, NotificationType] = {}


def register_type(kind: NotificationType) -> NotificationType:
    """Add a type (idempotent for the same definition: apps are built more than once)."""
    known = _TYPES.get(kind.key)
    if known is not None and known != kind:
        raise ValueError(f"notification type {kind.key!r} is already registered")
    _TYPES[kind.key] = kind
    return kind


def get_type(key: str) -> NotificationType | None:
    return _TYPES.get(key)


def all_types() -> list[NotificationType]:
    return list(_TYPES.values())


def _others(notice: Any) -> int:
    return max(0, int(notice.actor_count or 1) - 1)


def _title(notice: Any) -> str:
    return str((notice.data or {}).get("title", ""))


def _replied(notice: Any, actor: str) -> str:
    text = _l("%(actor)s replied to your post in “%(title)s”", actor=actor, title=_title(notice))
    return str(text)


def _followed(notice: Any, actor: str) -> str:
    others = _others(notice)
    if others:
        return ngettext(
            "%(actor)s and %(num)d other replied in “%(title)s”",
            "%(actor)s and %(num)d others replied in “%(title)s”",
            others,
            actor=actor,
            title=_title(notice),
        )
    return str(_l("%(actor)s replied in “%(title)s”", actor=actor, title=_title(notice)))


def _mentioned(notice: Any, actor: str) -> str:
    return str(_l("%(actor)s mentioned you in “%(title)s”", actor=actor, title=_title(notice)))


def _quoted(notice: Any, actor: str) -> str:
    return str(_l("%(actor)s quoted you in “%(title)s”", actor=actor, title=_title(notice)))


def _liked(notice: Any, actor: str) -> str:
    others = _others(notice)
    if others:
        return ngettext(
            "%(actor)s and %(num)d other liked your post in “%(title)s”",
            "%(actor)s and %(num)d others liked your post in “%(title)s”",
            others,
            actor=actor,
            title=_title(notice),
        )
    return str(_l("%(actor)s liked your post in “%(title)s”", actor=actor, title=_title(notice)))


def _solution(notice: Any, actor: str) -> str:
    return str(
        _l(
            "%(actor)s marked your reply as the solution in “%(title)s”",
            actor=actor,
            title=_title(notice),
        )
    )


def _tier(notice: Any, _actor: str) -> str:
    from app.members.badges import TIER_LABELS

    tier = (notice.data or {}).get("tier", "")
    return str(_l("You reached the %(tier)s tier.", tier=TIER_LABELS.get(tier, tier)))


REPLY_TO_POST = register_type(
    NotificationType("reply_to_post", _l("Replies to my posts"), _replied, "email", icon="reply")
)
FOLLOWED_REPLY = register_type(
    NotificationType(
        "followed_reply", _l("Replies in topics I follow"), _followed, "digest", icon="bell"
    )
)
MENTION = register_type(
    NotificationType("mention", _l("Mentions of my @name"), _mentioned, "email", icon="chat")
)
QUOTE = register_type(
    NotificationType("quote", _l("Quotes of my posts"), _quoted, "email", icon="quote")
)
LIKE = register_type(
    NotificationType(
        "like", _l("Likes on my posts"), _liked, "app", email_at_once=False, icon="heart"
    )
)
SOLUTION = register_type(
    NotificationType(
        "solution", _l("My reply marked as a solution"), _solution, "app", icon="check"
    )
)
TIER_REACHED = register_type(
    NotificationType("tier_reached", _l("Loyalty tier reached"), _tier, "email", icon="bell")
)
