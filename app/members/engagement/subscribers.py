"""The durable `engagement` subscriber: domain events become engagement rows, folded into
profiles and the points ledger in the worker's transaction (with its position).

Each row's source key is `d:<domain event id>:<type>`, so a repeated delivery adds
nothing. Forum objects are read only for the category's interest (inferred affinities).
"""

from __future__ import annotations

from sqlalchemy import select

from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostLiked,
    PostReacted,
    PostRestored,
    PostUnliked,
    SolutionMarked,
    TopicCreated,
    TopicFollowed,
    TopicViewed,
)
from app.community.polls.events import PollAnswered
from app.core.events import DomainEvent, EventBus
from app.extensions import db
from app.members.engagement.pipeline import Activity, record
from app.members.events import MemberLoggedIn, MemberRegistered, MemberVerified
from app.search.events import Searched


def _key(evt: DomainEvent, kind: str) -> str:
    return f"d:{evt.event_id}:{kind}"


def _interest_of_category(category_id: int | None) -> int | None:
    from app.community.forums import access

    if category_id is None:
        return None
    for category in access.all_categories():
        if category.id == category_id:
            return category.interest_id
    return None


def _topic_category(topic_id: int) -> int | None:
    from app.community.forums.models import Topic

    return db.session.scalar(select(Topic.category_id).where(Topic.id == topic_id))


def _activity(evt: DomainEvent, kind: str, member_id: int | None, **fields) -> Activity:  # type: ignore[no-untyped-def]
    return Activity(
        type=kind,
        occurred_at=evt.occurred_at,
        source_key=_key(evt, kind),
        member_id=member_id,
        **fields,
    )


def _registered(evt: MemberRegistered) -> None:
    record([_activity(evt, "registered", evt.member_id)])


def _logged_in(evt: MemberLoggedIn) -> None:
    record([_activity(evt, "logged_in", evt.member_id)])


def _verified(evt: MemberVerified) -> None:
    """A confirmed email claims the pending profile the API made for that address."""
    from app.members.engagement.identity import claim_pending

    claim_pending(evt.member_id)


def _post_created(evt: PostCreated) -> None:
    kind = "posted" if evt.post_number == 1 else "replied"
    record(
        [
            _activity(
                evt,
                kind,
                evt.author_id,
                object_type="post",
                object_id=str(evt.post_id),
                interest_id=_interest_of_category(evt.category_id),
                properties={"topic_id": evt.topic_id},
            )
        ]
    )


def _topic_created(evt: TopicCreated) -> None:
    """Counted through its first post's `post_created` (one activity, not two)."""


def _post_liked(evt: PostLiked) -> None:
    interest = _interest_of_category(_topic_category(evt.topic_id))
    common = {"object_type": "post", "object_id": str(evt.post_id)}
    activities = [
        _activity(
            evt,
            "liked",
            evt.member_id,
            interest_id=interest,
            properties={"topic_id": evt.topic_id},
            **common,
        )
    ]
    if evt.post_author_id != evt.member_id:
        activities.append(
            _activity(
                evt,
                "like_received",
                evt.post_author_id,
                properties={"liker_id": evt.member_id, "topic_id": evt.topic_id},
                **common,
            )
        )
    record(activities)


def _post_reacted(evt: PostReacted) -> None:
    """A reaction added is an activity of the member (a removal is not: the log is
    append-only and a reaction earns no points to take back)."""
    if not evt.reacted:
        return
    record(
        [
            _activity(
                evt,
                "reacted",
                evt.member_id,
                object_type="post",
                object_id=str(evt.post_id),
                interest_id=_interest_of_category(_topic_category(evt.topic_id)),
                properties={"topic_id": evt.topic_id, "reaction": evt.reaction},
            )
        ]
    )


def _solution_marked(evt: SolutionMarked) -> None:
    """The reply's author helped: a strong signal of an advocate (not for one's own mark)."""
    if evt.post_author_id == evt.actor_id:
        return
    record(
        [
            _activity(
                evt,
                "solution_received",
                evt.post_author_id,
                object_type="post",
                object_id=str(evt.post_id),
                interest_id=_interest_of_category(evt.category_id),
                properties={"topic_id": evt.topic_id, "marked_by": evt.actor_id},
            )
        ]
    )


def _post_unliked(evt: PostUnliked) -> None:
    from app.members.loyalty.ledger import reverse

    reverse(
        evt.post_author_id,
        f"like:{evt.post_id}:{evt.member_id}",
        _key(evt, "reversal"),
        evt.occurred_at,
        note="like withdrawn",
    )


def _post_deleted(evt: PostDeleted) -> None:
    from app.members.loyalty.ledger import reverse

    reverse(
        evt.author_id, f"post:{evt.post_id}", _key(evt, "reversal"), evt.occurred_at, "post deleted"
    )


def _post_restored(evt: PostRestored) -> None:
    """A restored post earns its points again (the deletion took them back)."""
    from app.members.loyalty.ledger import active_rules, adjust

    rules = active_rules()
    # The first post of a topic is a "posted"; the rule's points, without the daily cap.
    for kind in ("posted", "replied"):
        rule = rules.get(kind)
        if rule and evt.topic_restored == (kind == "posted"):
            adjust(
                evt.author_id,
                rule.points,
                _key(evt, "restored"),
                "post restored",
                reference=f"post:{evt.post_id}",
            )


def _followed(evt: TopicFollowed) -> None:
    if evt.following:
        record(
            [
                _activity(
                    evt, "followed", evt.member_id, object_type="topic", object_id=str(evt.topic_id)
                )
            ]
        )


def _viewed(evt: TopicViewed) -> None:
    if evt.member_id is None:
        return
    record(
        [
            _activity(
                evt,
                "topic_viewed",
                evt.member_id,
                object_type="topic",
                object_id=str(evt.topic_id),
                interest_id=_interest_of_category(_topic_category(evt.topic_id)),
            )
        ]
    )


def _searched(evt: Searched) -> None:
    activity = _activity(
        evt,
        "searched",
        evt.member_id,
        visitor_id=None if evt.member_id else evt.visitor_id,
        properties={"query": evt.query[:200], "results": evt.result_count},
    )
    if evt.member_id is None and evt.visitor_id is None:
        return
    if evt.member_id is None:
        from app.members.engagement.pipeline import insert_plain

        insert_plain([activity])
    else:
        record([activity])


def _poll_answered(evt: PollAnswered) -> None:
    record(
        [
            _activity(
                evt,
                "poll_answer",
                evt.member_id,
                object_type="poll",
                object_id=str(evt.poll_id),
                properties={"answer_id": evt.answer_id},
            )
        ]
    )


def register(bus: EventBus) -> None:
    bus.subscribe_durable(
        "engagement",
        {
            MemberRegistered: _registered,
            MemberLoggedIn: _logged_in,
            MemberVerified: _verified,
            TopicCreated: _topic_created,
            PostCreated: _post_created,
            PostLiked: _post_liked,
            PostUnliked: _post_unliked,
            PostReacted: _post_reacted,
            SolutionMarked: _solution_marked,
            PostDeleted: _post_deleted,
            PostRestored: _post_restored,
            TopicFollowed: _followed,
            TopicViewed: _viewed,
            Searched: _searched,
            PollAnswered: _poll_answered,
        },
    )
