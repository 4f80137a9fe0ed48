"""Sanctions: staff warn, silence (cannot write) or suspend (cannot log in) a member.

A sanction carries a reason the member reads and, for silences and suspensions, an end:
it is in force while not lifted and its end is in the future, read from the clock at each
check, so a sanction ends on time without any job (the `sanction_expiry` job only records
that it ended). Suspending ends the member's sessions at once (their auth version moves).
The write guard registered at start-up refuses every write of a silenced or suspended
member, and every login of a suspended one, with the reason and the end date.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlalchemy import select, update

from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.time import aware, utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation.events import SanctionApplied, SanctionLifted
from app.moderation.models import Sanction

REASON_MAX = 500
MAX_DAYS = 3650
# A member's write (or login, for a suspension) is refused while one of these is in force.
BLOCKING = ("silence", "suspension")
AUDIT_ACTIONS = {
    "warning": "member_warned",
    "silence": "member_silenced",
    "suspension": "member_suspended",
}


def _require_staff(actor: Any) -> None:
    if not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied(_("Only the community team can sanction members."))


def _target(actor: Any, member_id: int) -> Member:
    member = db.session.get(Member, member_id)
    if member is None:
        raise NotFound()
    if member.id == actor.id:
        raise PermissionDenied(_("You cannot sanction yourself."))
    if member.is_staff and not actor.is_admin:
        raise PermissionDenied(_("Only an administrator can sanction a member of the team."))
    return member


def _clean_reason(reason: str | None) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise Invalid({"reason": _("Say why: the member will read it.")})
    if len(reason) > REASON_MAX:
        raise Invalid(
            {
                "reason": _(
                    "At most %(n)d characters (you wrote %(m)d).", n=REASON_MAX, m=len(reason)
                )
            }
        )
    return reason


def _ends_at(days: Any) -> datetime | None:
    """None (indefinite) for 0 or nothing; otherwise now + days (1 to 3650)."""
    if days in (None, "", 0, "0"):
        return None
    try:
        value = float(days)
    except (TypeError, ValueError):
        value = -1
    if not 0 < value <= MAX_DAYS:
        raise Invalid({"days": _("Give a duration from 1 to %(n)d days.", n=MAX_DAYS)})
    return utcnow() + timedelta(days=value)


def active_sanctions(member_id: int, kinds: tuple[str, ...] = BLOCKING) -> list[Sanction]:
    """The member's sanctions of these kinds in force now, the longest-lasting first."""
    now = utcnow()
    rows = db.session.scalars(
        select(Sanction).where(
            Sanction.member_id == member_id,
            Sanction.kind.in_(kinds),
            Sanction.lifted_at.is_(None),
            (Sanction.ends_at.is_(None)) | (Sanction.ends_at > now),
        )
    ).all()
    return sorted(
        rows, key=lambda s: (s.ends_at is not None, aware(s.ends_at) if s.ends_at else now)
    )


def _apply(actor: Any, member_id: int, kind: str, reason: str, days: Any = None) -> Sanction:
    _require_staff(actor)
    reason = _clean_reason(reason)
    ends_at = None if kind == "warning" else _ends_at(days)
    with unit_of_work():
        member = _target(actor, member_id)
        now = utcnow()
        sanction = Sanction(
            member_id=member.id,
            kind=kind,
            reason=reason,
            starts_at=now,
            ends_at=ends_at,
            created_by_id=actor.id,
            created_at=now,
        )
        db.session.add(sanction)
        if kind == "suspension":
            # Every session and remember-me cookie of the member stops working now.
            db.session.execute(
                update(Member)
                .where(Member.id == member.id)
                .values(auth_version=Member.auth_version + 1)
            )
        elif kind == "silence":
            _sync_silence(member)
        db.session.flush()
        from app.moderation.subscribers import record

        record(
            actor.id,
            AUDIT_ACTIONS[kind],
            "member",
            member.id,
            sanction_id=sanction.id,
            reason=reason,
            before=None,
            after={"kind": kind, "ends_at": ends_at.isoformat() if ends_at else None},
        )
        emit(
            SanctionApplied(
                sanction_id=sanction.id,
                member_id=member.id,
                kind=kind,
                actor_id=actor.id,
                ends_at=ends_at.isoformat() if ends_at else None,
            )
        )
    return sanction


def warn(actor: Any, member_id: int, reason: str) -> Sanction:
    """Staff warn a member: a notice with the reason, nothing refused."""
    return _apply(actor, member_id, "warning", reason)


def silence(actor: Any, member_id: int, reason: str, days: Any = None) -> Sanction:
    """Staff silence a member for `days` (None: until lifted): every write refused."""
    return _apply(actor, member_id, "silence", reason, days)


def suspend(actor: Any, member_id: int, reason: str, days: Any = None) -> Sanction:
    """Staff suspend a member for `days` (None: until lifted): logged out, login refused."""
    return _apply(actor, member_id, "suspension", reason, days)


def lift(actor: Any, sanction_id: int, reason: str = "") -> Sanction:
    """Staff end a silence or suspension early. Lifting one already over changes nothing."""
    _require_staff(actor)
    reason = " ".join((reason or "").split())[:REASON_MAX]
    with unit_of_work():
        sanction = db.session.scalar(
            select(Sanction).where(Sanction.id == sanction_id).with_for_update()
        )
        if sanction is None:
            raise NotFound()
        _target(actor, sanction.member_id)
        if sanction.kind == "warning":
            raise Invalid(_("A warning has nothing to lift."))
        now = utcnow()
        if not sanction.in_force(now):
            return sanction
        before = {"ends_at": sanction.ends_at.isoformat() if sanction.ends_at else None}
        sanction.lifted_at = now
        sanction.lifted_by_id = actor.id
        db.session.flush()
        if sanction.kind == "silence":
            member = db.session.get(Member, sanction.member_id)
            if member is not None:
                _sync_silence(member)
        from app.moderation.subscribers import record

        record(
            actor.id,
            "sanction_lifted",
            "member",
            sanction.member_id,
            sanction_id=sanction.id,
            kind=sanction.kind,
            reason=reason,
            before=before,
            after={"lifted_at": now.isoformat()},
        )
        emit(
            SanctionLifted(
                sanction_id=sanction.id,
                member_id=sanction.member_id,
                kind=sanction.kind,
                actor_id=actor.id,
            )
        )
    return sanction


def refusal_message(sanction: Sanction) -> str:
    """What the member reads when a silence or suspension refuses them."""
    if sanction.kind == "suspension":
        if sanction.ends_at is None:
            return _("Your account is suspended: %(reason)s", reason=sanction.reason)
        return _(
            "Your account is suspended until %(end)s: %(reason)s",
            end=format_datetime(aware(sanction.ends_at), "medium"),
            reason=sanction.reason,
        )
    if sanction.ends_at is None:
        return _("You are silenced and cannot post: %(reason)s", reason=sanction.reason)
    return _(
        "You are silenced and cannot post until %(end)s: %(reason)s",
        end=format_datetime(aware(sanction.ends_at), "medium"),
        reason=sanction.reason,
    )


def write_guard(actor: Any, action: str) -> str | None:
    """The write guard (app.core.guards): a silence refuses writes, a suspension refuses
    writes and logins; reading is never refused."""
    member_id = getattr(actor, "id", None)
    if member_id is None or not getattr(actor, "is_authenticated", True):
        return None
    kinds = ("suspension",) if action == "login" else BLOCKING
    active = active_sanctions(member_id, kinds)
    if not active:
        return None
    suspended = [s for s in active if s.kind == "suspension"]
    return refusal_message(suspended[0] if suspended else active[0])


def record_expiries(limit: int = 500) -> int:
    """The `sanction_expiry` job: mark sanctions whose end has passed (a record only)."""
    now = utcnow()
    ids = list(
        db.session.scalars(
            select(Sanction.id)
            .where(
                Sanction.ends_at.is_not(None),
                Sanction.ends_at <= now,
                Sanction.expiry_recorded_at.is_(None),
                Sanction.lifted_at.is_(None),
            )
            .limit(limit)
        )
    )
    if not ids:
        return 0
    with unit_of_work():
        db.session.execute(
            update(Sanction)
            .where(Sanction.id.in_(ids), Sanction.expiry_recorded_at.is_(None))
            .values(expiry_recorded_at=now),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


UNTIL_LIFTED = datetime(9999, 12, 31, tzinfo=UTC)


def _sync_silence(member: Member) -> None:
    """Copy the end of the member's longest silence in force onto the member (the banner
    reads it without a query); inside the sanction's unit of work."""
    db.session.flush()
    active = active_sanctions(member.id, ("silence",))
    if not active:
        member.silenced_until = None
    elif any(s.ends_at is None for s in active):
        member.silenced_until = UNTIL_LIFTED
    else:
        member.silenced_until = max(aware(s.ends_at) for s in active)  # type: ignore[arg-type]


def silence_notice(member: Any) -> Sanction | None:
    """The silence in force for the banner (None when the member may write). Members
    never silenced, or whose silence ended, cost no query."""
    if not getattr(member, "is_authenticated", False):
        return None
    until = getattr(member, "silenced_until", None)
    if until is None or aware(until) <= utcnow():
        return None
    active = active_sanctions(member.id, ("silence",))
    return active[0] if active else None


def history(member_id: int, limit: int = 10) -> list[Sanction]:
    """The member's latest sanctions, newest first (staff see them on the profile)."""
    return list(
        db.session.scalars(
            select(Sanction)
            .where(Sanction.member_id == member_id)
            .order_by(Sanction.created_at.desc(), Sanction.id.desc())
            .limit(limit)
        )
    )
