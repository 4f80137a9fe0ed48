"""Member-facing moderation pages: flagging a post (the staff pages are app/moderation/
routes.py). Thin: parse, call the service, render or redirect."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.community.forums import limits, queries
from app.core.errors import Invalid
from app.core.forms import apply_errors
from app.moderation import flags, sanctions, trust
from app.moderation.forms import FlagForm

bp = Blueprint("moderation_member", __name__)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
def flag(post_id: int):  # type: ignore[no-untyped-def]
    post = flags.flaggable_post(current_user, post_id)
    back = queries.post_url(post.topic, post.post_number)
    earlier = flags.existing_flag(current_user.id, post.id)
    form = FlagForm()
    status = 200
    if earlier is None and form.validate_on_submit():
        if wait := limits.wait_for("flag"):
            form.form_errors.append(wait)
            status = 429
        else:
            try:
                flags.flag_post(current_user, post.id, form.reason.data, form.comment.data)
            except flags.AlreadyFlagged:
                earlier = flags.existing_flag(current_user.id, post.id)
            except Invalid as exc:
                apply_errors(form, exc)
                status = 400
            else:
                limits.record("flag")
                message = _("Thank you: the community team will look at this post.")
                if _wants_json():
                    return jsonify({"flagged": True, "message": message})
                flash(message, "success")
                return redirect(back)
    elif request.method == "POST" and earlier is None:
        status = 400
    if _wants_json() and request.method == "POST":
        errors = {name: list(field.errors) for name, field in form._fields.items() if field.errors}
        if earlier is not None:
            return jsonify({"flagged": True, "message": _("You already flagged this post.")})
        return jsonify({"errors": errors, "form_errors": form.form_errors}), status
    template = (
        "moderation/_flag_form.html" if request.args.get("partial") else "moderation/flag.html"
    )
    return (
        render_template(
            template, form=form, post=post, topic=post.topic, back=back, earlier=earlier
        ),
        status,
    )


# --- the team's controls on a profile ----------------------------------------------------


def _profile(member_id: int):  # type: ignore[no-untyped-def]
    from app.extensions import db
    from app.members.models import Member

    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    return member, url_for("members.profile", username=member.username)


@bp.post("/members/<int:member_id>/trust")
@login_required
def set_trust(member_id: int):  # type: ignore[no-untyped-def]
    member, back = _profile(member_id)
    try:
        trust.set_trust_level(
            current_user,
            member.id,
            request.form.get("trust_level"),
            bool(request.form.get("locked")),
        )
    except Invalid as exc:
        flash(" ".join(str(m) for m in exc.errors.values()), "error")
    else:
        flash(_("Trust level saved."), "success")
    return redirect(back)


@bp.post("/members/<int:member_id>/sanctions")
@login_required
def sanction(member_id: int):  # type: ignore[no-untyped-def]
    member, back = _profile(member_id)
    kind = request.form.get("kind")
    apply = {
        "warning": sanctions.warn,
        "silence": sanctions.silence,
        "suspension": sanctions.suspend,
    }
    if kind not in apply:
        abort(400)
    reason = request.form.get("reason", "")
    try:
        if kind == "warning":
            sanctions.warn(current_user, member.id, reason)
        else:
            apply[kind](current_user, member.id, reason, request.form.get("days") or None)
    except Invalid as exc:
        flash(" ".join(str(m) for m in exc.errors.values()), "error")
    else:
        flash(_("Sanction applied: the member is told why."), "success")
    return redirect(back)


@bp.post("/sanctions/<int:sanction_id>/lift")
@login_required
def lift(sanction_id: int):  # type: ignore[no-untyped-def]
    from app.extensions import db
    from app.moderation.models import Sanction

    row = db.session.get(Sanction, sanction_id)
    if row is None:
        abort(404)
    _member, back = _profile(row.member_id)
    try:
        sanctions.lift(current_user, sanction_id, request.form.get("reason", ""))
    except Invalid as exc:
        flash(" ".join(str(m) for m in exc.errors.values()), "error")
    else:
        flash(_("Sanction lifted."), "success")
    return redirect(back)
