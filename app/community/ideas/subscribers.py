"""How ideas react to events, and who hears of ideas (all durable, fed by the worker).

- `ideas_notifications`: a status change tells exactly the idea's voters and followers
  (their channel preference decides app, email, digest or nothing); a ship tells the
  author, the voters and the followers once (one "shipped" notice instead of a status one).
- `ideas_engagement`: ideas feed the engagement log, hence profiles and points through the
  loyalty earning rules (`idea` for posting, `idea_shipped` for the author of a shipped
  idea, `idea_shipped_vote` for each of its voters). Source keys make a redelivery a no-op.
- `ideas_counters`: an idea's comment count follows its discussion topic's replies.
"""

from __future__ import annotations

import html
import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostHidden,
    PostMadeVisible,
    PostRestored,
)
from app.community.forums.models import Post
from app.community.ideas import boards
from app.community.ideas.events import (
    IdeaCreated,
    IdeaShipped,
    IdeaStatusChanged,
    IdeaVoted,
    IdeaVoteWithdrawn,
)
from app.community.ideas.models import Idea, IdeaBoard, IdeaFollow, IdeaStatusChange, IdeaVote
from app.core.events import DomainEvent, EventBus
from app.core.markup import render_markdown
from app.extensions import db
from app.members.models import Member
from app.notifications.types import NotificationType, register_type


def _title(notice: Any) -> str:
    return str((notice.data or {}).get("title", ""))


def _status_name(notice: Any) -> str:
    from flask_babel import get_locale

    slug = (notice.data or {}).get("status", "")
    status = boards.status_map().get(slug)
    return status.name(str(get_locale() or "en")) if status else slug


def _describe_status(notice: Any, actor: str) -> str:
    return str(
        _l(
            "“%(title)s” is now %(status)s (%(actor)s)",
            title=_title(notice),
            status=_status_name(notice),
            actor=actor,
        )
    )


def _describe_shipped(notice: Any, actor: str) -> str:
    return str(_l("Shipped: “%(title)s”, the idea you asked for", title=_title(notice)))


IDEA_STATUS = register_type(
    NotificationType(
        "idea_status",
        _l("Status changes of ideas I voted for or follow"),
        _describe_status,
        "app",
        icon="bell",
    )
)
IDEA_SHIPPED = register_type(
    NotificationType(
        "idea_shipped",
        _l("Ideas I asked for that shipped"),
        _describe_shipped,
        "email",
        icon="check",
    )
)


def _excerpt(text: str, limit: int = 200) -> str:
    """The official response's start as plain text (its Markdown rendered, tags dropped),
    for the notice and the mail."""
    if not text:
        return ""
    plain = html.unescape(re.sub(r"<[^>]+>", " ", render_markdown(text)))
    plain = " ".join(plain.split())
    return plain if len(plain) <= limit else plain[: limit - 1].rstrip() + "…"


def _idea_url(idea: Idea) -> str:
    return f"/ideas/{idea.id}-{idea.slug}"


def audience_of_status_change(idea_id: int) -> set[int]:
    """Exactly the idea's voters and followers; the followers of the ideas merged into it
    (a duplicate's author follows it) follow it too, so they hear when it ships."""
    voters = set(db.session.scalars(select(IdeaVote.member_id).where(IdeaVote.idea_id == idea_id)))
    merged = select(Idea.id).where(Idea.merged_into_id == idea_id)
    followers = set(
        db.session.scalars(
            select(IdeaFollow.member_id).where(
                or_(IdeaFollow.idea_id == idea_id, IdeaFollow.idea_id.in_(merged))
            )
        )
    )
    return voters | followers


def _notify_each(
    member_ids: set[int], idea: Idea, type_key: str, actor_id: int, data: dict
) -> None:
    from app.notifications import services

    if not member_ids:
        return
    for member in db.session.scalars(
        select(Member).where(Member.id.in_(member_ids), Member.erased_at.is_(None))
    ):
        # Someone who no longer sees the board (their tier fell) hears nothing of it.
        if not boards.can_see_board(member, idea.board):
            continue
        services.notify(
            member,
            type_key,
            actor_id=actor_id,
            data={**data, "title": idea.title, "url": _idea_url(idea)},
        )


def on_status_changed(event: IdeaStatusChanged) -> None:
    idea = db.session.get(Idea, event.idea_id)
    if idea is None:
        return
    status = boards.status_map().get(event.new_status)
    change = db.session.get(IdeaStatusChange, event.change_id)
    if (
        status is not None
        and status.is_shipped
        and change is not None
        and idea.shipped_at is not None
        and idea.shipped_at == change.created_at
    ):
        return  # the ship's own notice (IdeaShipped) says it
    _notify_each(
        audience_of_status_change(idea.id),
        idea,
        IDEA_STATUS.key,
        event.actor_id,
        {"status": event.new_status, "excerpt": _excerpt(change.response if change else "")},
    )


def on_shipped(event: IdeaShipped) -> None:
    idea = db.session.get(Idea, event.idea_id)
    if idea is None:
        return
    members = set(event.voter_ids) | audience_of_status_change(idea.id) | {event.author_id}
    _notify_each(
        members,
        idea,
        IDEA_SHIPPED.key,
        event.actor_id,
        {"status": idea.status, "excerpt": _excerpt(event.response)},
    )


# --- engagement and points -----------------------------------------------------------------


def _activity(evt: DomainEvent, kind: str, member_id: int, **fields: Any):  # type: ignore[no-untyped-def]
    from app.members.engagement.pipeline import Activity

    return Activity(
        type=kind,
        occurred_at=evt.occurred_at,
        source_key=f"d:{evt.event_id}:{kind}:{member_id}",
        member_id=member_id,
        **fields,
    )


def _interest_of_board(board_id: int) -> int | None:
    for board in boards.all_boards():
        if board.id == board_id:
            return board.product_interest_id
    return None


def engage_created(event: IdeaCreated) -> None:
    from app.members.engagement.pipeline import record

    record(
        [
            _activity(
                event,
                "idea",
                event.author_id,
                object_type="idea",
                object_id=str(event.idea_id),
                interest_id=_interest_of_board(event.board_id),
            )
        ]
    )


def engage_voted(event: IdeaVoted) -> None:
    from app.members.engagement.pipeline import record

    if event.changed:
        return
    record(
        [
            _activity(
                event,
                "idea_voted",
                event.member_id,
                object_type="idea",
                object_id=str(event.idea_id),
                interest_id=_interest_of_board(event.board_id),
                properties={"importance": event.importance},
            )
        ]
    )


def engage_withdrawn(event: IdeaVoteWithdrawn) -> None:
    from app.members.engagement.pipeline import record

    record(
        [
            _activity(
                event,
                "idea_vote_withdrawn",
                event.member_id,
                object_type="idea",
                object_id=str(event.idea_id),
            )
        ]
    )


def engage_shipped(event: IdeaShipped) -> None:
    """The loop closes in points: the author and each voter earn through the loyalty rules."""
    from app.members.engagement.pipeline import record

    common = {
        "object_type": "idea_shipped",
        "object_id": str(event.idea_id),
        "interest_id": event.product_interest_id,
    }
    activities = [_activity(event, "idea_shipped", event.author_id, **common)]
    activities += [
        _activity(event, "idea_shipped_vote", voter, **common)
        for voter in event.voter_ids
        if voter != event.author_id
    ]
    record(activities)


# --- comment counts ------------------------------------------------------------------------


def _recount_comments(topic_id: int) -> None:
    idea_id = db.session.scalar(select(Idea.id).where(Idea.topic_id == topic_id))
    if idea_id is None:
        return
    # Held and hidden comments are counted nowhere until a moderator makes them visible.
    where = [
        Post.topic_id == topic_id,
        Post.post_number > 1,
        Post.deleted_at.is_(None),
        Post.moderation_state == "visible",
    ]
    count = db.session.scalar(select(func.count()).select_from(Post).where(*where)) or 0
    db.session.execute(update(Idea).where(Idea.id == idea_id).values(comment_count=int(count)))


def count_created(event: PostCreated) -> None:
    if event.post_number > 1:
        _recount_comments(event.topic_id)


def count_deleted(event: PostDeleted) -> None:
    _recount_comments(event.topic_id)


def count_restored(event: PostRestored) -> None:
    _recount_comments(event.topic_id)


def count_moderated(event: PostHidden | PostMadeVisible) -> None:
    """A comment hidden or shown changes the idea's comments; its first post (the idea's
    text) taking the topic down or showing it changes the board's count of ideas, by one
    (a delta, as the forums keep theirs: no race with an idea being posted)."""
    _recount_comments(event.topic_id)
    if isinstance(event, PostHidden):
        delta = -1 if event.topic_hidden else 0
    else:
        delta = 1 if event.topic_shown else 0
    if delta:
        board_id = select(Idea.board_id).where(Idea.topic_id == event.topic_id)
        db.session.execute(
            update(IdeaBoard)
            .where(IdeaBoard.id.in_(board_id))
            .values(idea_count=IdeaBoard.idea_count + delta),
            execution_options={"synchronize_session": False},
        )


def register(bus: EventBus) -> None:
    bus.subscribe_durable(
        "ideas_notifications",
        {IdeaStatusChanged: on_status_changed, IdeaShipped: on_shipped},
    )
    bus.subscribe_durable(
        "ideas_engagement",
        {
            IdeaCreated: engage_created,
            IdeaVoted: engage_voted,
            IdeaVoteWithdrawn: engage_withdrawn,
            IdeaShipped: engage_shipped,
        },
    )
    bus.subscribe_durable(
        "ideas_counters",
        {
            PostCreated: count_created,
            PostDeleted: count_deleted,
            PostRestored: count_restored,
            PostHidden: count_moderated,
            PostMadeVisible: count_moderated,
        },
    )
