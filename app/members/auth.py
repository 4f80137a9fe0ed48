"""Sign-up, log-in, log-out, email verification and password reset routes."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.core.errors import Invalid
from app.core.forms import apply_errors
from app.core.i18n import refresh_locale
from app.core.security import is_safe_redirect
from app.extensions import limiter
from app.members import services
from app.members.forms import LoginForm, RegisterForm, ResetForm, ResetRequestForm

bp = Blueprint("auth", __name__)


def _limit(name: str):  # type: ignore[no-untyped-def]
    return lambda: current_app.config.get(name, "1000 per minute")


def _login_key() -> str:
    return "login:" + (request.form.get("email") or "").strip().lower()


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_limit("REGISTER_RATE_LIMIT"), methods=["POST"])
def register():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("personalisation.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            member = services.register(
                form.username.data, form.email.data, form.password.data, str(get_locale())
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            login_user(member)
            flash(
                _(
                    "Welcome to the club, %(name)s! We sent a link to %(email)s to confirm it.",
                    name=member.username,
                    email=member.email,
                ),
                "success",
            )
            return redirect(url_for("members.settings_interests", welcome=1))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_limit("LOGIN_RATE_LIMIT"), methods=["POST"])
@limiter.limit(_limit("LOGIN_ACCOUNT_RATE_LIMIT"), methods=["POST"], key_func=_login_key)
def login():  # type: ignore[no-untyped-def]
    if current_user.is_authenticated:
        return redirect(url_for("personalisation.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if form.validate_on_submit():
        try:
            member = services.authenticate(form.email.data, form.password.data, form.remember.data)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            login_user(member, remember=form.remember.data)
            refresh_locale()  # the member's language from here on, not the browser's
            flash(_("Welcome back, %(name)s.", name=member.name), "success")
            target = form.next.data
            return redirect(target if is_safe_redirect(target) else url_for("personalisation.home"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():  # type: ignore[no-untyped-def]
    logout_user()
    refresh_locale()
    flash(_("You are logged out. See you soon!"), "info")
    return redirect(url_for("personalisation.home"))


@bp.get("/verify/<token>")
def verify(token: str):  # type: ignore[no-untyped-def]
    """Confirming an email is idempotent and harmless, so the link itself does it."""
    try:
        member = services.verify_email(token)
    except Invalid as exc:
        flash(exc.errors["token"], "error")
        return render_template("auth/verify_failed.html"), 400
    flash(_("Thank you, %(email)s is confirmed.", email=member.email), "success")
    return redirect(url_for("personalisation.home"))


@bp.post("/verify/resend")
@login_required
@limiter.limit(_limit("RESET_RATE_LIMIT"))
def resend_verification():  # type: ignore[no-untyped-def]
    try:
        services.resend_verification(current_user)
    except Invalid as exc:
        flash(next(iter(exc.errors.values())), "info")
    else:
        flash(
            _("We sent a new confirmation link to %(email)s.", email=current_user.email), "success"
        )
    return redirect(url_for("members.settings_account"))


@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"])
def reset():  # type: ignore[no-untyped-def]
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        return render_template("auth/reset_sent.html", email=form.email.data)
    status = 400 if form.errors else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_limit("RESET_RATE_LIMIT"), methods=["POST"])
def reset_with_token(token: str):  # type: ignore[no-untyped-def]
    """GET only shows the form (mail scanners follow links); the POST spends the token."""
    try:
        member = services.check_reset_token(token)
    except Invalid as exc:
        return render_template("auth/reset_failed.html", message=exc.errors["token"]), 400
    form = ResetForm()
    if form.validate_on_submit():
        try:
            member = services.reset_password(token, form.password.data)
        except Invalid as exc:
            if "token" in exc.errors:
                return render_template("auth/reset_failed.html", message=exc.errors["token"]), 400
            apply_errors(form, exc)
        else:
            logout_user()
            from app.core.guards import write_refusal

            # The new password is kept, but a suspended member is not logged in by it.
            if refusal := write_refusal(member, "login"):
                flash(refusal, "error")
                return redirect(url_for("auth.login"))
            login_user(member)
            refresh_locale()
            flash(_("Your password is changed and you are logged in."), "success")
            return redirect(url_for("personalisation.home"))
    status = 400 if form.errors else 200
    return render_template("auth/reset_form.html", form=form, member=member), status
