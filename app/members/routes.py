"""Profiles and settings pages."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from app.core.errors import Invalid, NotFound
from app.core.forms import apply_errors, choices
from app.core.templating import request_cache
from app.extensions import login_manager
from app.members import bp, services, taxonomy
from app.members.forms import EmailForm, InterestsForm, LanguageForm, PasswordForm, ProfileForm


@login_manager.user_loader
def _load_member(session_id: str):  # type: ignore[no-untyped-def]
    return services.load_session_member(session_id)


@bp.app_template_global("member_url")
def member_url(username: str) -> str:
    """A member's profile URL, built once per request and name (pages list many posts)."""
    cache = request_cache("cercle.member_url")
    if username not in cache:
        cache[username] = url_for("members.profile", username=username)
    return cache[username]


@bp.get("/members/<username>")
def profile(username: str):  # type: ignore[no-untyped-def]
    try:
        member = services.get_by_username(username)
    except NotFound:
        abort(404)
    from app.community.forums.queries import activity_counts, recent_posts_by

    posts = recent_posts_by(member.id, viewer=current_user, limit=10)
    return render_template(
        "members/profile.html",
        member=member,
        interests=member.interests,
        recent_posts=posts,
        # Counted only where the viewer may read: a hidden category's activity never shows.
        activity=activity_counts(member, current_user),
        locale=str(get_locale()),
    )


@bp.route("/settings/")
@login_required
def settings_index():  # type: ignore[no-untyped-def]
    return redirect(url_for("members.settings_profile"))


@bp.route("/settings/profile", methods=["GET", "POST"])
@login_required
def settings_profile():  # type: ignore[no-untyped-def]
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(
                current_user, current_user, form.display_name.data, form.bio.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("Your profile is saved."), "success")
            return redirect(url_for("members.settings_profile"))
    status = 400 if form.errors else 200
    return render_template("settings/profile.html", form=form, section="profile"), status


@bp.route("/settings/account", methods=["GET", "POST"])
@login_required
def settings_account():  # type: ignore[no-untyped-def]
    email_form = EmailForm(prefix="email")
    password_form = PasswordForm(prefix="password")
    language_form = LanguageForm(prefix="language", locale=current_user.locale or "")
    action = request.form.get("action")
    status = 200
    if request.method == "POST":
        if action == "email" and email_form.validate_on_submit():
            try:
                services.change_email(
                    current_user, email_form.email.data, email_form.current_password.data
                )
            except Invalid as exc:
                apply_errors(email_form, exc)
            else:
                flash(_("Email changed. Confirm it with the link we sent."), "success")
                return redirect(url_for("members.settings_account"))
        elif action == "password" and password_form.validate_on_submit():
            try:
                member = services.change_password(
                    current_user,
                    password_form.current_password.data,
                    password_form.new_password.data,
                )
            except Invalid as exc:
                apply_errors(password_form, exc)
            else:
                # The session id embeds the auth version: log this browser in again.
                login_user(member)
                flash(_("Password changed. Your other devices are logged out."), "success")
                return redirect(url_for("members.settings_account"))
        elif action == "language" and language_form.validate_on_submit():
            try:
                services.set_locale(current_user, language_form.locale.data or None)
            except Invalid as exc:
                apply_errors(language_form, exc)
            else:
                from flask import session

                session.pop("locale", None)
                flash(_("Language saved."), "success")
                return redirect(url_for("members.settings_account"))
        status = 400
    return (
        render_template(
            "settings/account.html",
            email_form=email_form,
            password_form=password_form,
            language_form=language_form,
            section="account",
        ),
        status,
    )


@bp.route("/settings/interests", methods=["GET", "POST"])
@login_required
def settings_interests():  # type: ignore[no-untyped-def]
    locale = str(get_locale())
    interests = taxonomy.list_interests()
    form = InterestsForm()
    form.interests.choices = choices((i.id, i.name(locale)) for i in interests)
    status = 200
    if form.validate_on_submit():
        try:
            taxonomy.set_interests(current_user, form.interests.data or [])
        except Invalid as exc:
            apply_errors(form, exc)
            status = 400
        else:
            flash(_("Your interests are saved."), "success")
            return redirect(url_for("members.settings_interests"))
    elif request.method == "POST":
        status = 400
    selected = (
        set(form.interests.data or [])
        if request.method == "POST"
        else taxonomy.member_interest_ids(current_user.id)
    )
    return (
        render_template(
            "settings/interests.html",
            form=form,
            products=[i for i in interests if i.kind == "product"],
            themes=[i for i in interests if i.kind == "theme"],
            selected=selected,
            locale=locale,
            welcome=request.args.get("welcome"),
            section="interests",
        ),
        status,
    )
