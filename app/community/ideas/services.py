"""Idea services: posting an idea, voting (one vote per member, with importance, and a
snapshot of who voted), withdrawing, following, commenting.

Every write checks the board's audience and the write guards inside its unit of work.
Votes are a unique row per (idea, member) inserted with ON CONFLICT DO NOTHING, and the
idea's counters move only when a row was really inserted or deleted: a double click or
two concurrent requests count once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, or_, select, update

from app.community.forums import access, hooks
from app.community.forums.models import Category, Post, Topic
from app.community.forums.services.base import slugify
from app.community.forums.services.topics import write_new_topic
from app.community.ideas import boards
from app.community.ideas.events import IdeaCreated, IdeaVoted, IdeaVoteWithdrawn
from app.community.ideas.models import IMPORTANCE, Idea, IdeaBoard, IdeaFollow, IdeaVote
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.markup import render_markdown
from app.core.time import utcnow
from app.extensions import db
from app.members import audience
from app.members.models import Member

TITLE_MIN, TITLE_MAX = 8, 150
BODY_MIN, BODY_MAX = 20, 20_000
MAX_TAGS, TAG_MAX = 5, 30
DOUBLE_SUBMIT_WINDOW = timedelta(minutes=2)
TAG_RE = re.compile(r"^[\w][\w -]*$", re.UNICODE)


def require_member(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Log in to take part."))


def importance_label(value: int) -> str:
    return {1: _("Nice to have"), 2: _("Important"), 3: _("Critical")}.get(value, "")


# --- reading one idea ----------------------------------------------------------------------


def shown_ideas(viewer: Any) -> list[Any]:
    """Conditions on Idea for `viewer`: an idea's text is its discussion's first post, so
    an idea whose discussion moderation holds or hides is shown to its author and staff
    only (as a held or hidden topic is)."""
    if access.is_staff(viewer):
        return []
    taken_down = exists().where(Topic.id == Idea.topic_id, Topic.moderation_state != "visible")
    if access.is_member(viewer):
        return [or_(~taken_down, Idea.author_id == viewer.id)]
    return [~taken_down]


def visible_idea(viewer: Any, idea: Idea | None) -> Idea:
    """The idea if its board's audience matches the viewer and moderation has not held or
    hidden it from them (see `shown_ideas`), else NotFound."""
    if idea is None or not boards.can_see_board(viewer, idea.board):
        raise NotFound()
    if idea.topic_id is not None and not access.may_see_unlisted(viewer, idea.author_id):
        # The idea page reads this topic anyway (the identity map serves it again).
        topic = db.session.get(Topic, idea.topic_id)
        if topic is not None and topic.moderation_state != "visible":
            raise NotFound()
    return idea


def get_idea(viewer: Any, idea_id: int) -> Idea:
    return visible_idea(viewer, db.session.get(Idea, idea_id))


def _idea_for_write(actor: Any, idea_id: int) -> Idea:
    """The idea, row-locked (PostgreSQL) and read fresh, if the actor may see it."""
    idea = db.session.scalars(
        select(Idea)
        .where(Idea.id == idea_id)
        .with_for_update(of=Idea)
        .execution_options(populate_existing=True)
    ).one_or_none()
    return visible_idea(actor, idea)


# --- posting an idea -----------------------------------------------------------------------


def clean_tags(raw: Any) -> tuple[list[str], str | None]:
    """Tags from a comma-separated string or a list: trimmed, lower-case, unique."""
    if isinstance(raw, str):
        raw = raw.split(",")
    tags: list[str] = []
    for item in raw or []:
        tag = " ".join(str(item).split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        return tags, _("At most %(n)d tags.", n=MAX_TAGS)
    for tag in tags:
        if len(tag) > TAG_MAX or not TAG_RE.match(tag):
            return tags, _(
                "A tag is letters, digits, spaces or dashes, up to %(n)d characters.", n=TAG_MAX
            )
    return tags, None


def _validate_idea(title: str, body: str, tags: Any) -> tuple[str, str, list[str], dict]:
    title = " ".join((title or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    errors: dict[str, str] = {}
    if len(title) < TITLE_MIN:
        errors["title"] = _("Give your idea a title of at least %(n)d characters.", n=TITLE_MIN)
    elif len(title) > TITLE_MAX:
        errors["title"] = _("A title has at most %(n)d characters.", n=TITLE_MAX)
    if len(body) < BODY_MIN:
        errors["body"] = _(
            "Describe the idea in at least %(n)d characters: what problem does it solve?",
            n=BODY_MIN,
        )
    elif len(body) > BODY_MAX:
        errors["body"] = _("At most %(n)s characters.", n=f"{BODY_MAX:,}")
    clean, problem = clean_tags(tags)
    if problem:
        errors["tags"] = problem
    return title, body, clean, errors


def create_idea(actor: Member, board_id: int, title: str, body: str, tags: Any = None) -> Idea:
    """A member posts an idea on a board whose audience includes them. The idea opens in
    the default status, its author follows it, and its discussion is a forum topic (in the
    board's category) whose first post is the idea as it was posted."""
    require_member(actor)
    title, body, tag_list, errors = _validate_idea(title, body, tags)
    body_html = "" if errors else render_markdown(body)
    checked = None
    if not errors:
        # Moderation's content checks (watched words, spam, new members), read outside the
        # write transaction as the forums do: a block refuses the idea, a replacement
        # changes its text; a hold holds the idea's discussion (its first post is the
        # idea's text), and the idea with it (`shown_ideas`) until a moderator approves.
        category_id = db.session.scalar(
            select(IdeaBoard.category_id).where(IdeaBoard.id == board_id)
        )
        checked = hooks.run_checks(
            hooks.Submission(actor, "topic", body, body_html, title=title, category_id=category_id)
        )
        if checked.blocked:
            errors["body"] = checked.blocked
        elif checked.body != body:
            body, body_html = checked.body, render_markdown(checked.body)
    with unit_of_work():
        require_can_write(actor, "post")
        board = db.session.get(IdeaBoard, board_id)
        if board is None or not boards.can_see_board(actor, board):
            raise NotFound()
        if errors:
            raise Invalid(errors)
        now = utcnow()
        # A double submit (the form sent twice) gets the idea it already made.
        earlier = db.session.scalar(
            select(Idea).where(
                Idea.author_id == actor.id,
                Idea.board_id == board.id,
                Idea.title == title,
                Idea.created_at > now - DOUBLE_SUBMIT_WINDOW,
            )
        )
        if earlier is not None:
            return earlier
        idea = Idea(
            board_id=board.id,
            author_id=actor.id,
            title=title,
            slug=slugify(title),
            body=body,
            body_html=body_html,
            status=boards.default_status(),
            tags=tag_list,
            vote_count=0,
            importance_total=0,
            comment_count=0,
            follower_count=1,
            created_at=now,
            last_activity_at=now,
        )
        db.session.add(idea)
        db.session.flush()
        db.session.add(IdeaFollow(idea_id=idea.id, member_id=actor.id, created_at=now))
        if board.category_id is not None:
            hold = checked.hold if checked is not None else None
            post = _open_discussion(actor, board.category_id, idea, now, hold)
            idea.topic_id = post.topic_id if post is not None else None
            if post is not None and checked is not None and checked.reviews:
                hooks.after_write(post, hooks.Outcome(body=body, reviews=checked.reviews))
        if not (checked is not None and checked.held and board.category_id is not None):
            # A held idea is counted once approved (ideas_counters adds it then).
            db.session.execute(
                update(IdeaBoard)
                .where(IdeaBoard.id == board.id)
                .values(idea_count=IdeaBoard.idea_count + 1),
                execution_options={"synchronize_session": False},
            )
        emit(IdeaCreated(idea_id=idea.id, board_id=board.id, author_id=actor.id, title=title))
    return idea


def _open_discussion(
    actor: Member, category_id: int, idea: Idea, now: Any, hold: hooks.Verdict | None = None
) -> Post | None:
    """The idea's forum topic, in the same transaction: likes, quotes, mentions, following,
    moderation, search and realtime then work on its comments as on any topic. A `hold`
    holds it as the forums hold a new topic (announced once a moderator approves it)."""
    category = db.session.get(Category, category_id)
    if category is None:
        return None
    _topic, post = write_new_topic(
        actor,
        category.id,
        idea.title[:200],
        idea.slug,
        idea.body,
        idea.body_html,
        now,
        hold_reason=hold.reason if hold is not None else None,
    )
    return post


def similar_ideas(viewer: Any, title: str, limit: int = 5) -> list[Idea]:
    """Ideas whose titles share the most words with `title`, on boards the viewer sees:
    a bounded query (the most-voted candidates matching any word), ranked in Python."""
    words = list(dict.fromkeys(re.findall(r"\w{4,}", (title or "").lower())))[:6]
    board_ids = boards.visible_board_ids(viewer)
    if not words or not board_ids:
        return []
    conditions = [func.lower(Idea.title).contains(w) for w in words]
    candidates = list(
        db.session.scalars(
            select(Idea)
            .where(
                Idea.board_id.in_(board_ids),
                Idea.merged_into_id.is_(None),
                or_(*conditions),
                *shown_ideas(viewer),
            )
            .order_by(Idea.vote_count.desc(), Idea.id.desc())
            .limit(50)
        )
    )

    def score(idea: Idea) -> tuple[int, int]:
        text = idea.title.lower()
        return (sum(1 for w in words if w in text), idea.vote_count)

    candidates.sort(key=score, reverse=True)
    return candidates[:limit]


# --- votes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    """What a vote request did: `created`, `changed` (importance) or `unchanged`."""

    outcome: str
    vote_count: int
    importance: int


def _check_votable(idea: Idea) -> None:
    if idea.merged_into_id is not None:
        raise Invalid(
            {"vote": _("This idea was merged into another one: vote on that idea instead.")}
        )
    status = boards.status_map().get(idea.status)
    if status is not None and not status.accepts_votes:
        raise Invalid(
            {
                "vote": _(
                    "Voting is closed on this idea (%(status)s).",
                    status=status.name(_locale()),
                )
            }
        )


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "en")


def vote(actor: Member, idea_id: int, importance: int = 1) -> VoteResult:
    """One vote per member and idea, with an importance (1 nice to have, 2 important,
    3 critical). Voting again with another importance changes it; the same vote again
    writes nothing. Closed (status takes no votes) and merged ideas refuse votes."""
    require_member(actor)
    try:
        importance = int(importance)
    except (TypeError, ValueError):
        importance = 0
    if importance not in IMPORTANCE:
        raise Invalid({"importance": _("Choose nice to have, important or critical.")})
    with unit_of_work():
        require_can_write(actor, "vote")
        idea = _idea_for_write(actor, idea_id)
        _check_votable(idea)
        snap = audience.snapshot(actor)
        now = utcnow()
        inserted = db.session.execute(
            dialect_insert(IdeaVote)
            .values(
                idea_id=idea.id,
                member_id=actor.id,
                importance=importance,
                created_at=now,
                tier=snap["tier"],
                stage=snap["stage"],
                value_band=snap["value_band"],
                interests=snap["interests"],
            )
            .on_conflict_do_nothing(index_elements=["idea_id", "member_id"])
            .returning(IdeaVote.id)
        ).first()
        if inserted is not None:
            _bump(idea, votes=1, importance=importance, now=now)
            emit(
                IdeaVoted(
                    idea_id=idea.id,
                    board_id=idea.board_id,
                    member_id=actor.id,
                    importance=importance,
                )
            )
            outcome = "created"
        else:
            existing = db.session.scalars(
                select(IdeaVote)
                .where(IdeaVote.idea_id == idea.id, IdeaVote.member_id == actor.id)
                .with_for_update()
            ).one()
            if existing.importance == importance:
                outcome = "unchanged"
            else:
                _bump(idea, votes=0, importance=importance - existing.importance, now=now)
                existing.importance = importance
                emit(
                    IdeaVoted(
                        idea_id=idea.id,
                        board_id=idea.board_id,
                        member_id=actor.id,
                        importance=importance,
                        changed=True,
                    )
                )
                outcome = "changed"
        db.session.flush()
        count = db.session.scalar(select(Idea.vote_count).where(Idea.id == idea.id)) or 0
    return VoteResult(outcome, count, importance)


def _bump(idea: Idea, votes: int, importance: int, now: Any) -> None:
    """Move the stored counters with one UPDATE (never read-modify-write)."""
    values: dict[str, Any] = {"importance_total": Idea.importance_total + importance}
    if votes:
        values["vote_count"] = Idea.vote_count + votes
        values["last_activity_at"] = now
    db.session.execute(
        update(Idea).where(Idea.id == idea.id).values(**values),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(idea, ["vote_count", "importance_total", "last_activity_at"])


def withdraw_vote(actor: Member, idea_id: int) -> bool:
    """Take one's vote back (while the idea takes votes). True if a vote was removed;
    withdrawing twice removes nothing the second time."""
    require_member(actor)
    with unit_of_work():
        require_can_write(actor, "vote")
        idea = _idea_for_write(actor, idea_id)
        _check_votable(idea)
        row = db.session.execute(
            delete(IdeaVote)
            .where(IdeaVote.idea_id == idea.id, IdeaVote.member_id == actor.id)
            .returning(IdeaVote.importance)
        ).first()
        if row is None:
            return False
        _bump(idea, votes=-1, importance=-int(row.importance), now=utcnow())
        emit(IdeaVoteWithdrawn(idea_id=idea.id, board_id=idea.board_id, member_id=actor.id))
    return True


def my_vote(viewer: Any, idea_id: int) -> IdeaVote | None:
    if not getattr(viewer, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(IdeaVote).where(IdeaVote.idea_id == idea_id, IdeaVote.member_id == viewer.id)
    )


def my_votes(viewer: Any, idea_ids: list[int]) -> dict[int, int]:
    """{idea id: importance} of the viewer's votes among `idea_ids` (one query)."""
    if not getattr(viewer, "is_authenticated", False) or not idea_ids:
        return {}
    rows = db.session.execute(
        select(IdeaVote.idea_id, IdeaVote.importance).where(
            IdeaVote.member_id == viewer.id, IdeaVote.idea_id.in_(idea_ids)
        )
    )
    return {int(i): int(imp) for i, imp in rows}


# --- following -----------------------------------------------------------------------------


def set_follow(actor: Member, idea_id: int, following: bool) -> bool:
    """Follow (told of status changes) or stop; set-or-unset, never a toggle."""
    require_member(actor)
    with unit_of_work():
        require_can_write(actor, "follow")
        idea = _idea_for_write(actor, idea_id)
        if following:
            changed = db.session.execute(
                dialect_insert(IdeaFollow)
                .values(idea_id=idea.id, member_id=actor.id, created_at=utcnow())
                .on_conflict_do_nothing(index_elements=["idea_id", "member_id"])
                .returning(IdeaFollow.id)
            ).first()
        else:
            changed = db.session.execute(
                delete(IdeaFollow)
                .where(IdeaFollow.idea_id == idea.id, IdeaFollow.member_id == actor.id)
                .returning(IdeaFollow.id)
            ).first()
        if changed is not None:
            db.session.execute(
                update(Idea)
                .where(Idea.id == idea.id)
                .values(follower_count=Idea.follower_count + (1 if following else -1)),
                execution_options={"synchronize_session": False},
            )
    return following


def is_following(viewer: Any, idea_id: int) -> bool:
    if not getattr(viewer, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(IdeaFollow.id).where(
                IdeaFollow.idea_id == idea_id, IdeaFollow.member_id == viewer.id
            )
        )
        is not None
    )


# --- comments (forum replies in the idea's topic) ------------------------------------------


def comment(actor: Member, idea_id: int, body: str) -> Post:
    """A comment is a reply in the idea's discussion topic (the forums' rules apply)."""
    from app.community.forums.services.posts import reply

    require_member(actor)
    idea = get_idea(actor, idea_id)
    if idea.merged_into_id is not None:
        raise Invalid({"body": _("This idea was merged: comment on the idea it joined.")})
    if idea.topic_id is None:
        raise Invalid({"body": _("This idea takes no comments.")})
    post = reply(actor, idea.topic_id, body)
    with unit_of_work():
        db.session.execute(
            update(Idea).where(Idea.id == idea.id).values(last_activity_at=post.created_at),
            execution_options={"synchronize_session": False},
        )
    return post
