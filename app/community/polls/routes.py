"""Poll pages. Thin: parse the form, call one service or query, render or redirect.

`PermissionDenied` and `NotFound` become 403/404 through the app's error handlers;
`Invalid` re-renders the form with each message beside its field (status 400), the text
the member or product manager typed kept.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app.community.polls import bp, queries, services
from app.community.polls.models import (
    CELL_ATTRIBUTES,
    MAX_OPTIONS,
    POLL_KINDS,
    RESULTS_VISIBILITY,
    Poll,
    PollAnswer,
    PollChoice,
)
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.pagination import Page, page_arg
from app.core.time import aware
from app.extensions import db
from app.members import audience as audiences
from app.members.models import TIERS, Interest, Member

ANSWERS_PER_PAGE = 50


def _require_manager() -> None:
    if not services.can_manage(current_user):
        raise PermissionDenied(_("Only the product team and admins manage polls."))


@bp.app_template_global("embedded_polls")
def embedded_polls(topic_id: int | None = None, idea_id: int | None = None) -> list:
    """For the topic and idea pages: `{% include "polls/_embedded.html" %}`."""
    return queries.embedded(current_user, topic_id=topic_id, idea_id=idea_id)


@bp.app_template_global("poll_audience")
def poll_audience(poll: Poll) -> str:
    return audiences.describe(services.audience_of(poll))


@bp.app_template_global("poll_cell_label")
def poll_cell_label(attribute: str, value: str) -> str:
    return services.cell_label(attribute, value)


@bp.app_template_global("poll_attribute_label")
def poll_attribute_label(attribute: str) -> str:
    return services.attribute_label(attribute)


@bp.app_template_global("can_manage_polls")
def can_manage_polls() -> bool:
    return services.can_manage(current_user)


# --- members -------------------------------------------------------------------------------


@bp.get("/polls/")
def index():  # type: ignore[no-untyped-def]
    state = "closed" if request.args.get("state") == "closed" else "open"
    page = queries.poll_list(current_user, state, page_arg())
    return render_template(
        "polls/index.html", page=page, state=state, can_manage=services.can_manage(current_user)
    )


@bp.get("/polls/<int:poll_id>")
def show(poll_id: int):  # type: ignore[no-untyped-def]
    poll = queries.load_with_options(poll_id)
    if poll is None or not services.can_view(current_user, poll):
        raise NotFound()
    view = queries.poll_view(current_user, poll, request.args.get("weight"))
    return render_template("polls/show.html", view=view, poll=poll, **_page_context())


def _page_context() -> dict[str, Any]:
    return {"locale": queries.locale(), "error": None, "submitted": {}}


@bp.post("/polls/<int:poll_id>/answer")
@login_required
def answer(poll_id: int):  # type: ignore[no-untyped-def]
    ranking = {
        key.removeprefix("rank-"): value
        for key, value in request.form.items()
        if key.startswith("rank-")
    }
    back = _safe_next() or url_for("polls.show", poll_id=poll_id)
    try:
        services.answer_poll(
            current_user,
            poll_id,
            choices=request.form.getlist("choice"),
            ranking=ranking,
            number=request.form.get("number"),
        )
    except Invalid as exc:
        poll = queries.load_with_options(poll_id)
        if poll is None:
            raise NotFound() from exc
        view = queries.poll_view(current_user, poll)
        context = _page_context()
        context["error"] = exc.errors.get("answer") or next(iter(exc.errors.values()))
        context["submitted"] = {
            "choices": request.form.getlist("choice"),
            "ranking": ranking,
            "number": (request.form.get("number") or "")[:40],
        }
        return render_template("polls/show.html", view=view, poll=poll, **context), 400
    flash(_("Thank you: your answer is recorded."), "success")
    if _safe_next():  # embedded in a topic or an idea: back to the poll on that page
        return redirect(back + "#poll-" + str(poll_id))
    return redirect(back)


def _safe_next() -> str | None:
    target = request.form.get("next") or ""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target.split("#")[0]
    return None


# --- the product team ----------------------------------------------------------------------


def _form_data() -> dict[str, Any]:
    form = request.form
    options = [
        {
            "id": form.get(f"option-{i}-id"),
            "label_en": form.get(f"option-{i}-label_en", ""),
            "label_fr": form.get(f"option-{i}-label_fr", ""),
            "image_url": form.get(f"option-{i}-image_url", ""),
            "image_alt_en": form.get(f"option-{i}-image_alt_en", ""),
            "image_alt_fr": form.get(f"option-{i}-image_alt_fr", ""),
        }
        for i in range(MAX_OPTIONS)
    ]
    data: dict[str, Any] = {
        key: form.get(key, "") for key in form if not key.startswith(("option-", "quota-"))
    }
    data["options"] = options
    data["anonymous"] = form.get("anonymous")
    data["audience_members_only"] = form.get("audience_members_only")
    data["audience_interests"] = form.getlist("audience_interests")
    data["audience_stages"] = form.getlist("audience_stages")
    data["quotas"] = {
        key.removeprefix("quota-"): value for key, value in form.items() if key.startswith("quota-")
    }
    return data


def _data_from_poll(poll: Poll | None) -> dict[str, Any]:
    if poll is None:
        return {
            "kind": "single",
            "results_visibility": "after_vote",
            "outsiders": "read_only",
            "anonymous": "on",
            "weight_attribute": "tier",
            "options": [],
            "quotas": {},
            "audience_interests": [],
            "audience_stages": [],
        }
    audience = services.audience_of(poll)
    from app.community.polls.models import PollQuotaCell

    quotas = {
        c.value: str(c.capacity)
        for c in db.session.scalars(select(PollQuotaCell).where(PollQuotaCell.poll_id == poll.id))
    }
    data: dict[str, Any] = {
        key: getattr(poll, key)
        for key in (
            "title_en",
            "title_fr",
            "description_en",
            "description_fr",
            "kind",
            "min_choices",
            "max_choices",
            "min_label_en",
            "min_label_fr",
            "max_label_en",
            "max_label_fr",
            "results_visibility",
            "outsiders",
            "weight_attribute",
            "quota_attribute",
            "topic_id",
            "idea_id",
        )
    }
    for key in ("number_min", "number_max", "number_step"):
        value = getattr(poll, key)
        data[key] = f"{value:g}" if value is not None else ""
    data["anonymous"] = "on" if poll.anonymous else ""
    data["opens_at"] = aware(poll.opens_at).strftime("%Y-%m-%dT%H:%M") if poll.opens_at else ""
    data["closes_at"] = aware(poll.closes_at).strftime("%Y-%m-%dT%H:%M") if poll.closes_at else ""
    data["audience_min_tier"] = audience.min_tier or ""
    data["audience_interests"] = sorted(audience.interests)
    data["audience_stages"] = sorted(audience.stages)
    data["audience_members_only"] = "on" if audience.members_only else ""
    data["options"] = [
        {
            "id": o.id,
            "label_en": o.label_en,
            "label_fr": o.label_fr,
            "image_url": o.image_url or "",
            "image_alt_en": o.image_alt_en,
            "image_alt_fr": o.image_alt_fr,
        }
        for o in poll.options
    ]
    data["quotas"] = quotas
    return data


def _editor(poll: Poll | None, data: dict[str, Any], errors: dict[str, str], status: int = 200):  # type: ignore[no-untyped-def]
    rows = list(data.get("options") or [])
    filled = [
        r
        for r in rows
        if any(str(r.get(k) or "").strip() for k in ("label_en", "label_fr", "image_url"))
    ]
    shown = min(MAX_OPTIONS, max(len(filled) + 2, 5))
    blank = {
        "id": "",
        "label_en": "",
        "label_fr": "",
        "image_url": "",
        "image_alt_en": "",
        "image_alt_fr": "",
    }
    options = (filled + [dict(blank) for _ in range(shown)])[:shown]
    interests = db.session.scalars(
        select(Interest).where(Interest.active.is_(True)).order_by(Interest.kind, Interest.position)
    ).all()
    return (
        render_template(
            "polls/edit.html",
            poll=poll,
            data=data,
            errors=errors,
            options=options,
            kinds=POLL_KINDS,
            visibilities=RESULTS_VISIBILITY,
            attributes=CELL_ATTRIBUTES,
            cell_values=services.cell_values,
            cell_label=services.cell_label,
            tiers=TIERS,
            stages=audiences.STAGES,
            interests=interests,
            locale=queries.locale(),
            locked=poll is not None and poll.answer_count > 0,
        ),
        status,
    )


@bp.route("/polls/new", methods=["GET", "POST"])
@login_required
def new():  # type: ignore[no-untyped-def]
    _require_manager()
    if request.method == "GET":
        data = _data_from_poll(None)
        for key in ("topic_id", "idea_id"):
            if request.args.get(key, "").isdigit():
                data[key] = request.args[key]
        return _editor(None, data, {})
    data = _form_data()
    try:
        poll = services.create_poll(current_user, data)
    except Invalid as exc:
        return _editor(None, data, exc.errors, 400)
    flash(_("The poll is saved."), "success")
    return redirect(url_for("polls.show", poll_id=poll.id))


@bp.route("/polls/<int:poll_id>/edit", methods=["GET", "POST"])
@login_required
def edit(poll_id: int):  # type: ignore[no-untyped-def]
    _require_manager()
    poll = queries.load_with_options(poll_id)
    if poll is None:
        raise NotFound()
    if request.method == "GET":
        return _editor(poll, _data_from_poll(poll), {})
    data = _form_data()
    try:
        services.update_poll(current_user, poll_id, data)
    except Invalid as exc:
        db.session.expire_all()
        poll = queries.load_with_options(poll_id)
        return _editor(poll, data, exc.errors, 400)
    flash(_("The poll is saved."), "success")
    return redirect(url_for("polls.show", poll_id=poll_id))


@bp.post("/polls/<int:poll_id>/close")
@login_required
def close(poll_id: int):  # type: ignore[no-untyped-def]
    services.close_poll(current_user, poll_id)
    flash(_("The poll is closed."), "success")
    return redirect(url_for("polls.show", poll_id=poll_id))


@bp.get("/polls/<int:poll_id>/answers")
@login_required
def answers(poll_id: int):  # type: ignore[no-untyped-def]
    """The answers behind a figure (product and admins): filtered by a cell of tier, stage,
    value band or interest, and by option. Anonymous polls never show names."""
    _require_manager()
    poll = queries.load_with_options(poll_id)
    if poll is None:
        raise NotFound()
    query = select(PollAnswer).where(PollAnswer.poll_id == poll.id)
    filters: dict[str, str] = {}
    for attribute in CELL_ATTRIBUTES:
        value = request.args.get(attribute)
        if value:
            query = query.where(getattr(PollAnswer, attribute) == value[:16])
            filters[attribute] = value[:16]
    option_id = request.args.get("option", type=int)
    if option_id:
        query = query.where(
            PollAnswer.id.in_(
                select(PollChoice.answer_id).where(
                    PollChoice.poll_id == poll.id, PollChoice.option_id == option_id
                )
            )
        )
    interest = (request.args.get("interest") or "")[:60]
    page_number = page_arg()
    rows = list(
        db.session.scalars(
            query.order_by(PollAnswer.created_at.desc(), PollAnswer.id.desc()).limit(2000)
        )
    )
    if interest:
        rows = [a for a in rows if interest in (a.interests or [])]
    if page_number > 1 and (page_number - 1) * ANSWERS_PER_PAGE >= len(rows):
        abort(404)
    page = Page(
        rows[(page_number - 1) * ANSWERS_PER_PAGE : page_number * ANSWERS_PER_PAGE],
        page_number,
        ANSWERS_PER_PAGE,
        len(rows),
    )
    ids = [a.id for a in page.items]
    picks: dict[int, list[tuple[int, int | None]]] = {}
    for answer_id, oid, rank in db.session.execute(
        select(PollChoice.answer_id, PollChoice.option_id, PollChoice.rank)
        .where(PollChoice.answer_id.in_(ids))
        .order_by(PollChoice.rank)
    ):
        picks.setdefault(answer_id, []).append((oid, rank))
    names = {}
    if not poll.anonymous and ids:
        names = {
            m.id: m
            for m in db.session.scalars(
                select(Member).where(Member.id.in_([a.member_id for a in page.items]))
            )
        }
    labels = {o.id: o.label(queries.locale()) for o in poll.options}
    slugs = {slug for a in page.items for slug in (a.interests or [])} | ({interest} - {""})
    interest_names = {
        i.slug: i.name(queries.locale())
        for i in db.session.scalars(select(Interest).where(Interest.slug.in_(slugs)))
    }
    return render_template(
        "polls/answers.html",
        interest_names=interest_names,
        poll=poll,
        page=page,
        picks=picks,
        names=names,
        labels=labels,
        filters=filters,
        option_id=option_id,
        interest=interest,
        locale=queries.locale(),
        cell_label=services.cell_label,
    )
