"""The brand's taxonomy (products and themes) and each member's interests in it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from app.core.converters import MAX_ID
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.validation import check_bilingual, check_slug, parse_position
from app.extensions import db
from app.members.events import InterestsChanged
from app.members.models import INTEREST_KINDS, Interest, Member, MemberInterest

MAX_INTERESTS = 30


def list_interests(include_inactive: bool = False) -> list[Interest]:
    query = select(Interest).order_by(Interest.kind, Interest.position, Interest.name_en)
    if not include_inactive:
        query = query.where(Interest.active.is_(True))
    return list(db.session.scalars(query))


def member_interest_ids(member_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(MemberInterest.interest_id).where(MemberInterest.member_id == member_id)
        )
    )


def set_interests(actor: Member, interest_ids: list[int]) -> tuple[set[int], set[int]]:
    """Replace the member's interests with the chosen active entries of the taxonomy."""
    wanted = {int(i) for i in interest_ids}
    with unit_of_work():
        if any(not 0 < i <= MAX_ID for i in wanted):
            raise Invalid({"interests": _("Some of the chosen interests no longer exist.")})
        if len(wanted) > MAX_INTERESTS:
            raise Invalid({"interests": _("Choose at most %(n)d interests.", n=MAX_INTERESTS)})
        valid = (
            set(
                db.session.scalars(
                    select(Interest.id).where(Interest.id.in_(wanted), Interest.active.is_(True))
                )
            )
            if wanted
            else set()
        )
        if valid != wanted:
            raise Invalid({"interests": _("Some of the chosen interests no longer exist.")})
        current = member_interest_ids(actor.id)
        added, removed = wanted - current, current - wanted
        if removed:
            db.session.execute(
                delete(MemberInterest).where(
                    MemberInterest.member_id == actor.id,
                    MemberInterest.interest_id.in_(removed),
                )
            )
        for interest_id in sorted(added):
            db.session.add(MemberInterest(member_id=actor.id, interest_id=interest_id))
        if added or removed:
            emit(
                InterestsChanged(
                    member_id=actor.id, added=tuple(sorted(added)), removed=tuple(sorted(removed))
                )
            )
    return added, removed


def _validate(data: dict, interest_id: int | None = None) -> dict:
    errors: dict[str, str] = {}
    clean = {
        "kind": (data.get("kind") or "").strip(),
        "slug": (data.get("slug") or "").strip().lower(),
        "name_en": (data.get("name_en") or "").strip(),
        "name_fr": (data.get("name_fr") or "").strip(),
        "description_en": (data.get("description_en") or "").strip(),
        "description_fr": (data.get("description_fr") or "").strip(),
        "position": data.get("position") or 0,
        "active": bool(data.get("active", True)),
    }
    if clean["kind"] not in INTEREST_KINDS:
        errors["kind"] = _("Choose product or theme.")
    check_slug(
        errors,
        clean["slug"],
        Interest.slug,
        Interest.id,
        interest_id,
        _("Another interest already uses this slug."),
    )
    check_bilingual(errors, clean, description_max=280)
    clean["position"] = parse_position(errors, clean["position"])
    if errors:
        raise Invalid(errors)
    return clean


def save_interest(actor: Member, data: dict, interest_id: int | None = None) -> Interest:
    """Admins add or edit taxonomy entries; a slug is unique and names exist in EN and FR."""
    with unit_of_work():
        if not actor.is_admin:
            raise PermissionDenied(_("Only administrators manage the taxonomy."))
        clean = _validate(data, interest_id)
        if interest_id is None:
            if not data.get("position"):
                clean["position"] = (
                    db.session.scalar(select(func.coalesce(func.max(Interest.position), 0))) + 10
                )
            interest = Interest(**clean)
            db.session.add(interest)
        else:
            interest = db.session.get(Interest, interest_id)
            if interest is None:
                raise NotFound()
            for key, value in clean.items():
                setattr(interest, key, value)
    return interest


def interest_member_counts() -> dict[int, int]:
    rows = db.session.execute(
        select(MemberInterest.interest_id, func.count()).group_by(MemberInterest.interest_id)
    )
    return {int(k): int(v) for k, v in rows.all()}
