"""Admin pages for the durable events: lag per subscriber, parked events, replay."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from app.admin import bp
from app.core.errors import NotFound, PermissionDenied
from app.core.event_store import DomainEventRecord, ParkedEvent
from app.core.pagination import Page, page_arg
from app.core.worker import event_lag, replay_all_parked, replay_parked, retry_now
from app.extensions import db
from app.members.models import Member

PER_PAGE = 25


@bp.get("/events")
def events():  # type: ignore[no-untyped-def]
    show = "resolved" if request.args.get("show") == "resolved" else "open"
    condition = (
        ParkedEvent.resolved_at.is_not(None)
        if show == "resolved"
        else ParkedEvent.resolved_at.is_(None)
    )
    total = db.session.scalar(select(func.count()).select_from(ParkedEvent).where(condition)) or 0
    page = Page(items=[], page=page_arg(), per_page=PER_PAGE, total=total)
    rows = db.session.execute(
        select(ParkedEvent, DomainEventRecord, Member.username)
        .join(DomainEventRecord, DomainEventRecord.id == ParkedEvent.event_id)
        .outerjoin(Member, Member.id == ParkedEvent.resolved_by)
        .where(condition)
        .order_by(ParkedEvent.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    ).all()
    page = Page(items=rows, page=page.page, per_page=PER_PAGE, total=total)
    return render_template("admin/events.html", lag=event_lag(), page=page, show=show)


@bp.post("/events/parked/<int:parked_id>/replay")
def replay_event(parked_id: int):  # type: ignore[no-untyped-def]
    try:
        mended = replay_parked(current_user, parked_id)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    if mended:
        flash(_("The event was handled: it is no longer parked."), "success")
    else:
        flash(_("The event failed again: see its error below."), "error")
    return redirect(url_for("admin.events"))


@bp.post("/events/replay-all")
def replay_all_events():  # type: ignore[no-untyped-def]
    try:
        mended, failing = replay_all_parked(current_user)
    except PermissionDenied:
        abort(403)
    flash(
        _(
            "%(mended)d event(s) handled, %(failing)d still failing.",
            mended=mended,
            failing=failing,
        ),
        "success" if not failing else "error",
    )
    return redirect(url_for("admin.events"))


@bp.post("/events/subscribers/<name>/retry")
def retry_subscriber(name: str):  # type: ignore[no-untyped-def]
    try:
        retry_now(current_user, name[:64])
    except PermissionDenied:
        abort(403)
    flash(_("The subscriber will try again within a second."), "success")
    return redirect(url_for("admin.events"))
