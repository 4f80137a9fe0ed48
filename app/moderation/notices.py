"""What members are told about moderation: notification types and their durable sender.

`moderation_notices` is a durable subscriber (a notice is never lost): a post of theirs
hidden by flags or staff (with why), a held post approved, a warning, silence or
suspension (with the reason and end), and a sanction lifted.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.community.forums.events import PostHidden, PostMadeVisible
from app.core.events import EventBus
from app.extensions import db
from app.members.models import Member
from app.moderation.events import SanctionApplied, SanctionLifted
from app.notifications import services
from app.notifications.types import NotificationType, register_type


def _title(notice: Any) -> str:
    return str((notice.data or {}).get("title", ""))


def _hidden(notice: Any, _actor: str) -> str:
    from app.moderation.flags import hidden_reason_label

    reason = hidden_reason_label(str((notice.data or {}).get("reason", "")))
    return str(
        _l(
            "Your post in “%(title)s” is hidden until the community team reviews it (%(reason)s).",
            title=_title(notice),
            reason=reason,
        )
    )


def _approved(notice: Any, _actor: str) -> str:
    return str(_l("Your post in “%(title)s” is approved and visible to all.", title=_title(notice)))


def _sanction(notice: Any, _actor: str) -> str:
    data = notice.data or {}
    kind, reason = data.get("kind"), str(data.get("reason", ""))
    if kind == "warning":
        return str(_l("The community team warns you: %(reason)s", reason=reason))
    if kind == "silence":
        return str(_l("You are silenced: %(reason)s", reason=reason))
    return str(_l("Your account is suspended: %(reason)s", reason=reason))


def _lifted(notice: Any, _actor: str) -> str:
    return str(_l("The community team lifted your sanction: you can take part again."))


POST_HIDDEN = register_type(
    NotificationType("post_hidden", _l("My posts hidden for review"), _hidden, "email", icon="flag")
)
POST_APPROVED = register_type(
    NotificationType("post_approved", _l("My held posts approved"), _approved, "app", icon="check")
)
SANCTION = register_type(
    NotificationType("sanction", _l("Warnings and sanctions"), _sanction, "email", icon="bell")
)
SANCTION_LIFTED = register_type(
    NotificationType("sanction_lifted", _l("Sanctions lifted"), _lifted, "app", icon="bell")
)


def _post_hidden(evt: PostHidden) -> None:
    from app.community.forums.models import Post

    post = db.session.get(Post, evt.post_id)
    author = db.session.get(Member, evt.author_id)
    if post is None or author is None or post.moderation_state == "visible":
        return
    services.notify(
        author,
        POST_HIDDEN.key,
        actor_id=None,
        topic=post.topic,
        post_id=post.id,
        data={"title": post.topic.title, "post_number": post.post_number, "reason": evt.reason},
    )


def _made_visible(evt: PostMadeVisible) -> None:
    from app.community.forums.models import Post

    if evt.actor_id is None or evt.previous_state != "held":
        return
    post = db.session.get(Post, evt.post_id)
    author = db.session.get(Member, evt.author_id)
    if post is None or author is None or post.moderation_state != "visible":
        return
    services.notify(
        author,
        POST_APPROVED.key,
        actor_id=None,
        topic=post.topic,
        post_id=post.id,
        data={"title": post.topic.title, "post_number": post.post_number},
    )


def _sanction_applied(evt: SanctionApplied) -> None:
    from app.moderation.models import Sanction

    sanction = db.session.get(Sanction, evt.sanction_id)
    member = db.session.get(Member, evt.member_id)
    if sanction is None or member is None:
        return
    services.notify(
        member,
        SANCTION.key,
        actor_id=None,
        data={"kind": sanction.kind, "reason": sanction.reason, "ends_at": evt.ends_at},
    )


def _sanction_lifted(evt: SanctionLifted) -> None:
    member = db.session.get(Member, evt.member_id)
    if member is not None:
        services.notify(member, SANCTION_LIFTED.key, actor_id=None, data={"kind": evt.kind})


def register(bus: EventBus) -> None:
    bus.subscribe_durable(
        "moderation_notices",
        {
            PostHidden: _post_hidden,
            PostMadeVisible: _made_visible,
            SanctionApplied: _sanction_applied,
            SanctionLifted: _sanction_lifted,
        },
    )
