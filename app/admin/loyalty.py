"""Admin pages of the loyalty programme: earning rules (points, daily caps) and tiers."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin import bp
from app.core.errors import Invalid, NotFound
from app.core.forms import apply_errors
from app.extensions import db
from app.members.forms_customer import RuleForm, TierForm
from app.members.loyalty import services
from app.members.loyalty.models import EarningRule


@bp.get("/loyalty")
def loyalty_index():  # type: ignore[no-untyped-def]
    return render_template("admin/loyalty.html", rules=services.rules(), tiers=services.tiers())


@bp.route("/loyalty/rules/<int:rule_id>", methods=["GET", "POST"])
def loyalty_rule(rule_id: int):  # type: ignore[no-untyped-def]
    rule = db.session.get(EarningRule, rule_id)
    if rule is None:
        abort(404)
    form = RuleForm(obj=rule)
    if form.validate_on_submit():
        try:
            services.save_rule(
                current_user, rule.id, form.points.data, form.daily_cap.data, form.active.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("Rule saved."), "success")
            return redirect(url_for("admin.loyalty_index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/loyalty_edit.html", form=form, rule=rule, tier=None), status


@bp.route("/loyalty/tiers/<key>", methods=["GET", "POST"])
def loyalty_tier(key: str):  # type: ignore[no-untyped-def]
    tier = next((t for t in services.tiers() if t.key == key), None)
    if tier is None:
        abort(404)
    form = TierForm(obj=tier)
    if form.validate_on_submit():
        try:
            services.save_tier(
                current_user, key, form.threshold.data, form.perks_en.data, form.perks_fr.data
            )
        except Invalid as exc:
            apply_errors(form, exc)
        except NotFound:
            abort(404)
        else:
            flash(_("Tier saved."), "success")
            return redirect(url_for("admin.loyalty_index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/loyalty_edit.html", form=form, rule=None, tier=tier), status
