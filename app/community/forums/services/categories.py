"""Category administration (admins only): kept apart from the members' forum actions."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.community.forums import access
from app.community.forums.models import Category
from app.community.forums.services.base import require_member
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.time import utcnow
from app.core.validation import check_bilingual, check_slug, parse_position
from app.extensions import db
from app.members import audience
from app.members.audience import Audience
from app.members.models import ROLES, TIERS, Member

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


def _validate_category(data: dict, category_id: int | None) -> dict:
    errors: dict[str, str] = {}
    roles = [r for r in (data.get("allowed_roles") or []) if r]
    clean: dict[str, Any] = {
        "slug": (data.get("slug") or "").strip().lower(),
        "name_en": (data.get("name_en") or "").strip(),
        "name_fr": (data.get("name_fr") or "").strip(),
        "description_en": (data.get("description_en") or "").strip(),
        "description_fr": (data.get("description_fr") or "").strip(),
        "colour": (data.get("colour") or "").strip().lower(),
        "position": data.get("position"),
        "allowed_roles": ",".join(r for r in ROLES if r in roles) or None,
        "min_tier_rank": data.get("min_tier_rank") or 0,
        "interest_id": data.get("interest_id") or None,
        "qa": bool(data.get("qa")),
    }
    check_slug(
        errors,
        clean["slug"],
        Category.slug,
        Category.id,
        category_id,
        _("Another category already uses this slug."),
    )
    check_bilingual(errors, clean, description_max=500)
    if not COLOUR_RE.match(clean["colour"]):
        errors["colour"] = _("A colour such as #b4462f.")
    if set(roles) - set(ROLES):
        errors["allowed_roles"] = _("Choose roles from the list.")
    try:
        clean["min_tier_rank"] = int(clean["min_tier_rank"])
        if not 0 <= clean["min_tier_rank"] < len(TIERS):
            raise ValueError
    except (TypeError, ValueError):
        errors["min_tier_rank"] = _("Choose a tier from the list.")
    if any(key.startswith("audience_") for key in data):
        # The audience rule's other criteria (app.members.audience); roles and tier stay
        # in their columns above and are folded in when the rule is asked.
        rule = Audience.from_json(
            {
                "interests": [i for i in (data.get("audience_interests") or []) if i],
                "stages": [s for s in (data.get("audience_stages") or []) if s],
                "min_trust_level": data.get("audience_min_trust_level") or 0,
            }
        )
        for field, message in audience.validate(rule).items():
            errors[f"audience_{field}"] = message
        clean["audience"] = rule.to_json()
    if clean["position"] in (None, ""):
        clean["position"] = None
    else:
        clean["position"] = parse_position(errors, clean["position"])
    if errors:
        raise Invalid(errors)
    return clean


def save_category(actor: Member, data: dict, category_id: int | None = None) -> Category:
    """Admins add or edit categories: unique slug, names in EN and FR, a #rrggbb colour."""
    require_member(actor)
    if not actor.is_admin:
        raise PermissionDenied(_("Only administrators manage categories."))
    with unit_of_work():
        clean = _validate_category(data, category_id)
        if clean["position"] is None:
            if category_id is None:
                highest = db.session.scalar(select(func.max(Category.position)))
                clean["position"] = (highest or 0) + 10
            else:
                clean.pop("position")
        if category_id is None:
            category = Category(topic_count=0, post_count=0, created_at=utcnow(), **clean)
            db.session.add(category)
        else:
            category = db.session.get(Category, category_id)
            if category is None:
                raise NotFound()
            for key, value in clean.items():
                setattr(category, key, value)
    access.forget_categories()
    return category
