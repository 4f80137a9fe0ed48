"""Write guards: the one question every member write path asks before it writes.

"May this member write now?" has answers that belong to areas above core (moderation
silences and suspends members), while the write paths live in many areas (forums, ideas,
polls, the API, Socket.IO handlers). Areas register guards on the app at start-up; every
service that writes on a member's behalf calls `require_can_write(actor, action)` inside
its unit of work, before it writes anything. A guard returns `None` to let the write
through or a message the member can read (already translated) to refuse it.

`action` names what is being attempted (`post`, `reply`, `edit`, `like`, `vote`,
`answer`, `flag`, `upload`, ...), so a guard can refuse some writes and allow others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from app.core.errors import PermissionDenied

WriteGuard = Callable[[Any, str], str | None]
_KEY = "cercle.write_guards"


def register_write_guard(app: Flask, guard: WriteGuard) -> None:
    """Add `guard` to the app's guards (called once per app, at start-up)."""
    app.extensions.setdefault(_KEY, []).append(guard)


def write_refusal(actor: Any, action: str) -> str | None:
    """The first refusal any registered guard gives `actor` for `action`, or None."""
    for guard in current_app.extensions.get(_KEY, ()):
        message = guard(actor, action)
        if message:
            return message
    return None


def require_can_write(actor: Any, action: str) -> None:
    """Raise PermissionDenied with the guard's message when a guard refuses the write."""
    message = write_refusal(actor, action)
    if message:
        raise PermissionDenied(message)
