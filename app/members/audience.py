"""The one audience rule: who may see or answer a thing (a forum category, an idea board, a
poll, later a campaign or a segment).

An audience is a set of criteria over the member's profile: role, loyalty tier, interests,
lifecycle stage, trust level, and "members only". Criteria combine with AND, the values
inside one criterion with OR ("Gold and above AND interested in trail running or
climbing"): each criterion narrows, a list inside one widens, which is how people say it.
An empty audience is everyone, visitors included. Staff (moderators, admins) always match,
so they can moderate what they cannot otherwise see.

The viewer's interests and lifecycle stage are read once per request (`request_cache`), so
a list that checks twenty boards or forty categories costs two queries, not forty.
Everything that asks "may this viewer see it?" calls `matches`; nothing else re-implements
the rule. Segments plug in here later as one more criterion.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from app.core.templating import request_cache
from app.extensions import db
from app.members.models import ROLES, STAFF_ROLES, TIERS, Interest, MemberInterest, tier_rank

# Lifecycle stages (app.members.engagement.models.STAGES), repeated here so this module does
# not import the engagement package at import time; a test keeps the two in step.
STAGES = ("new", "active", "advocate", "reactivated", "at_risk", "lapsed")
TRUST_LEVELS = (0, 1, 2, 3)

# Value bands recorded with votes and answers (a snapshot of the member's spend so far,
# MemberProfile.monetary_cents): thresholds in the base currency's cents.
VALUE_BANDS = ("none", "low", "medium", "high")
VALUE_BAND_THRESHOLDS = ((50_000, "high"), (10_000, "medium"), (1, "low"))

_CACHE_KEY = "cercle.audience_viewer"


@dataclass(frozen=True)
class Audience:
    """Who a thing is for. Criteria combine with AND; values inside one with OR."""

    # Any of these roles; empty = any role (visitors included only if everyone).
    roles: frozenset[str] = field(default_factory=frozenset)
    # "silver" means Silver and above (TIERS order).
    min_tier: str | None = None
    # Interest slugs, any of.
    interests: frozenset[str] = field(default_factory=frozenset)
    # Lifecycle stages (MemberProfile.stage), any of.
    stages: frozenset[str] = field(default_factory=frozenset)
    # Member.trust_level (moderation); 0 = no requirement.
    min_trust_level: int = 0
    # Signed-in members only (implied by every other criterion).
    members_only: bool = False
    # Roles that always match, whatever the other criteria: the team that manages the
    # thing (the product team on an idea board's discussions), as staff always do.
    managed_by: frozenset[str] = field(default_factory=frozenset)

    def is_everyone(self) -> bool:
        return not (
            self.roles
            or (self.min_tier and tier_rank(self.min_tier) > 0)
            or self.interests
            or self.stages
            or self.min_trust_level > 0
            or self.members_only
        )

    def needs_member(self) -> bool:
        """Visitors never match an audience that is not everyone."""
        return not self.is_everyone()

    def to_json(self) -> dict[str, Any]:
        """Stable JSON (sorted lists, only the criteria that are set) for a JSON column."""
        data: dict[str, Any] = {}
        if self.roles:
            data["roles"] = sorted(self.roles)
        if self.min_tier and tier_rank(self.min_tier) > 0:
            data["min_tier"] = self.min_tier
        if self.interests:
            data["interests"] = sorted(self.interests)
        if self.stages:
            data["stages"] = sorted(self.stages)
        if self.min_trust_level:
            data["min_trust_level"] = int(self.min_trust_level)
        if self.members_only:
            data["members_only"] = True
        if self.managed_by and not self.is_everyone():
            data["managed_by"] = sorted(self.managed_by)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Audience:
        data = data or {}

        def strings(key: str) -> frozenset[str]:
            value = data.get(key) or ()
            if isinstance(value, str):
                value = [value]
            return frozenset(str(v).strip() for v in value if str(v).strip())

        try:
            trust = int(data.get("min_trust_level") or 0)
        except (TypeError, ValueError):
            trust = 0
        return cls(
            roles=strings("roles"),
            min_tier=(str(data["min_tier"]) if data.get("min_tier") else None),
            interests=strings("interests"),
            stages=strings("stages"),
            min_trust_level=trust,
            members_only=bool(data.get("members_only")),
            managed_by=strings("managed_by"),
        )

    @classmethod
    def everyone(cls) -> Audience:
        return cls()


EVERYONE = Audience()


def _is_member(viewer: Any) -> bool:
    return viewer is not None and bool(getattr(viewer, "is_authenticated", False))


def _viewer_facts(viewer: Any) -> dict[str, Any]:
    """The viewer's interest slugs and stage, loaded once per request."""
    cache = request_cache(_CACHE_KEY)
    facts = cache.get(viewer.id)
    if facts is None:
        facts = {"interests": None, "stage": None}
        cache[viewer.id] = facts
    return facts


def viewer_interests(viewer: Any) -> frozenset[str]:
    facts = _viewer_facts(viewer)
    if facts["interests"] is None:
        facts["interests"] = frozenset(
            db.session.scalars(
                select(Interest.slug)
                .join(MemberInterest, MemberInterest.interest_id == Interest.id)
                .where(MemberInterest.member_id == viewer.id)
            )
        )
    return facts["interests"]


def viewer_stage(viewer: Any) -> str:
    facts = _viewer_facts(viewer)
    if facts["stage"] is None:
        from app.members.engagement.models import MemberProfile

        stage = db.session.scalar(
            select(MemberProfile.stage).where(MemberProfile.member_id == viewer.id)
        )
        facts["stage"] = stage or "new"
    return facts["stage"]


def forget_viewer(member_id: int | None = None) -> None:
    """Drop the request's cached facts (after the member changed their interests)."""
    cache = request_cache(_CACHE_KEY)
    if member_id is None:
        cache.clear()
    else:
        cache.pop(member_id, None)


def matches(viewer: Any, audience: Audience) -> bool:
    """Whether `viewer` (a member, or None / an anonymous user for a visitor) is in it."""
    if audience.is_everyone():
        return True
    if not _is_member(viewer):
        return False
    role = getattr(viewer, "role", None)
    if role in STAFF_ROLES or role in audience.managed_by:
        return True
    if audience.roles and viewer.role not in audience.roles:
        return False
    if audience.min_tier and tier_rank(viewer.tier) < tier_rank(audience.min_tier):
        return False
    if audience.min_trust_level and (
        int(getattr(viewer, "trust_level", 0) or 0) < audience.min_trust_level
    ):
        return False
    if audience.interests and not (audience.interests & viewer_interests(viewer)):
        return False
    return not audience.stages or viewer_stage(viewer) in audience.stages


def validate(audience: Audience | dict[str, Any] | None) -> dict[str, str]:
    """Field errors for an audience built from a form or the API (unknown values)."""
    if not isinstance(audience, Audience):
        audience = Audience.from_json(audience)
    errors: dict[str, str] = {}
    if audience.roles - set(ROLES):
        errors["roles"] = _(
            "Unknown role: %(names)s.", names=", ".join(sorted(audience.roles - set(ROLES)))
        )
    if audience.min_tier and audience.min_tier not in TIERS:
        errors["min_tier"] = _("Unknown tier: %(name)s.", name=audience.min_tier)
    if audience.stages - set(STAGES):
        errors["stages"] = _(
            "Unknown lifecycle stage: %(names)s.",
            names=", ".join(sorted(audience.stages - set(STAGES))),
        )
    if audience.min_trust_level not in TRUST_LEVELS:
        errors["min_trust_level"] = _("Trust level goes from 0 to 3.")
    if audience.interests:
        known = set(
            db.session.scalars(select(Interest.slug).where(Interest.slug.in_(audience.interests)))
        )
        unknown = audience.interests - known
        if unknown:
            errors["interests"] = _(
                "Unknown interest: %(names)s.", names=", ".join(sorted(unknown))
            )
    return errors


def role_label(role: str) -> str:
    return {
        "member": _("members"),
        "moderator": _("community team"),
        "product": _("product team"),
        "admin": _("administrators"),
    }.get(role, role)


def stage_label(stage: str) -> str:
    return {
        "new": _("New"),
        "active": _("Active"),
        "advocate": _("Advocate"),
        "reactivated": _("Reactivated"),
        "at_risk": _("At risk"),
        "lapsed": _("Lapsed"),
    }.get(stage, stage)


def tier_label(tier: str) -> str:
    return {
        "bronze": _("Bronze"),
        "silver": _("Silver"),
        "gold": _("Gold"),
        "platinum": _("Platinum"),
    }.get(tier, tier)


def _interest_names(slugs: frozenset[str]) -> list[str]:
    cache = request_cache("cercle.audience_interest_names")
    missing = [s for s in slugs if s not in cache]
    if missing:
        locale = str(get_locale() or "en")
        for interest in db.session.scalars(select(Interest).where(Interest.slug.in_(missing))):
            cache[interest.slug] = interest.name(locale)
    return sorted(cache.get(s, s) for s in slugs)


def describe(audience: Audience) -> str:
    """The audience in words, translated: "Gold and above, interested in Trail running"."""
    if audience.is_everyone():
        return _("Everyone")
    parts: list[str] = []
    if audience.roles:
        parts.append(
            _("for %(roles)s", roles=_(" or ").join(role_label(r) for r in sorted(audience.roles)))
        )
    if audience.min_tier and tier_rank(audience.min_tier) > 0:
        if audience.min_tier == TIERS[-1]:
            parts.append(tier_label(audience.min_tier))
        else:
            parts.append(_("%(tier)s and above", tier=tier_label(audience.min_tier)))
    if audience.interests:
        parts.append(
            _(
                "interested in %(interests)s",
                interests=_(" or ").join(_interest_names(audience.interests)),
            )
        )
    if audience.stages:
        parts.append(
            _(
                "lifecycle stage %(stages)s",
                stages=_(" or ").join(stage_label(s) for s in sorted(audience.stages)),
            )
        )
    if audience.min_trust_level:
        parts.append(_("trust level %(level)d and above", level=audience.min_trust_level))
    if not parts:
        return _("Members only")
    text = ", ".join(parts)
    return text[:1].upper() + text[1:]


def value_band(monetary_cents: int | None) -> str:
    """The member's spend so far as a band (none, low, medium, high)."""
    cents = int(monetary_cents or 0)
    for threshold, band in VALUE_BAND_THRESHOLDS:
        if cents >= threshold:
            return band
    return "none"


def snapshot(member: Any) -> dict[str, Any]:
    """Who the member is now (tier, lifecycle stage, value band, interest slugs), to store
    beside a vote or an answer so reports show who asked then, not who they are now.
    Reads the database directly (two queries), never the request cache: it is written."""
    from app.members.engagement.models import MemberProfile

    profile = db.session.execute(
        select(MemberProfile.stage, MemberProfile.monetary_cents).where(
            MemberProfile.member_id == member.id
        )
    ).first()
    interests = sorted(
        db.session.scalars(
            select(Interest.slug)
            .join(MemberInterest, MemberInterest.interest_id == Interest.id)
            .where(MemberInterest.member_id == member.id)
        )
    )
    return {
        "tier": member.tier if member.tier in TIERS else TIERS[0],
        "stage": (profile.stage if profile else None) or "new",
        "value_band": value_band(profile.monetary_cents if profile else 0),
        "interests": interests,
    }
