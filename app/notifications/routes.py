"""The notification centre, notification settings, unsubscribe links, @name suggestions.

Thin: parse, call one service, render or redirect. The unsubscribe link works without
logging in: its signed token is the proof, so its POST (RFC 8058 one-click, sent by mail
clients without any form token) is exempt from CSRF; a bad token is refused with 400.
"""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.errors import Invalid
from app.core.pagination import page_arg
from app.extensions import csrf, limiter
from app.notifications import bp, emails, mentions, services, types
from app.notifications.models import DIGEST_FREQUENCIES


def _ids() -> list[int]:
    ids = []
    for raw in request.form.getlist("id"):
        if raw.isdigit() and len(raw) < 12:
            ids.append(int(raw))
    return ids


@bp.get("/notifications")
@login_required
def index():  # type: ignore[no-untyped-def]
    filter_ = request.args.get("filter", "all")
    if filter_ not in services.FILTERS:
        filter_ = "all"
    page = services.notifications_page(current_user, filter_, page_arg())
    return render_template(
        "notifications/index.html",
        page=page,
        filter=filter_,
        filters=[
            ("all", _("All")),
            ("unread", _("Unread")),
            *((t.key, t.label) for t in types.all_types() if t.key in services.FILTERS),
        ],
    )


@bp.post("/notifications/read")
@login_required
def mark_read():  # type: ignore[no-untyped-def]
    changed = services.mark_read(current_user, _ids())
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"changed": changed, "unread": services.unread_count(current_user.id)})
    return redirect(_back())


@bp.post("/notifications/read-all")
@login_required
def mark_all_read():  # type: ignore[no-untyped-def]
    services.mark_all_read(current_user)
    flash(_("Every notification is marked read."), "success")
    return redirect(_back())


def _back() -> str:
    target = request.form.get("next", "")
    if target.startswith("/notifications") and "//" not in target:
        return target
    return url_for("notifications.index")


@bp.get("/notifications/open/<int:notification_id>")
@login_required
def open_notice(notification_id: int):  # type: ignore[no-untyped-def]
    """Follow a notice's link and mark it read (a GET link works without JavaScript)."""
    page = services.notice_for(current_user, notification_id)
    services.mark_read(current_user, [notification_id])
    return redirect(page or url_for("notifications.index"))


@bp.route("/settings/notifications", methods=["GET", "POST"])
@login_required
def settings():  # type: ignore[no-untyped-def]
    channels, frequency = services.preferences(current_user)
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        chosen = {t.key: request.form.get(f"type-{t.key}", "") for t in types.all_types()}
        frequency_asked = request.form.get("digest_frequency", "")
        try:
            services.set_preferences(current_user, chosen, frequency_asked)
        except Invalid as exc:
            errors = {k: str(v) for k, v in exc.errors.items()}
            channels = dict(chosen)
            frequency = frequency_asked
            status = 400
        else:
            flash(_("Your notification settings are saved."), "success")
            return redirect(url_for("notifications.settings"))
    return (
        render_template(
            "notifications/settings.html",
            section="notifications",
            kinds=types.all_types(),
            channels=channels,
            frequency=frequency,
            frequencies=DIGEST_FREQUENCIES,
            errors=errors,
        ),
        status,
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("30 per minute")
def unsubscribe(token: str):  # type: ignore[no-untyped-def]
    found = emails.read_unsubscribe_token(token)
    if found is None:
        return render_template("notifications/unsubscribe.html", outcome="invalid"), 400
    if request.method == "GET":
        # Link checkers open links: a GET only asks, the button (or the mail client's
        # one-click POST) does it.
        what = found[1]
        label = _("the digest") if what == "digest" else types.get_type(what).label
        return render_template(
            "notifications/unsubscribe.html", outcome="ask", label=label, token=token
        )
    outcome, label = emails.unsubscribe(token)
    status = 400 if outcome == "invalid" else 200
    return render_template("notifications/unsubscribe.html", outcome=outcome, label=label), status


@bp.get("/notifications/mentions")
@login_required
def mention_suggestions():  # type: ignore[no-untyped-def]
    members = mentions.suggest(request.args.get("q", ""))
    return jsonify([{"username": m.username, "name": m.name} for m in members])
