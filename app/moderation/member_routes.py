"""Member-facing moderation pages: flagging a post (the staff pages are app/moderation/
routes.py). Thin: parse, call the service, render or redirect."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.community.forums import limits, queries
from app.core.errors import Invalid
from app.core.forms import apply_errors
from app.moderation import flags
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
