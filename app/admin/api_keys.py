"""Admin pages of the integrations: API keys (shown once), webhooks and their deliveries."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.admin import bp
from app.api import keys, webhooks
from app.api.models import WebhookEndpoint
from app.core.errors import Invalid
from app.core.forms import apply_errors
from app.extensions import db
from app.members.forms_customer import ApiKeyForm, WebhookForm


@bp.route("/api-keys", methods=["GET", "POST"])
def api_keys():  # type: ignore[no-untyped-def]
    form = ApiKeyForm()
    token = None
    status = 200
    if form.validate_on_submit():
        try:
            token = keys.create_key(current_user, form.name.data, form.scopes.data).token
        except Invalid as exc:
            apply_errors(form, exc)
            status = 400
        else:
            form = ApiKeyForm(formdata=None)
    elif request.method == "POST":
        status = 400
    return (
        render_template("admin/api_keys.html", form=form, keys=keys.list_keys(), token=token),
        status,
    )


@bp.post("/api-keys/<int:key_id>/revoke")
def api_key_revoke(key_id: int):  # type: ignore[no-untyped-def]
    from flask_wtf import FlaskForm

    if FlaskForm().validate_on_submit():
        keys.revoke_key(current_user, key_id)
        flash(_("Key revoked: requests with it are refused from now on."), "success")
    return redirect(url_for("admin.api_keys"))


@bp.route("/webhooks", methods=["GET", "POST"])
def webhooks_index():  # type: ignore[no-untyped-def]
    form = WebhookForm()
    status = 200
    if form.validate_on_submit():
        try:
            webhooks.create_endpoint(current_user, form.url.data, form.events.data)
        except Invalid as exc:
            apply_errors(form, exc)
            status = 400
        else:
            flash(_("Endpoint added."), "success")
            return redirect(url_for("admin.webhooks_index"))
    elif request.method == "POST":
        status = 400
    endpoints = db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)).all()
    return (
        render_template(
            "admin/webhooks.html",
            form=form,
            endpoints=endpoints,
            deliveries=webhooks.recent_deliveries(),
        ),
        status,
    )


@bp.post("/webhooks/<int:endpoint_id>/disable")
def webhook_disable(endpoint_id: int):  # type: ignore[no-untyped-def]
    from flask_wtf import FlaskForm

    if FlaskForm().validate_on_submit():
        webhooks.disable_endpoint(current_user, endpoint_id)
        flash(_("Endpoint disabled."), "success")
    return redirect(url_for("admin.webhooks_index"))
