"""Admin pages. Every request needs an admin; the services check again on writes."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.admin import bp
from app.admin.labels import role_labels
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.forms import apply_errors, choices
from app.core.pagination import Page, page_arg
from app.core.security import is_safe_redirect
from app.core.worker import event_lag
from app.extensions import db
from app.members import services as member_services
from app.members import taxonomy
from app.members.forms import InterestAdminForm, RoleForm
from app.members.models import ROLES, TIERS, Interest, Member
from app.moderation.models import AuditEntry
from app.notifications.mail import outbox_stats, redacted, retry_failed
from app.notifications.models import OutboxMessage

PER_PAGE = 50


@bp.before_request
def _require_admin():  # type: ignore[no-untyped-def]
    if not current_user.is_authenticated:
        from app.extensions import login_manager

        return login_manager.unauthorized()
    if not current_user.is_admin:
        abort(403)
    return None


@bp.get("/")
def dashboard():  # type: ignore[no-untyped-def]
    by_role = dict(
        db.session.execute(select(Member.role, func.count()).group_by(Member.role)).all()
    )
    by_tier = dict(
        db.session.execute(select(Member.tier, func.count()).group_by(Member.tier)).all()
    )
    audit = db.session.execute(
        select(AuditEntry, Member.username)
        .outerjoin(Member, Member.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(10)
    ).all()
    return render_template(
        "admin/dashboard.html",
        by_role=by_role,
        by_tier=by_tier,
        roles=ROLES,
        tiers=TIERS,
        role_labels=role_labels(),
        total=sum(by_role.values()),
        mail=outbox_stats(),
        lag=event_lag(),
        audit=audit,
    )


@bp.get("/members")
def members():  # type: ignore[no-untyped-def]
    q = (request.args.get("q") or "").strip()[:100]
    role = request.args.get("role") or ""
    query = select(Member)
    count_query = select(func.count()).select_from(Member)
    filters = []
    if q:
        like = f"%{q.lower()}%"
        filters.append(or_(Member.username_lower.like(like), Member.email.like(like)))
    if role in ROLES:
        filters.append(Member.role == role)
    for condition in filters:
        query = query.where(condition)
        count_query = count_query.where(condition)
    page_number = page_arg()
    total = db.session.scalar(count_query)
    page = Page(items=[], page=page_number, per_page=PER_PAGE, total=total)
    items = db.session.scalars(
        query.order_by(Member.created_at.desc(), Member.id.desc())
        .offset(page.offset)
        .limit(PER_PAGE)
    ).all()
    page = Page(items=items, page=page_number, per_page=PER_PAGE, total=total)
    form = RoleForm()
    form.role.choices = choices(role_labels().items())
    return render_template(
        "admin/members.html",
        page=page,
        q=q,
        role=role,
        roles=ROLES,
        role_labels=role_labels(),
        form=form,
    )


@bp.post("/members/<int:member_id>/role")
def change_role(member_id: int):  # type: ignore[no-untyped-def]
    form = RoleForm()
    form.role.choices = choices(role_labels().items())
    if not form.validate_on_submit():
        abort(400)
    try:
        member = member_services.change_role(current_user, member_id, form.role.data)
    except NotFound:
        abort(404)
    except PermissionDenied:
        abort(403)
    except Invalid as exc:
        flash(next(iter(exc.errors.values())), "error")
    else:
        flash(
            _("%(name)s is now: %(role)s.", name=member.username, role=role_labels()[member.role]),
            "success",
        )
    target = request.form.get("next")
    return redirect(target if is_safe_redirect(target) else url_for("admin.members"))


@bp.route("/taxonomy", methods=["GET", "POST"])
def taxonomy_index():  # type: ignore[no-untyped-def]
    form = InterestAdminForm()
    status = 200
    if form.validate_on_submit():
        try:
            interest = taxonomy.save_interest(current_user, form.data)
        except Invalid as exc:
            apply_errors(form, exc)
            status = 400
        else:
            flash(_("“%(name)s” added to the taxonomy.", name=interest.name_en), "success")
            return redirect(url_for("admin.taxonomy_index"))
    elif request.method == "POST":
        status = 400
    return (
        render_template(
            "admin/taxonomy.html",
            interests=taxonomy.list_interests(include_inactive=True),
            counts=taxonomy.interest_member_counts(),
            form=form,
            locale=str(get_locale()),
        ),
        status,
    )


@bp.route("/taxonomy/<int:interest_id>", methods=["GET", "POST"])
def taxonomy_edit(interest_id: int):  # type: ignore[no-untyped-def]
    interest = db.session.get(Interest, interest_id)
    if interest is None:
        abort(404)
    form = InterestAdminForm(obj=interest)
    status = 200
    if form.validate_on_submit():
        try:
            taxonomy.save_interest(current_user, form.data, interest_id=interest_id)
        except Invalid as exc:
            apply_errors(form, exc)
            status = 400
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.taxonomy_index"))
    elif request.method == "POST":
        status = 400
    return render_template("admin/taxonomy_edit.html", form=form, interest=interest), status


@bp.get("/outbox")
def outbox():  # type: ignore[no-untyped-def]
    page_number = page_arg()
    total = db.session.scalar(select(func.count()).select_from(OutboxMessage))
    page = Page(items=[], page=page_number, per_page=PER_PAGE, total=total)
    items = db.session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).offset(page.offset).limit(PER_PAGE)
    ).all()
    page = Page(items=items, page=page_number, per_page=PER_PAGE, total=total)
    return render_template("admin/outbox.html", page=page)


@bp.get("/outbox/<int:message_id>")
def outbox_message(message_id: int):  # type: ignore[no-untyped-def]
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    return render_template(
        "admin/outbox_message.html", message=message, text_body=redacted(message.text_body)
    )


@bp.post("/outbox/<int:message_id>/retry")
def outbox_retry(message_id: int):  # type: ignore[no-untyped-def]
    if retry_failed(current_user, message_id):
        flash(_("The message is queued again."), "success")
    return redirect(url_for("admin.outbox_message", message_id=message_id))


@bp.get("/outbox/<int:message_id>/html")
def outbox_message_html(message_id: int):  # type: ignore[no-untyped-def]
    """The HTML part, shown in a sandboxed frame so nothing in it can run."""
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        abort(404)
    from flask import make_response

    response = make_response(redacted(message.html_body))
    response.headers["Content-Security-Policy"] = (
        "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; "
        "style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"
    )
    return response
