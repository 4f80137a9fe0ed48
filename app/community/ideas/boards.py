"""Idea boards and idea statuses: who may see a board (the audience rule), and the admins'
and product team's management of boards and statuses."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.community.forums.models import Category
from app.community.ideas.models import Idea, IdeaBoard, IdeaStatus
from app.core.db import unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.templating import request_cache
from app.core.validation import check_bilingual, check_slug, parse_position
from app.extensions import db
from app.members import audience
from app.members.audience import Audience
from app.members.models import Interest, Member

# Who manages boards and statuses and answers ideas officially.
MANAGER_ROLES = frozenset({"product", "admin"})
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# The default statuses (slug, EN, FR, colour, accepts votes, on the roadmap, shipped).
DEFAULT_STATUSES = (
    ("open", "Open", "Ouverte", "#4a5a8c", True, False, False),
    ("under_review", "Under review", "À l’étude", "#a86a12", True, False, False),
    ("planned", "Planned", "Prévue", "#2f6f8f", True, True, False),
    ("in_progress", "In progress", "En cours", "#7a4f9a", True, True, False),
    ("shipped", "Shipped", "Livrée", "#3d7a4f", False, True, True),
    ("declined", "Declined", "Refusée", "#8f3b5c", False, False, False),
    ("duplicate", "Duplicate", "Doublon", "#6b7280", False, False, False),
)

_STATUS_KEY = "cercle.idea_statuses"
_BOARD_KEY = "cercle.idea_boards"


def is_manager(actor: Any) -> bool:
    return bool(getattr(actor, "is_authenticated", False)) and actor.role in MANAGER_ROLES


def require_manager(actor: Any) -> None:
    if not is_manager(actor):
        raise PermissionDenied(_("Only the product team and administrators do this."))


# --- statuses ------------------------------------------------------------------------------


def statuses() -> list[IdeaStatus]:
    """Every status in display order, once per request (the table is tiny)."""
    cache = request_cache(_STATUS_KEY)
    if "all" not in cache:
        cache["all"] = list(
            db.session.scalars(select(IdeaStatus).order_by(IdeaStatus.position, IdeaStatus.id))
        )
    return cache["all"]


def status_map() -> dict[str, IdeaStatus]:
    return {s.slug: s for s in statuses()}


def default_status() -> str:
    for status in statuses():
        if status.is_default:
            return status.slug
    return statuses()[0].slug if statuses() else "open"


def ensure_default_statuses() -> int:
    """Insert the default statuses that are missing (seed, first run); returns how many."""
    known = set(db.session.scalars(select(IdeaStatus.slug)))
    added = 0
    for position, (slug, en, fr, colour, votes, roadmap, shipped) in enumerate(DEFAULT_STATUSES):
        if slug in known:
            continue
        db.session.add(
            IdeaStatus(
                slug=slug,
                name_en=en,
                name_fr=fr,
                colour=colour,
                position=(position + 1) * 10,
                accepts_votes=votes,
                roadmap=roadmap,
                is_default=(slug == "open" and not known),
                is_shipped=shipped,
            )
        )
        added += 1
    request_cache(_STATUS_KEY).clear()
    return added


def save_status(actor: Member, data: dict[str, Any], status_id: int | None = None) -> IdeaStatus:
    """Admins configure statuses: names in EN and FR, a colour, whether ideas in it take
    votes, appear on the roadmap, count as shipped; exactly one is the default."""
    with unit_of_work():
        if not getattr(actor, "is_admin", False):
            raise PermissionDenied(_("Only administrators configure statuses."))
        errors: dict[str, str] = {}
        clean: dict[str, Any] = {
            "slug": (data.get("slug") or "").strip().lower().replace("-", "_"),
            "name_en": (data.get("name_en") or "").strip(),
            "name_fr": (data.get("name_fr") or "").strip(),
            "description_en": "",
            "description_fr": "",
            "colour": (data.get("colour") or "").strip().lower(),
        }
        if not re.match(r"^[a-z0-9]+(?:_[a-z0-9]+)*$", clean["slug"]) or len(clean["slug"]) > 40:
            errors["slug"] = _("Lower-case letters, digits and underscores, up to 40 characters.")
        else:
            query = select(IdeaStatus.id).where(IdeaStatus.slug == clean["slug"])
            if status_id is not None:
                query = query.where(IdeaStatus.id != status_id)
            if db.session.scalar(query) is not None:
                errors["slug"] = _("Another status already uses this slug.")
        check_bilingual(errors, clean, description_max=0)
        if not COLOUR_RE.match(clean["colour"]):
            errors["colour"] = _("A colour such as #b4462f.")
        position = parse_position(errors, data.get("position") or 0)
        if errors:
            raise Invalid(errors)
        if status_id is None:
            status = IdeaStatus(slug=clean["slug"])
            db.session.add(status)
        else:
            status = db.session.get(IdeaStatus, status_id)
            if status is None:
                raise NotFound()
            if status.slug != clean["slug"]:
                in_use = db.session.scalar(
                    select(func.count()).select_from(Idea).where(Idea.status == status.slug)
                )
                if in_use:
                    raise Invalid({"slug": _("Ideas use this status: its slug stays.")})
                status.slug = clean["slug"]
        status.name_en, status.name_fr = clean["name_en"], clean["name_fr"]
        status.colour, status.position = clean["colour"], position or 0
        status.accepts_votes = bool(data.get("accepts_votes"))
        status.roadmap = bool(data.get("roadmap"))
        status.is_shipped = bool(data.get("is_shipped"))
        if data.get("is_default"):
            for other in db.session.scalars(select(IdeaStatus)):
                other.is_default = other is status
            status.is_default = True
    request_cache(_STATUS_KEY).clear()
    return status


# --- boards --------------------------------------------------------------------------------


def all_boards() -> list[IdeaBoard]:
    cache = request_cache(_BOARD_KEY)
    if "all" not in cache:
        cache["all"] = list(
            db.session.scalars(select(IdeaBoard).order_by(IdeaBoard.position, IdeaBoard.id))
        )
    return cache["all"]


def forget_boards() -> None:
    request_cache(_BOARD_KEY).clear()


def board_audience(board: IdeaBoard) -> Audience:
    return Audience.from_json(board.audience)


def can_see_board(viewer: Any, board: IdeaBoard) -> bool:
    """The board's audience matches the viewer (app.members.audience, the one rule); the
    product team, who manage every board and answer its ideas, see them all."""
    return is_manager(viewer) or audience.matches(viewer, board_audience(board))


def visible_boards(viewer: Any) -> list[IdeaBoard]:
    return [b for b in all_boards() if can_see_board(viewer, b)]


def visible_board_ids(viewer: Any) -> list[int]:
    return [b.id for b in visible_boards(viewer)]


def board_by_slug(viewer: Any, slug: str) -> IdeaBoard:
    """The board, or NotFound when it does not exist or its audience excludes the viewer."""
    for board in all_boards():
        if board.slug == slug and can_see_board(viewer, board):
            return board
    raise NotFound()


def product_interests() -> list[Interest]:
    return list(
        db.session.scalars(
            select(Interest)
            .where(Interest.kind == "product", Interest.active.is_(True))
            .order_by(Interest.position, Interest.name_en)
        )
    )


def audience_from_form(data: dict[str, Any]) -> Audience:
    """An audience from form fields (`audience_roles`, `audience_min_tier`, ...)."""

    def many(key: str) -> list[str]:
        value = data.get(key) or []
        return [value] if isinstance(value, str) else list(value)

    return Audience.from_json(
        {
            "roles": [r for r in many("audience_roles") if r],
            "min_tier": data.get("audience_min_tier") or None,
            "interests": [i for i in many("audience_interests") if i],
            "stages": [s for s in many("audience_stages") if s],
            "min_trust_level": data.get("audience_min_trust_level") or 0,
            "members_only": bool(data.get("audience_members_only")),
        }
    )


def save_board(actor: Member, data: dict[str, Any], board_id: int | None = None) -> IdeaBoard:
    """The product team and admins add or edit boards: bilingual names, a product (an
    interest of kind product, or a free name), an audience checked by the audience rule.
    Each board has a forum category for its ideas' discussions, with the same audience."""
    with unit_of_work():
        require_manager(actor)
        errors: dict[str, str] = {}
        clean: dict[str, Any] = {
            "slug": (data.get("slug") or "").strip().lower(),
            "name_en": (data.get("name_en") or "").strip(),
            "name_fr": (data.get("name_fr") or "").strip(),
            "description_en": (data.get("description_en") or "").strip(),
            "description_fr": (data.get("description_fr") or "").strip(),
            "product": (data.get("product") or "").strip(),
        }
        check_slug(
            errors,
            clean["slug"],
            IdeaBoard.slug,
            IdeaBoard.id,
            board_id,
            _("Another board already uses this slug."),
        )
        check_bilingual(errors, clean, description_max=500)
        if len(clean["product"]) > 80:
            errors["product"] = _("At most %(n)d characters.", n=80)
        interest_id = data.get("product_interest_id") or None
        if interest_id:
            try:
                interest = db.session.get(Interest, int(interest_id))
            except (TypeError, ValueError):
                interest = None
            if interest is None or interest.kind != "product":
                errors["product_interest_id"] = _("Choose a product from the list.")
            else:
                interest_id = interest.id
        rule = audience_from_form(data) if "audience" not in data else data["audience"]
        if not isinstance(rule, Audience):
            rule = Audience.from_json(rule)
        for field, message in audience.validate(rule).items():
            errors[f"audience_{field}"] = message
        position = parse_position(errors, data.get("position") or 0)
        if errors:
            raise Invalid(errors)
        if board_id is None:
            board = IdeaBoard(idea_count=0)
            db.session.add(board)
        else:
            board = db.session.get(IdeaBoard, board_id)
            if board is None:
                raise NotFound()
        for key, value in clean.items():
            setattr(board, key, value)
        board.product_interest_id = interest_id
        board.audience = rule.to_json()
        board.position = position or 0
        db.session.flush()
        _sync_category(board)
    forget_boards()
    return board


def _sync_category(board: IdeaBoard) -> None:
    """The forum category holding the board's discussions mirrors its names and audience."""
    category = db.session.get(Category, board.category_id) if board.category_id else None
    if category is None:
        slug = f"ideas-{board.slug}"[:60]
        category = db.session.scalar(select(Category).where(Category.slug == slug))
        if category is None:
            top = db.session.scalar(select(func.coalesce(func.max(Category.position), 0)))
            category = Category(
                slug=slug, colour="#3d7a4f", position=(top or 0) + 10, topic_count=0, post_count=0
            )
            db.session.add(category)
    category.name_en = f"Ideas: {board.name_en}"[:80]
    category.name_fr = f"Idées : {board.name_fr}"[:80]
    category.description_en = f"Discussions of the ideas on the {board.name_en} board."[:500]
    category.description_fr = f"Les discussions des idées du tableau {board.name_fr}."[:500]
    # The product team manages every board (can_see_board), so it reads and answers the
    # discussions of a gated board's ideas too.
    rule = Audience.from_json(board.audience)
    category.audience = replace(rule, managed_by=frozenset({"product"})).to_json()
    category.allowed_roles = None
    category.min_tier_rank = 0
    category.interest_id = board.product_interest_id
    db.session.flush()
    board.category_id = category.id
    from app.community.forums import access

    access.forget_categories()
