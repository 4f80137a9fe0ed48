"""Solved answers: in a Q&A category, the asker or staff marks one reply as the solution.

A topic has at most one solution (`Topic.solution_post_id`, mirrored by `Topic.solved` for
the lists' index). Marking another reply replaces it; marking the same reply again, or
unmarking a reply that is not (or no longer) the solution, changes nothing and emits
nothing, so a double click or a retried request is harmless. The topic row is locked
first, as every topic write does, so two marks racing end with one solution.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import update

from app.community.forums import access
from app.community.forums.events import PostDeleted, SolutionMarked, SolutionUnmarked
from app.community.forums.models import Post, Topic
from app.community.forums.services.base import post_for_write, require_member
from app.core.db import unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.extensions import db
from app.members.models import Member


def may_mark_solution(actor: Any, topic: Topic) -> bool:
    """The asker or staff, in a Q&A category, on a topic that is not deleted."""
    return may_solve(actor, topic.author_id, bool(topic.category.qa), topic.deleted_at is not None)


def may_solve(actor: Any, asker_id: int, qa: bool, topic_deleted: bool) -> bool:
    """`may_mark_solution` from plain values (the topic page's viewer holes)."""
    return (
        access.is_member(actor)
        and qa
        and not topic_deleted
        and (actor.id == asker_id or access.is_staff(actor))
    )


def _check(actor: Member, topic: Topic, post: Post) -> None:
    if not topic.category.qa:
        raise Invalid({"solution": _("Solutions can be marked only in Q&A categories.")})
    if actor.id != topic.author_id and not access.is_staff(actor):
        raise PermissionDenied(
            _("Only the member who asked or the community team can mark the solution.")
        )
    if topic.deleted_at is not None:
        raise Invalid({"solution": _("A deleted topic cannot be solved.")})
    if post.post_number == 1:
        raise Invalid({"solution": _("The question cannot be its own solution: pick a reply.")})
    if post.deleted_at is not None:
        raise Invalid({"solution": _("A deleted reply cannot be the solution.")})
    if getattr(post, "moderation_state", "visible") != "visible":
        raise Invalid({"solution": _("A reply awaiting review or hidden cannot be the solution.")})


def mark_solution(actor: Member, post_id: int) -> Topic:
    """Mark the reply `post_id` as its topic's solution (replacing any other)."""
    require_member(actor)
    with unit_of_work():
        post, topic = post_for_write(actor, post_id)
        _check(actor, topic, post)
        require_can_write(actor, "solve")
        if topic.solution_post_id == post.id:
            return topic
        replaced = topic.solution_post_id
        topic.solution_post_id = post.id
        topic.solved = True
        emit(
            SolutionMarked(
                topic_id=topic.id,
                category_id=topic.category_id,
                post_id=post.id,
                actor_id=actor.id,
                post_author_id=post.author_id,
                replaced_post_id=replaced,
            )
        )
    return topic


def unmark_solution(actor: Member, post_id: int) -> Topic:
    """Take the solution mark off the reply `post_id`; the topic becomes unsolved."""
    require_member(actor)
    with unit_of_work():
        post, topic = post_for_write(actor, post_id)
        if not topic.category.qa:
            raise Invalid({"solution": _("Solutions can be marked only in Q&A categories.")})
        if actor.id != topic.author_id and not access.is_staff(actor):
            raise PermissionDenied(
                _("Only the member who asked or the community team can mark the solution.")
            )
        require_can_write(actor, "solve")
        if topic.solution_post_id != post.id:
            return topic
        topic.solution_post_id = None
        topic.solved = False
        emit(
            SolutionUnmarked(
                topic_id=topic.id,
                category_id=topic.category_id,
                post_id=post.id,
                actor_id=actor.id,
                post_author_id=post.author_id,
            )
        )
    return topic


def forget_deleted_solution(event: PostDeleted) -> None:
    """In the deleting transaction: a deleted reply stops being the solution, so the topic
    is unsolved again and its lists say so (a restore does not bring the mark back)."""
    if event.topic_deleted:
        return  # the whole topic went: it keeps its state for a restore
    db.session.execute(
        update(Topic)
        .where(Topic.id == event.topic_id, Topic.solution_post_id == event.post_id)
        .values(solution_post_id=None, solved=False),
        execution_options={"synchronize_session": False},
    )
