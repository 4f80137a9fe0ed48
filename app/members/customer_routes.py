"""Routes of the single customer view: thin, over the services that check permissions."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.forms import apply_errors
from app.core.pagination import page_arg
from app.core.security import is_safe_redirect, is_same_origin_request
from app.extensions import csrf
from app.members import customer_view, privacy, services
from app.members.customers import bp
from app.members.engagement.identity import set_consent_cookies, visitor_consent
from app.members.engagement.models import STAGES
from app.members.engagement.read import affinities, profiles_data
from app.members.forms_customer import ConsentForm, EraseForm, NoteForm
from app.members.loyalty import services as loyalty
from app.members.models import TIERS


@bp.app_context_processor
def _cookie_banner() -> dict[str, object]:
    def show_cookie_banner() -> bool:
        return visitor_consent() is None and not current_user.is_authenticated

    return {"show_cookie_banner": show_cookie_banner}


@bp.post("/privacy/cookies")
@csrf.exempt
def cookie_choice():  # type: ignore[no-untyped-def]
    """The banner's choice: a first-party visitor id for analytics, or nothing.

    Without a CSRF token: the banner is on every page a first-time visitor sees, and a
    token would write a session for each of them (and make their pages uncacheable). The
    choice only sets this browser's own cookies; a cross-site form is refused by its
    Fetch-metadata/Origin headers instead.
    """
    if not is_same_origin_request():
        abort(400)
    accepted = request.form.get("choice") == "accept"
    target = request.form.get("next") or url_for("personalisation.home")
    if not is_safe_redirect(target):
        target = url_for("personalisation.home")
    response = redirect(target)
    if request.accept_mimetypes.best == "application/json":
        response = Response(json.dumps({"accepted": accepted}), mimetype="application/json")
    set_consent_cookies(response, accepted)
    return response


@bp.get("/loyalty")
@login_required
def loyalty_page():  # type: ignore[no-untyped-def]
    standing = loyalty.standing_of(current_user)
    return render_template(
        "loyalty/index.html",
        standing=standing,
        history=loyalty.history(current_user.id, page_arg()),
        tiers=loyalty.tiers(),
        rules=[r for r in loyalty.rules() if r.active and r.points],
        locale=str(get_locale()),
    )


# --- privacy -------------------------------------------------------------------------------


@bp.route("/settings/privacy", methods=["GET", "POST"])
@login_required
def settings_privacy():  # type: ignore[no-untyped-def]
    consent = privacy.consent_of(current_user.id)
    form = ConsentForm(
        personalisation=consent.personalisation, marketing_email=consent.marketing_email
    )
    erase_form = EraseForm(prefix="erase")
    if form.validate_on_submit():
        privacy.set_consent(current_user, form.personalisation.data, form.marketing_email.data)
        flash(_("Your privacy choices are saved."), "success")
        return redirect(url_for("customers.settings_privacy"))
    status = 400 if request.method == "POST" else 200
    return (
        render_template(
            "settings/privacy.html", form=form, erase_form=erase_form, section="privacy"
        ),
        status,
    )


@bp.get("/settings/privacy/export.json")
@login_required
def privacy_export():  # type: ignore[no-untyped-def]
    data = privacy.export_data(current_user)
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{current_user.username}-data.json"'
    )
    return response


@bp.post("/settings/privacy/erase")
@login_required
def privacy_erase():  # type: ignore[no-untyped-def]
    consent = privacy.consent_of(current_user.id)
    form = ConsentForm(
        personalisation=consent.personalisation, marketing_email=consent.marketing_email
    )
    erase_form = EraseForm(prefix="erase")
    if erase_form.validate_on_submit():
        try:
            privacy.erase_account(
                current_user, erase_form.password.data, erase_form.posts.data == "remove"
            )
        except Invalid as exc:
            apply_errors(erase_form, exc)
        else:
            logout_user()
            flash(_("Your account is erased. Goodbye, and thank you."), "success")
            return redirect(url_for("personalisation.home"))
    return (
        render_template(
            "settings/privacy.html", form=form, erase_form=erase_form, section="privacy"
        ),
        400,
    )


# --- staff ---------------------------------------------------------------------------------


def _staff() -> None:
    if not current_user.is_authenticated:
        from app.extensions import login_manager

        abort(login_manager.unauthorized())
    if not current_user.is_staff:
        abort(403)


@bp.route("/members/<username>/360", methods=["GET", "POST"])
def member_360(username: str):  # type: ignore[no-untyped-def]
    _staff()
    try:
        member = services.get_by_username(username)
    except NotFound:
        abort(404)
    form = NoteForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                customer_view.add_note(current_user, member.id, form.body.data)
            except Invalid as exc:
                apply_errors(form, exc)
            else:
                flash(_("Note added."), "success")
                return redirect(url_for("customers.member_360", username=member.username))
        status = 400
    locale = str(get_locale())
    timeline = customer_view.timeline(current_user, member.id, page_arg())
    return (
        render_template(
            "members/360.html",
            member=member,
            profile=profiles_data([member])[0],
            timeline=timeline,
            topic_titles=customer_view.topic_titles(current_user, timeline.items),
            ledger=loyalty.history(member.id, 1, per_page=10),
            standing=loyalty.standing_of(member),
            interests=affinities([member.id], locale=locale).get(member.id, []),
            lifecycle=customer_view.lifecycle_history(current_user, member.id),
            notes=customer_view.notes(current_user, member.id),
            consent=privacy.consent_of(member.id),
            form=form,
        ),
        status,
    )


def _interest_choices() -> list[tuple[int, str]]:
    from app.members import taxonomy

    locale = str(get_locale())
    return [(i.id, i.name(locale)) for i in taxonomy.list_interests()]


@bp.get("/customers/")
def directory():  # type: ignore[no-untyped-def]
    _staff()
    filters = customer_view.Filters.from_args(request.args)
    page = customer_view.directory(current_user, filters, page_arg())
    from app.members.engagement.rollups import score_at

    return (
        render_template(
            "members/directory.html",
            page=page,
            filters=filters,
            tiers=TIERS,
            stages=STAGES,
            interests=_interest_choices(),
            score_at=score_at,
        ),
        400 if filters.errors else 200,
    )


@bp.get("/customers/export.csv")
def directory_csv():  # type: ignore[no-untyped-def]
    _staff()
    filters = customer_view.Filters.from_args(request.args)
    chunks = customer_view.directory_rows(current_user, filters)
    from app.members.engagement.rollups import score_at

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            ["id", "username", "email", "tier", "points", "stage", "score", "value", "last_seen_at"]
        )
        for rows in chunks:
            for member, profile in rows:
                writer.writerow(
                    [
                        member.id,
                        member.username,
                        member.email,
                        member.tier,
                        member.points,
                        profile.stage if profile else "new",
                        f"{score_at(profile.score_base):.1f}" if profile else "0.0",
                        f"{(profile.monetary_cents if profile else 0) / 100:.2f}",
                        profile.last_seen_at.isoformat()
                        if profile and profile.last_seen_at
                        else "",
                    ]
                )
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()

    response = Response(stream_with_context(lines()), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="members.csv"'
    return response


@bp.get("/customers/dashboard")
def dashboard():  # type: ignore[no-untyped-def]
    _staff()
    try:
        data = customer_view.dashboard(current_user)
    except PermissionDenied:
        abort(403)
    return render_template("members/dashboard.html", data=data, tiers=TIERS, stages=STAGES)
