"""Validation rules shared by services that manage bilingual, slugged entries
(taxonomy interests, forum categories)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 60
NAME_MAX = 80


def check_slug(
    errors: dict[str, str],
    slug: str,
    column: InstrumentedAttribute[Any],
    id_column: InstrumentedAttribute[Any],
    exclude_id: int | None,
    taken_message: str,
) -> None:
    """A well-formed slug that no other row uses (the row being edited excepted)."""
    if not SLUG_RE.match(slug) or len(slug) > SLUG_MAX:
        errors["slug"] = _("Lower-case letters, digits and dashes, up to 60 characters.")
        return
    query = select(id_column).where(column == slug)
    if exclude_id is not None:
        query = query.where(id_column != exclude_id)
    if db.session.scalar(query) is not None:
        errors["slug"] = taken_message


def check_bilingual(errors: dict[str, str], clean: dict[str, Any], description_max: int) -> None:
    """Names required in English and French; names and descriptions within their limits."""
    for field in ("name_en", "name_fr"):
        if not clean[field]:
            errors[field] = _("A name is required in both languages.")
        elif len(clean[field]) > NAME_MAX:
            errors[field] = _("At most %(n)d characters.", n=NAME_MAX)
    for field in ("description_en", "description_fr"):
        if len(clean[field]) > description_max:
            errors[field] = _("At most %(n)d characters.", n=description_max)


POSITION_LIMIT = 1_000_000


def parse_position(errors: dict[str, str], value: Any) -> int | None:
    """A list position: a whole number within ±1,000,000 (fits every database's INTEGER)."""
    try:
        position = int(value)
    except (TypeError, ValueError):
        errors["position"] = _("Enter a whole number.")
        return None
    if abs(position) > POSITION_LIMIT:
        errors["position"] = _("Enter a number between -1,000,000 and 1,000,000.")
        return None
    return position
