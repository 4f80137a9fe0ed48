"""Poll services: the product team creates, edits and closes polls; members answer once.

Every rule lives here (routes only parse and render): who manages polls (product, admin),
who sees a poll and who may answer it (the one audience rule, `app.members.audience`),
what a valid answer is per kind, quotas per cell (a conditional UPDATE that cannot
overfill under concurrent answers) and one answer per member (a unique constraint plus
INSERT ... ON CONFLICT DO NOTHING). Each write runs in one unit of work and emits its event.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from app.community.polls.events import PollAnswered, PollClosed, PollCreated, PollUpdated
from app.community.polls.models import (
    CELL_ATTRIBUTES,
    MAX_OPTIONS,
    OUTSIDERS,
    POLL_KINDS,
    RESULTS_VISIBILITY,
    Poll,
    PollAnswer,
    PollChoice,
    PollOption,
    PollQuotaCell,
)
from app.core.db import dialect_insert, unit_of_work
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import emit
from app.core.guards import require_can_write
from app.core.markup import render_markdown
from app.core.time import aware, utcnow
from app.extensions import db
from app.members import audience as audiences
from app.members.models import TIERS

MANAGER_ROLES = frozenset({"product", "admin"})
TITLE_MIN, TITLE_MAX = 5, 200
LABEL_MAX = 200
DESCRIPTION_MAX = 5_000
SCALE_LABEL_MAX = 80
NUMBER_LIMIT = 1_000_000_000
MAX_STEPS = 100_000
QUOTA_MAX = 10_000_000


# --- who may do what -----------------------------------------------------------------------


def is_member(viewer: Any) -> bool:
    return viewer is not None and bool(getattr(viewer, "is_authenticated", False))


def can_manage(viewer: Any) -> bool:
    """The product team and admins create, edit and close polls and see every result."""
    return is_member(viewer) and getattr(viewer, "role", None) in MANAGER_ROLES


def audience_of(poll: Poll) -> audiences.Audience:
    return audiences.Audience.from_json(poll.audience)


def in_audience(viewer: Any, poll: Poll) -> bool:
    return audiences.matches(viewer, audience_of(poll))


def can_view(viewer: Any, poll: Poll, now: datetime | None = None) -> bool:
    """Managers see every poll; others see an opened poll if they are in its audience or
    the poll is shown read-only to outsiders."""
    if can_manage(viewer):
        return True
    if poll.state(now) == "scheduled":
        return False
    return poll.outsiders == "read_only" or in_audience(viewer, poll)


def results_visible(viewer: Any, poll: Poll, answered: bool, now: datetime | None = None) -> bool:
    if can_manage(viewer):
        return True
    closed = poll.state(now) == "closed"
    return {
        "always": True,
        "after_vote": answered or closed,
        "after_close": closed,
        "staff": False,
    }[poll.results_visibility]


def get_poll(viewer: Any, poll_id: int) -> Poll:
    """The poll if `viewer` may see it; NotFound otherwise (a hidden poll does not leak)."""
    poll = db.session.get(Poll, poll_id)
    if poll is None or not can_view(viewer, poll):
        raise NotFound()
    return poll


def answer_of(member: Any, poll_id: int) -> PollAnswer | None:
    if not is_member(member):
        return None
    return db.session.scalar(
        select(PollAnswer).where(PollAnswer.poll_id == poll_id, PollAnswer.member_id == member.id)
    )


def answered_poll_ids(member: Any, poll_ids: Iterable[int]) -> set[int]:
    ids = list(poll_ids)
    if not is_member(member) or not ids:
        return set()
    return set(
        db.session.scalars(
            select(PollAnswer.poll_id).where(
                PollAnswer.member_id == member.id, PollAnswer.poll_id.in_(ids)
            )
        )
    )


@dataclass(frozen=True)
class Standing:
    """What the viewer can do with a poll now, and why not (a message to show)."""

    can_answer: bool
    reason: str | None
    answered: bool


def standing(viewer: Any, poll: Poll, answered: bool, now: datetime | None = None) -> Standing:
    state = poll.state(now)
    if answered:
        return Standing(False, _("You answered this poll. Thank you!"), True)
    if state == "scheduled":
        return Standing(False, _("This poll is not open yet."), False)
    if state == "closed":
        return Standing(False, _("This poll is closed."), False)
    if not is_member(viewer):
        return Standing(False, _("Log in to answer this poll."), False)
    if not in_audience(viewer, poll):
        return Standing(
            False,
            _(
                "This poll is for a particular group of members (%(who)s): you can read it, "
                "not answer it.",
                who=audiences.describe(audience_of(poll)),
            ),
            False,
        )
    if poll.quota_attribute:
        value = _cell_value(audiences.snapshot(viewer), poll.quota_attribute)
        cell = db.session.get(PollQuotaCell, (poll.id, value))
        if cell is not None and cell.filled >= cell.capacity:
            return Standing(False, _quota_full_message(poll, value), False)
    return Standing(True, None, False)


def _cell_value(snapshot: Mapping[str, Any], attribute: str) -> str:
    return str(snapshot.get(attribute) or "")


def cell_label(attribute: str, value: str) -> str:
    if attribute == "tier":
        return audiences.tier_label(value)
    if attribute == "stage":
        return audiences.stage_label(value)
    return value_band_label(value)


def attribute_label(attribute: str) -> str:
    return {
        "tier": _("tier"),
        "stage": _("lifecycle stage"),
        "value_band": _("value band"),
    }.get(attribute, attribute)


def value_band_label(band: str) -> str:
    return {
        "none": _("No purchase yet"),
        "low": _("Low spend"),
        "medium": _("Medium spend"),
        "high": _("High spend"),
    }.get(band, band)


def cell_values(attribute: str) -> tuple[str, ...]:
    if attribute == "tier":
        return TIERS
    if attribute == "stage":
        return audiences.STAGES
    return audiences.VALUE_BANDS


def _quota_full_message(poll: Poll, value: str) -> str:
    return _(
        "This poll has all the answers it needs from %(group)s members. Thank you!",
        group=cell_label(poll.quota_attribute or "tier", value),
    )


# --- creating and editing ------------------------------------------------------------------


def _text(data: Mapping[str, Any], key: str) -> str:
    return " ".join(str(data.get(key) or "").split())


def _long_text(data: Mapping[str, Any], key: str) -> str:
    return str(data.get(key) or "").replace("\r\n", "\n").strip()


def _parse_int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _parse_number(value: Any) -> float | None:
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def parse_moment(value: Any) -> datetime | str | None:
    """A `datetime-local` value (read as UTC), None when empty, "bad" when unreadable."""
    if isinstance(value, datetime):
        return aware(value)
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    return "bad"


def _allowed_image(url: str) -> bool:
    """Same-site images only (the club's uploads or static files): the page's CSP allows
    them and nobody's server learns who opened the poll."""
    return url.startswith(("/uploads/", "/static/")) and ".." not in url and len(url) <= 500


@dataclass
class PollInput:
    values: dict[str, Any]
    options: list[dict[str, Any]]
    quotas: dict[str, int]


def _clean(data: Mapping[str, Any], poll: Poll | None) -> PollInput:
    """Validate a poll's fields; raise Invalid with one message per field."""
    errors: dict[str, str] = {}
    v: dict[str, Any] = {}
    locked = poll is not None and poll.answer_count > 0  # the question may not change then

    v["title_en"] = _text(data, "title_en")
    v["title_fr"] = _text(data, "title_fr")
    if len(v["title_en"]) < TITLE_MIN:
        errors["title_en"] = _(
            "Give the poll a question of at least %(n)d characters.", n=TITLE_MIN
        )
    for key in ("title_en", "title_fr"):
        if len(v[key]) > TITLE_MAX:
            errors[key] = _("At most %(n)d characters.", n=TITLE_MAX)
    for key in ("description_en", "description_fr"):
        v[key] = _long_text(data, key)
        if len(v[key]) > DESCRIPTION_MAX:
            errors[key] = _("At most %(n)d characters.", n=DESCRIPTION_MAX)

    kind = poll.kind if locked else str(data.get("kind") or "single")
    if kind not in POLL_KINDS:
        errors["kind"] = _("Choose a kind of poll.")
        kind = "single"
    v["kind"] = kind

    options: list[dict[str, Any]] = []
    if kind != "number":
        for row in data.get("options") or ():
            label_en = " ".join(str(row.get("label_en") or "").split())
            label_fr = " ".join(str(row.get("label_fr") or "").split())
            image_url = str(row.get("image_url") or "").strip()
            alt_en = " ".join(str(row.get("image_alt_en") or "").split())
            alt_fr = " ".join(str(row.get("image_alt_fr") or "").split())
            if not (label_en or label_fr or image_url):
                continue
            index = len(options)
            if not label_en:
                errors[f"option-{index}"] = _("Each option needs an English label.")
            elif len(label_en) > LABEL_MAX or len(label_fr) > LABEL_MAX:
                errors[f"option-{index}"] = _("At most %(n)d characters.", n=LABEL_MAX)
            if image_url and not _allowed_image(image_url):
                errors[f"option-{index}"] = _(
                    "Use an image uploaded to the club (its address starts with /uploads/)."
                )
            options.append(
                {
                    "id": _parse_int(row.get("id")),
                    "label_en": label_en,
                    "label_fr": label_fr,
                    "image_url": image_url or None,
                    "image_alt_en": alt_en[:200],
                    "image_alt_fr": alt_fr[:200],
                }
            )
        if len(options) < 2:
            errors["options"] = _("Give at least two options.")
        elif len(options) > MAX_OPTIONS:
            errors["options"] = _("At most %(n)d options.", n=MAX_OPTIONS)

    count = len(options)
    if kind == "single":
        v["min_choices"] = v["max_choices"] = 1
    elif kind in ("multiple", "ranked"):
        low = _parse_int(data.get("min_choices"))
        high = _parse_int(data.get("max_choices"))
        default_high = count if kind == "ranked" else max(count, 1)
        low = 1 if low is None and not str(data.get("min_choices") or "").strip() else low
        high = (
            default_high
            if high is None and not str(data.get("max_choices") or "").strip()
            else high
        )
        if low is None or low < 1:
            errors["min_choices"] = _("Enter a whole number of at least 1.")
        if high is None or (low is not None and high < low):
            errors["max_choices"] = _("Enter a whole number at least as large as the minimum.")
        elif count >= 2 and high > count:
            errors["max_choices"] = _("At most the number of options (%(n)d).", n=count)
        v["min_choices"], v["max_choices"] = low or 1, high or 1
    else:
        v["min_choices"] = v["max_choices"] = 1

    if kind == "number":
        low_n = _parse_number(data.get("number_min"))
        high_n = _parse_number(data.get("number_max"))
        step = (
            _parse_number(data.get("number_step"))
            if str(data.get("number_step") or "").strip()
            else 1.0
        )
        if low_n is None or abs(low_n) > NUMBER_LIMIT:
            errors["number_min"] = _("Enter a number.")
        if high_n is None or abs(high_n) > NUMBER_LIMIT:
            errors["number_max"] = _("Enter a number.")
        elif low_n is not None and high_n <= low_n:
            errors["number_max"] = _("The maximum must be above the minimum.")
        if step is None or step <= 0:
            errors["number_step"] = _("Enter a step above 0.")
        elif low_n is not None and high_n is not None and high_n > low_n:
            steps = (high_n - low_n) / step
            if steps > MAX_STEPS:
                errors["number_step"] = _("The step is too small for this range.")
            elif abs(steps - round(steps)) > 1e-9:
                errors["number_step"] = _("The range must be a whole number of steps.")
        v["number_min"], v["number_max"], v["number_step"] = low_n, high_n, step
    else:
        v["number_min"] = v["number_max"] = v["number_step"] = None
    for key in ("min_label_en", "min_label_fr", "max_label_en", "max_label_fr"):
        v[key] = _text(data, key)[:SCALE_LABEL_MAX] if kind == "number" else ""

    if locked:
        # Answers were given to this question: its options and bounds stay as they were.
        for key in ("min_choices", "max_choices", "number_min", "number_max", "number_step"):
            v[key] = getattr(poll, key)
        options = [
            {
                "id": o.id,
                "label_en": o.label_en,
                "label_fr": o.label_fr,
                "image_url": o.image_url,
                "image_alt_en": o.image_alt_en,
                "image_alt_fr": o.image_alt_fr,
            }
            for o in poll.options
        ]
        for key in [
            k for k in errors if k.startswith("option") or k in ("min_choices", "max_choices")
        ]:
            errors.pop(key)

    visibility = str(data.get("results_visibility") or "after_vote")
    if visibility not in RESULTS_VISIBILITY:
        errors["results_visibility"] = _("Choose who sees the results.")
    v["results_visibility"] = visibility
    outsiders = str(data.get("outsiders") or "read_only")
    if outsiders not in OUTSIDERS:
        errors["outsiders"] = _("Choose what members outside the audience see.")
    v["outsiders"] = outsiders
    v["anonymous"] = poll.anonymous if locked else _truthy(data.get("anonymous"))

    opens = parse_moment(data.get("opens_at"))
    closes = parse_moment(data.get("closes_at"))
    if opens == "bad":
        errors["opens_at"] = _("Enter a date and time (YYYY-MM-DD HH:MM, UTC).")
    if closes == "bad":
        errors["closes_at"] = _("Enter a date and time (YYYY-MM-DD HH:MM, UTC).")
    if opens is None:
        opens = aware(poll.opens_at) if poll is not None else utcnow()
    if isinstance(opens, datetime) and isinstance(closes, datetime) and closes <= opens:
        errors["closes_at"] = _("The poll must close after it opens.")
    v["opens_at"] = opens if isinstance(opens, datetime) else None
    v["closes_at"] = closes if isinstance(closes, datetime) else None

    audience = audiences.Audience.from_json(
        {
            "min_tier": data.get("audience_min_tier") or None,
            "interests": list(data.get("audience_interests") or ()),
            "stages": list(data.get("audience_stages") or ()),
            "members_only": _truthy(data.get("audience_members_only")),
        }
    )
    for key, message in audiences.validate(audience).items():
        errors[f"audience_{key}"] = message
    v["audience"] = audience.to_json()

    weight = str(data.get("weight_attribute") or "tier")
    if weight not in CELL_ATTRIBUTES:
        errors["weight_attribute"] = _("Choose what to re-weight the results by.")
    v["weight_attribute"] = weight
    quota_attribute = str(data.get("quota_attribute") or "") or None
    quotas: dict[str, int] = {}
    if locked:
        quota_attribute = poll.quota_attribute
    if quota_attribute is not None and quota_attribute not in CELL_ATTRIBUTES:
        errors["quota_attribute"] = _("Choose an attribute for the quotas.")
        quota_attribute = None
    if quota_attribute:
        raw = data.get("quotas") or {}
        for value in cell_values(quota_attribute):
            text = str(raw.get(value) or "").strip()
            if not text:
                continue
            capacity = _parse_int(text)
            if capacity is None or capacity < 0 or capacity > QUOTA_MAX:
                errors[f"quota-{value}"] = _("Enter a whole number of answers, or leave it empty.")
                continue
            quotas[value] = capacity
        if not quotas and not errors.get("quota_attribute"):
            errors["quota_attribute"] = _("Give at least one group a maximum number of answers.")
    v["quota_attribute"] = quota_attribute

    for key, model in (("topic_id", "topic"), ("idea_id", "idea")):
        text = str(data.get(key) or "").strip()
        if not text:
            v[key] = None
            continue
        target = _parse_int(text)
        if target is None or target <= 0 or not _target_exists(model, target):
            errors[key] = (
                _("No topic has this number.")
                if model == "topic"
                else _("No idea has this number.")
            )
        v[key] = target
    if errors:
        raise Invalid(errors)
    return PollInput(v, options, quotas)


def _target_exists(model: str, target: int) -> bool:
    if model == "topic":
        from app.community.forums.models import Topic

        return db.session.get(Topic, target) is not None
    try:
        from app.community.ideas.models import Idea
    except ImportError:  # pragma: no cover - ideas ship in the same release
        return False
    return db.session.get(Idea, target) is not None


def _truthy(value: Any) -> bool:
    return str(value or "").lower() in ("1", "true", "on", "yes", "y")


def _require_manager(actor: Any) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only the product team and admins manage polls."))


def _render(text: str) -> str:
    return render_markdown(text) if text else ""


def _apply(poll: Poll, clean: PollInput) -> None:
    for key, value in clean.values.items():
        setattr(poll, key, value)
    poll.description_html_en = _render(poll.description_en)
    poll.description_html_fr = _render(poll.description_fr)
    if not poll.answer_count:
        existing = {o.id: o for o in poll.options}
        kept: list[PollOption] = []
        for position, row in enumerate(clean.options):
            option = existing.get(row.pop("id", None) or -1) or PollOption()
            for key, value in row.items():
                setattr(option, key, value)
            option.position = position
            kept.append(option)
        poll.options = kept


def _store_quotas(poll: Poll, quotas: dict[str, int]) -> None:
    cells = {
        c.value: c
        for c in db.session.scalars(select(PollQuotaCell).where(PollQuotaCell.poll_id == poll.id))
    }
    for value, cell in cells.items():
        if value not in quotas or poll.quota_attribute is None:
            if cell.filled:
                raise Invalid({f"quota-{value}": _("This group has answers: keep a maximum.")})
            db.session.delete(cell)
    if poll.quota_attribute is None:
        return
    for value, capacity in quotas.items():
        cell = cells.get(value)
        if cell is None:
            db.session.add(PollQuotaCell(poll_id=poll.id, value=value, capacity=capacity))
        elif capacity < cell.filled:
            raise Invalid(
                {f"quota-{value}": _("This group already has %(n)d answers.", n=cell.filled)}
            )
        else:
            cell.capacity = capacity


def create_poll(actor: Any, data: Mapping[str, Any]) -> Poll:
    """Product and admins only; every field validated, options and quotas with the poll."""
    with unit_of_work():
        _require_manager(actor)
        require_can_write(actor, "poll")
        clean = _clean(data, None)
        poll = Poll(author_id=actor.id, created_at=utcnow(), updated_at=utcnow())
        _apply(poll, clean)
        db.session.add(poll)
        db.session.flush()
        _store_quotas(poll, clean.quotas)
        emit(PollCreated(poll_id=poll.id, author_id=actor.id, kind=poll.kind))
    return poll


def update_poll(actor: Any, poll_id: int, data: Mapping[str, Any]) -> Poll:
    """Texts, dates, visibility and audience may change at any time; the question's kind,
    options and bounds only until the first answer."""
    with unit_of_work():
        _require_manager(actor)
        require_can_write(actor, "poll")
        poll = db.session.get(Poll, poll_id)
        if poll is None:
            raise NotFound()
        clean = _clean(data, poll)
        _apply(poll, clean)
        _store_quotas(poll, clean.quotas)
        poll.updated_at = utcnow()
        emit(PollUpdated(poll_id=poll.id, actor_id=actor.id))
    return poll


def close_poll(actor: Any, poll_id: int) -> Poll:
    """Close now. Closing a closed poll changes nothing (a double click is harmless)."""
    with unit_of_work():
        _require_manager(actor)
        require_can_write(actor, "poll")
        poll = db.session.get(Poll, poll_id)
        if poll is None:
            raise NotFound()
        if poll.state() != "closed":
            now = utcnow()
            poll.closes_at = now
            poll.closed_early_at = now
            if aware(poll.opens_at) > now:
                poll.opens_at = now
            emit(PollClosed(poll_id=poll.id, actor_id=actor.id))
    return poll


# --- answering -----------------------------------------------------------------------------


def _check_answer(
    poll: Poll,
    choices: Iterable[Any],
    ranking: Mapping[Any, Any] | None,
    number: Any,
) -> tuple[list[tuple[int, int | None]], float | None]:
    """The picked (option id, rank) pairs and the number; Invalid with a clear message."""
    option_ids = {o.id for o in poll.options}
    if poll.kind == "number":
        text = str(number if number is not None else "").strip()
        if not text:
            raise Invalid({"answer": _("Enter a number.")})
        value = _parse_number(text)
        if value is None:
            raise Invalid({"answer": _("Enter a number, such as 7 or 7.5.")})
        low, high, step = poll.number_min or 0.0, poll.number_max or 0.0, poll.number_step or 1.0
        if value < low - 1e-9 or value > high + 1e-9:
            raise Invalid(
                {
                    "answer": _(
                        "Enter a number from %(low)s to %(high)s.", low=_fmt(low), high=_fmt(high)
                    )
                }
            )
        steps = (value - low) / step
        if abs(steps - round(steps)) > 1e-6:
            raise Invalid(
                {
                    "answer": _(
                        "Enter %(low)s or a value in steps of %(step)s from it.",
                        low=_fmt(low),
                        step=_fmt(step),
                    )
                }
            )
        return [], round(low + round(steps) * step, 9)

    if poll.kind == "ranked":
        ranks: dict[int, int] = {}
        for key, value in (ranking or {}).items():
            text = str(value or "").strip()
            if not text:
                continue
            option_id, rank = _parse_int(key), _parse_int(text)
            if option_id not in option_ids:
                raise Invalid({"answer": _("Choose among the poll's options.")})
            if rank is None or rank < 1 or rank > len(option_ids):
                raise Invalid(
                    {
                        "answer": _(
                            "Give each ranked option a place from 1 to %(n)d.", n=len(option_ids)
                        )
                    }
                )
            ranks[option_id] = rank
        given = sorted(ranks.values())
        if len(set(given)) != len(given):
            raise Invalid({"answer": _("Give each place to one option only.")})
        if given != list(range(1, len(given) + 1)):
            raise Invalid({"answer": _("Number the places 1, 2, 3… without a gap.")})
        if len(given) < poll.min_choices or len(given) > poll.max_choices:
            raise Invalid({"answer": _range_message(poll, ranked=True)})
        return sorted(((oid, r) for oid, r in ranks.items()), key=lambda pair: pair[1]), None

    picked: list[int] = []
    for raw in choices:
        option_id = _parse_int(raw)
        if option_id not in option_ids:
            raise Invalid({"answer": _("Choose among the poll's options.")})
        if option_id in picked:
            raise Invalid({"answer": _("Choose each option once.")})
        picked.append(option_id)
    if not picked:
        raise Invalid({"answer": _("Choose an option.")})
    if len(picked) < poll.min_choices or len(picked) > poll.max_choices:
        raise Invalid({"answer": _range_message(poll, ranked=False)})
    return [(option_id, None) for option_id in picked], None


def _fmt(value: float) -> str:
    return f"{value:g}"


def _range_message(poll: Poll, ranked: bool) -> str:
    low, high = poll.min_choices, poll.max_choices
    if ranked:
        if low == high:
            return _("Rank exactly %(n)d options.", n=low)
        return _("Rank from %(low)d to %(high)d options.", low=low, high=high)
    if low == high:
        return _("Choose exactly %(n)d options.", n=low)
    return _("Choose from %(low)d to %(high)d options.", low=low, high=high)


def answer_poll(
    actor: Any,
    poll_id: int,
    *,
    choices: Iterable[Any] = (),
    ranking: Mapping[Any, Any] | None = None,
    number: Any = None,
) -> PollAnswer:
    """One answer per member, inside the poll's audience, while it is open, valid for its
    kind, and only while the member's quota cell has room. Anything else: Invalid or
    PermissionDenied, and nothing is written."""
    if not is_member(actor):
        raise PermissionDenied(_("Log in to answer this poll."))
    with unit_of_work():
        poll = db.session.get(Poll, poll_id)
        if poll is None or not can_view(actor, poll):
            raise NotFound()
        require_can_write(actor, "answer")
        if not in_audience(actor, poll):
            raise PermissionDenied(
                _("This poll is only for %(who)s.", who=audiences.describe(audience_of(poll)))
            )
        state = poll.state()
        if state == "scheduled":
            raise Invalid({"answer": _("This poll is not open yet.")})
        if state == "closed":
            raise Invalid({"answer": _("This poll is closed: answers are no longer taken.")})
        if answer_of(actor, poll.id) is not None:
            raise Invalid({"answer": _("You have already answered this poll.")})
        picks, value = _check_answer(poll, choices, ranking, number)
        snap = audiences.snapshot(actor)
        now = utcnow()
        inserted = db.session.execute(
            dialect_insert(PollAnswer)
            .values(
                poll_id=poll.id,
                member_id=actor.id,
                number_value=value,
                tier=snap["tier"],
                stage=snap["stage"],
                value_band=snap["value_band"],
                interests=list(snap["interests"]),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["poll_id", "member_id"])
            .returning(PollAnswer.id)
        ).scalar()
        if inserted is None:  # a concurrent request of the same member got in first
            raise Invalid({"answer": _("You have already answered this poll.")})
        if poll.quota_attribute:
            cell_value = _cell_value(snap, poll.quota_attribute)
            has_cell = db.session.scalar(
                select(PollQuotaCell.capacity).where(
                    PollQuotaCell.poll_id == poll.id, PollQuotaCell.value == cell_value
                )
            )
            if has_cell is not None:
                filled = db.session.execute(
                    update(PollQuotaCell)
                    .where(
                        PollQuotaCell.poll_id == poll.id,
                        PollQuotaCell.value == cell_value,
                        PollQuotaCell.filled < PollQuotaCell.capacity,
                    )
                    .values(filled=PollQuotaCell.filled + 1)
                    .execution_options(synchronize_session=False)
                )
                if filled.rowcount != 1:
                    raise Invalid({"answer": _quota_full_message(poll, cell_value)})
        if picks:
            db.session.execute(
                dialect_insert(PollChoice),
                [
                    {"answer_id": inserted, "poll_id": poll.id, "option_id": oid, "rank": rank}
                    for oid, rank in picks
                ],
            )
        db.session.execute(
            update(Poll)
            .where(Poll.id == poll.id)
            .values(answer_count=Poll.answer_count + 1)
            .execution_options(synchronize_session=False)
        )
        emit(
            PollAnswered(
                poll_id=poll.id,
                answer_id=inserted,
                member_id=actor.id,
                tier=snap["tier"],
                topic_id=poll.topic_id,
                idea_id=poll.idea_id,
            )
        )
    db.session.expire(poll, ["answer_count"])
    answer = db.session.get(PollAnswer, inserted)
    assert answer is not None
    return answer
