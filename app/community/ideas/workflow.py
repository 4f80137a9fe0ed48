"""The product team's side of ideas: statuses with official responses (the public
timeline), closing the loop when an idea ships, merging duplicates (reversibly), and the
voters of an idea as a group (CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from app.community.ideas import boards
from app.community.ideas.events import (
    IdeaShipped,
    IdeasMerged,
    IdeaStatusChanged,
    IdeasUnmerged,
)
from app.community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from app.community.ideas.services import _idea_for_write, get_idea, require_member
from app.core.db import unit_of_work
from app.core.errors import Invalid, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.markup import render_markdown
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member

RESPONSE_MAX = 10_000
# Merging duplicates is curation: the product team, admins and the community team.
MERGE_ROLES = frozenset({"product", "moderator", "admin"})


def change_status(actor: Member, idea_id: int, status: str, response: str = "") -> IdeaStatusChange:
    """The product team and admins move an idea to a status, with an optional official
    response (Markdown) shown on the idea and its public timeline. Members cannot.
    Reaching a shipped status closes the loop (IdeaShipped, once)."""
    require_member(actor)
    response = (response or "").replace("\r\n", "\n").strip()
    response_html = render_markdown(response) if response else ""
    with unit_of_work():
        boards.require_manager(actor)
        require_can_write(actor, "status")
        idea = _idea_for_write(actor, idea_id)
        known = boards.status_map()
        errors: dict[str, str] = {}
        if status not in known:
            errors["status"] = _("Choose a status from the list.")
        if len(response) > RESPONSE_MAX:
            errors["response"] = _("At most %(n)s characters.", n=f"{RESPONSE_MAX:,}")
        if idea.merged_into_id is not None:
            errors["status"] = _("This idea is merged into another: unmerge it first.")
        if not errors and status == idea.status and not response:
            errors["response"] = _("The idea is already in this status: write a response.")
        if errors:
            raise Invalid(errors)
        change = _record_change(actor, idea, status, response, response_html)
        new = known[status]
        was_shipped = idea.shipped_at is not None
        if new.is_shipped and not was_shipped:
            idea.shipped_at = change.created_at
        voter_ids: tuple[int, ...] = ()
        if new.is_shipped and not was_shipped:
            voter_ids = tuple(
                db.session.scalars(
                    select(IdeaVote.member_id)
                    .where(IdeaVote.idea_id == idea.id)
                    .order_by(IdeaVote.member_id)
                )
            )
            board = idea.board
            emit(
                IdeaShipped(
                    idea_id=idea.id,
                    board_id=board.id,
                    product=board.product_name("en"),
                    product_interest_id=board.product_interest_id,
                    author_id=idea.author_id,
                    actor_id=actor.id,
                    change_id=change.id,
                    title=idea.title,
                    response=response,
                    voter_ids=voter_ids,
                )
            )
    return change


def _record_change(
    actor: Member, idea: Idea, status: str, response: str, response_html: str
) -> IdeaStatusChange:
    now = utcnow()
    change = IdeaStatusChange(
        idea_id=idea.id,
        old_status=idea.status,
        new_status=status,
        response=response,
        response_html=response_html,
        actor_id=actor.id,
        created_at=now,
    )
    db.session.add(change)
    old = idea.status
    if status != old:
        idea.status = status
        idea.status_changed_at = now
    if idea.first_response_at is None:
        idea.first_response_at = now
    idea.last_activity_at = now
    db.session.flush()
    emit(
        IdeaStatusChanged(
            idea_id=idea.id,
            board_id=idea.board_id,
            actor_id=actor.id,
            change_id=change.id,
            old_status=old,
            new_status=status,
            title=idea.title,
            has_response=bool(response),
        )
    )
    return change


def timeline(idea_id: int) -> list[IdeaStatusChange]:
    return list(
        db.session.scalars(
            select(IdeaStatusChange)
            .where(IdeaStatusChange.idea_id == idea_id)
            .order_by(IdeaStatusChange.created_at, IdeaStatusChange.id)
            .limit(200)
        )
    )


# --- merging -------------------------------------------------------------------------------


def _require_merger(actor: Any) -> None:
    require_member(actor)
    if actor.role not in MERGE_ROLES:
        raise PermissionDenied(_("Only the product and community teams merge ideas."))


def _recount(idea_id: int) -> None:
    """Counters from the rows (a merge moves many votes at once)."""
    count, total = db.session.execute(
        select(func.count(), func.coalesce(func.sum(IdeaVote.importance), 0)).where(
            IdeaVote.idea_id == idea_id
        )
    ).one()
    db.session.execute(
        update(Idea)
        .where(Idea.id == idea_id)
        .values(vote_count=int(count), importance_total=int(total)),
        execution_options={"synchronize_session": False},
    )


def merge(actor: Member, source_id: int, target_id: int) -> Idea:
    """Merge idea B (`source_id`) into A (`target_id`): B's votes move to A, except those
    of members who already voted on A (counted once per member; they stay on B, out of
    every count); B becomes a duplicate that redirects to A; its comments stay readable
    from A. `unmerge` undoes it exactly (the moved votes carry `merged_from_idea_id`)."""
    with unit_of_work():
        _require_merger(actor)
        require_can_write(actor, "merge")
        if source_id == target_id:
            raise Invalid({"target": _("An idea cannot be merged into itself.")})
        first, second = sorted((source_id, target_id))
        locked = {first: _idea_for_write(actor, first), second: _idea_for_write(actor, second)}
        source, target = locked[source_id], locked[target_id]
        if source.merged_into_id is not None:
            raise Invalid({"target": _("This idea is already merged.")})
        if target.merged_into_id is not None:
            raise Invalid(
                {"target": _("The chosen idea is itself merged: pick the idea it joined.")}
            )
        already = select(IdeaVote.member_id).where(IdeaVote.idea_id == target.id)
        moved = db.session.execute(
            update(IdeaVote)
            .where(IdeaVote.idea_id == source.id, IdeaVote.member_id.not_in(already))
            .values(idea_id=target.id, merged_from_idea_id=source.id)
            .returning(IdeaVote.id),
            execution_options={"synchronize_session": False},
        ).all()
        _recount(source.id)
        _recount(target.id)
        status = "duplicate" if "duplicate" in boards.status_map() else source.status
        _record_change(
            actor,
            source,
            status,
            _("Merged into “%(title)s” (#%(id)d).", title=target.title, id=target.id),
            "",
        )
        source.merged_into_id = target.id
        target.last_activity_at = utcnow()
        emit(
            IdeasMerged(
                source_id=source.id, target_id=target.id, actor_id=actor.id, moved_votes=len(moved)
            )
        )
    return target


def unmerge(actor: Member, source_id: int) -> Idea:
    """Undo a merge: the votes that moved go back to B, B gets its status back."""
    with unit_of_work():
        _require_merger(actor)
        require_can_write(actor, "merge")
        source = _idea_for_write(actor, source_id)
        if source.merged_into_id is None:
            raise Invalid({"target": _("This idea is not merged.")})
        target_id = source.merged_into_id
        returned = db.session.execute(
            update(IdeaVote)
            .where(IdeaVote.idea_id == target_id, IdeaVote.merged_from_idea_id == source.id)
            .values(idea_id=source.id, merged_from_idea_id=None)
            .returning(IdeaVote.id),
            execution_options={"synchronize_session": False},
        ).all()
        source.merged_into_id = None
        _recount(source.id)
        _recount(target_id)
        last_merge = db.session.scalar(
            select(IdeaStatusChange)
            .where(IdeaStatusChange.idea_id == source.id)
            .order_by(IdeaStatusChange.id.desc())
            .limit(1)
        )
        previous = last_merge.old_status if last_merge and last_merge.old_status else None
        if previous and previous != source.status:
            _record_change(actor, source, previous, _("Unmerged."), "")
        emit(
            IdeasUnmerged(
                source_id=source.id,
                target_id=target_id,
                actor_id=actor.id,
                returned_votes=len(returned),
            )
        )
    return source


def merged_into(idea: Idea) -> list[Idea]:
    """The ideas merged into `idea` (their comments show on it)."""
    return list(
        db.session.scalars(
            select(Idea).where(Idea.merged_into_id == idea.id).order_by(Idea.id).limit(50)
        )
    )


# --- voters as a group ---------------------------------------------------------------------


def safe_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def voters_csv(actor: Member, idea_id: int) -> str:
    """The idea's voters with their snapshot at vote time ("voted for X"), for the product
    team and admins: a CSV a campaign tool or the directory can take."""
    require_member(actor)
    if actor.role not in boards.MANAGER_ROLES and actor.role != "moderator":
        raise PermissionDenied(_("Only the product team and administrators export voters."))
    idea = get_idea(actor, idea_id)
    rows = db.session.execute(
        select(IdeaVote, Member)
        .join(Member, Member.id == IdeaVote.member_id)
        .where(IdeaVote.idea_id == idea.id, Member.erased_at.is_(None))
        .order_by(IdeaVote.created_at, IdeaVote.id)
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "member_id",
            "username",
            "email",
            "importance",
            "voted_at",
            "tier_at_vote",
            "stage_at_vote",
            "value_band_at_vote",
            "interests_at_vote",
            "tier_now",
        ]
    )
    for vote, member in rows:
        writer.writerow(
            [
                member.id,
                safe_cell(member.username),
                safe_cell(member.email),
                vote.importance,
                vote.created_at.isoformat(),
                vote.tier,
                vote.stage,
                vote.value_band,
                " ".join(vote.interests or []),
                member.tier,
            ]
        )
    return out.getvalue()
