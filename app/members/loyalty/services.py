"""What the member sees of the programme, and the admins' rules and tiers."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.pagination import Page
from app.extensions import db
from app.members.loyalty.ledger import refresh_members, standing, thresholds, tier_for
from app.members.loyalty.models import EarningRule, LedgerEntry, Tier
from app.members.models import TIERS, Member

HISTORY_PER_PAGE = 25


@dataclass(frozen=True)
class Standing:
    balance: int
    rolling: int
    tier: str
    next_tier: str | None
    next_threshold: int | None
    to_next: int
    progress: int  # percent of the way from this tier's threshold to the next


def standing_of(member: Member) -> Standing:
    balance, rolling = standing([member.id])[member.id]
    levels = thresholds()
    tier = tier_for(rolling, levels)
    ordered = [key for key, _n in levels]
    needed = dict(levels)
    position = ordered.index(tier)
    if position + 1 < len(ordered):
        nxt = ordered[position + 1]
        span = max(needed[nxt] - needed[tier], 1)
        progress = min(100, max(0, round(100 * (rolling - needed[tier]) / span)))
        return Standing(balance, rolling, tier, nxt, needed[nxt], needed[nxt] - rolling, progress)
    return Standing(balance, rolling, tier, None, None, 0, 100)


def history(member_id: int, page: int, per_page: int = HISTORY_PER_PAGE) -> Page[LedgerEntry]:
    total = db.session.scalar(
        select(func.count()).select_from(LedgerEntry).where(LedgerEntry.member_id == member_id)
    )
    items = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.member_id == member_id)
        .order_by(LedgerEntry.earned_at.desc(), LedgerEntry.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(items, page, per_page, total)


def tiers() -> list[Tier]:
    stored = {t.key: t for t in db.session.scalars(select(Tier))}
    levels = dict(thresholds())
    return [
        stored.get(k) or Tier(key=k, position=i, threshold=levels[k]) for i, k in enumerate(TIERS)
    ]


RULE_ORDER = (
    "registered",
    "posted",
    "replied",
    "like_received",
    "idea",
    "idea_shipped",
    "idea_shipped_vote",
    "poll_answer",
    "purchase",
    "store_visit",
    "newsletter_click",
)


def rules() -> list[EarningRule]:
    """The rules, community first, then the other channels (any new type last)."""
    found = list(db.session.scalars(select(EarningRule).order_by(EarningRule.event_type)))
    rank = {kind: i for i, kind in enumerate(RULE_ORDER)}
    return sorted(found, key=lambda r: rank.get(r.event_type, len(rank)))


def _require_admin(actor: Member) -> None:
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators change the loyalty programme."))


def save_rule(
    actor: Member, rule_id: int, points: int, daily_cap: int | None, active: bool
) -> EarningRule:
    """Admins set a rule's points and cap; they apply to activity recorded from now on."""
    errors = {}
    if points is None or not 0 <= points <= 100_000:
        errors["points"] = _("Between 0 and 100,000 points.")
    if daily_cap is not None and not 0 <= daily_cap <= 1_000_000:
        errors["daily_cap"] = _("Leave empty for no cap, or between 0 and 1,000,000.")
    if errors:
        raise Invalid(errors)
    with unit_of_work():
        _require_admin(actor)
        rule = db.session.get(EarningRule, rule_id)
        if rule is None:
            raise NotFound()
        rule.points, rule.daily_cap, rule.active = points, daily_cap, active
    return rule


def save_tier(actor: Member, key: str, threshold: int, perks_en: str, perks_fr: str) -> Tier:
    """Admins set a tier's threshold and perks; thresholds must rise with the tiers."""
    if key not in TIERS:
        raise NotFound()
    if threshold is None or not 0 <= threshold <= 10_000_000:
        raise Invalid({"threshold": _("Between 0 and 10,000,000 points.")})
    if key == TIERS[0] and threshold != 0:
        raise Invalid({"threshold": _("The first tier starts at 0 points.")})
    with unit_of_work():
        _require_admin(actor)
        levels = dict(thresholds())
        levels[key] = threshold
        ordered = [levels[k] for k in TIERS]
        if ordered != sorted(ordered) or len(set(ordered)) != len(ordered):
            raise Invalid({"threshold": _("Each tier needs more points than the one below it.")})
        tier = db.session.get(Tier, key)
        if tier is None:
            tier = Tier(key=key, position=TIERS.index(key))
            db.session.add(tier)
        tier.threshold = threshold
        tier.perks_en = (perks_en or "").strip()[:2000]
        tier.perks_fr = (perks_fr or "").strip()[:2000]
        db.session.flush()
        refresh_members()
    return tier
