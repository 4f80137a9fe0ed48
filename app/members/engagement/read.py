"""Reading profiles: one member's or many at once (API, export, 360 view), set-based."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from flask import current_app
from sqlalchemy import select

from app.core.time import aware, utcnow
from app.extensions import db
from app.members.engagement.models import MemberAffinity, MemberProfile
from app.members.engagement.rollups import score_at
from app.members.loyalty.ledger import standing
from app.members.models import Interest, Member, MemberInterest


def _band(value: float, bands: tuple, higher_is_better: bool = True) -> int:
    """5 for the best band down to 1."""
    for i, edge in enumerate(bands):
        if (value >= edge) if higher_is_better else (value <= edge):
            return 5 - i
    return 1


def rfm(profile: MemberProfile | None, now: datetime | None = None) -> dict[str, int | None]:
    """Recency, frequency, monetary scores 1–5 from purchases (bands in the config)."""
    config = current_app.config
    if profile is None or not profile.purchase_count:
        return {"recency": None, "frequency": 0, "monetary": 0}
    now = now or utcnow()
    days = (now - aware(profile.last_purchase_at)).days
    return {
        "recency": _band(days, config["RFM_RECENCY_DAYS"], higher_is_better=False),
        "frequency": _band(profile.purchase_count, config["RFM_FREQUENCY"]),
        "monetary": _band(profile.monetary_cents / 100, config["RFM_MONETARY"]),
    }


def affinities(member_ids: list[int], now: datetime | None = None, locale: str = "en") -> dict:
    """Per member: declared and inferred interests, strongest first."""
    now = now or utcnow()
    out: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
    names = {i.id: i.name(locale) for i in db.session.scalars(select(Interest))}
    for member_id, interest_id in db.session.execute(
        select(MemberInterest.member_id, MemberInterest.interest_id).where(
            MemberInterest.member_id.in_(member_ids)
        )
    ):
        out[member_id][interest_id] = {
            "interest": names.get(interest_id, ""),
            "score": 0.0,
            "declared": True,
        }
    for member_id, interest_id, base in db.session.execute(
        select(
            MemberAffinity.member_id, MemberAffinity.interest_id, MemberAffinity.score_base
        ).where(MemberAffinity.member_id.in_(member_ids))
    ):
        entry = out[member_id].setdefault(
            interest_id, {"interest": names.get(interest_id, ""), "score": 0.0, "declared": False}
        )
        entry["score"] = round(score_at(base, now), 2)
    return {
        m: sorted(v.values(), key=lambda a: (-a["declared"], -a["score"], a["interest"]))
        for m, v in out.items()
    }


def profiles_data(members: list[Member], now: datetime | None = None) -> list[dict[str, Any]]:
    """The API's profile objects for these members (five queries whatever their number)."""
    now = now or utcnow()
    ids = [m.id for m in members]
    if not ids:
        return []
    profiles = {
        p.member_id: p
        for p in db.session.scalars(select(MemberProfile).where(MemberProfile.member_id.in_(ids)))
    }
    points = standing(ids, now)
    interests = affinities(ids, now)
    currency = current_app.config["BASE_CURRENCY"]
    out = []
    for member in members:
        p = profiles.get(member.id)
        balance, rolling = points[member.id]
        out.append(
            {
                "member_id": member.id,
                "username": member.username,
                "external_id": member.external_id,
                "tier": member.tier,
                "points_balance": balance,
                "points_12_months": rolling,
                "engagement_score": round(score_at(p.score_base, now), 2) if p else 0.0,
                "stage": p.stage if p else "new",
                "first_seen_at": aware(p.first_seen_at) if p else None,
                "last_seen_at": aware(p.last_seen_at) if p else None,
                "counts": dict(p.counts) if p else {},
                "purchase_count": p.purchase_count if p else 0,
                "value": str(Decimal(p.monetary_cents if p else 0).scaleb(-2)),
                "currency": currency,
                "rfm": rfm(p, now),
                "interests": interests.get(member.id, []),
            }
        )
    return out
