"""Notifications: the type registry, in-app notices and their badge, preferences, the email
outbox, notification emails, digests and the one-click unsubscribe."""

from flask import Blueprint

bp = Blueprint("notifications", __name__)


@bp.record_once
def _link_mentions(state) -> None:  # type: ignore[no-untyped-def]
    """Rendered posts link @mentions of members to their profile (core's markup hook)."""
    from app.core.markup import set_mention_resolver
    from app.notifications.mentions import resolve

    set_mention_resolver(state.app, resolve)


from app.notifications import models, routes  # noqa: E402,F401
