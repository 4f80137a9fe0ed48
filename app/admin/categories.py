"""Admin pages for forum categories: list, create, edit (rules in the forums' services)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.admin import bp
from app.admin.labels import role_labels
from app.community.forums import access, services
from app.community.forums.forms import CategoryForm
from app.community.forums.models import Category
from app.core.errors import Invalid
from app.core.forms import apply_errors, choices
from app.extensions import db
from app.members import taxonomy
from app.members.audience import STAGES, Audience, stage_label
from app.members.models import ROLES

TIER_CHOICES = [
    (0, _l("Everyone (no tier needed)")),
    (1, _l("Silver and above")),
    (2, _l("Gold and above")),
    (3, _l("Platinum only")),
]


def _form(obj: Category | None = None) -> CategoryForm:
    form = CategoryForm(obj=obj)
    if obj is not None and request.method == "GET":
        form.allowed_roles.data = [r for r in (obj.allowed_roles or "").split(",") if r]
    labels = role_labels()
    form.allowed_roles.choices = choices((r, labels[r]) for r in ROLES)
    form.min_tier_rank.choices = choices(TIER_CHOICES)
    locale = str(get_locale())
    if obj is not None and request.method == "GET":
        rule = Audience.from_json(obj.audience)
        form.audience_interests.data = sorted(rule.interests)
        form.audience_stages.data = sorted(rule.stages)
        form.audience_min_trust_level.data = rule.min_trust_level
    form.audience_interests.choices = choices(
        (i.slug, i.name(locale)) for i in taxonomy.list_interests(include_inactive=True)
    )
    form.audience_stages.choices = choices((s, stage_label(s)) for s in STAGES)
    form.audience_min_trust_level.choices = choices(
        [(0, _("Any trust level"))]
        + [(n, _("Trust level %(n)d and above", n=n)) for n in (1, 2, 3)]
    )
    form.interest_id.choices = choices(
        [(None, _("None"))]
        + [(i.id, i.name(locale)) for i in taxonomy.list_interests(include_inactive=True)]
    )
    return form


def _save(form: CategoryForm, category_id: int | None = None):  # type: ignore[no-untyped-def]
    return services.save_category(current_user, form.data, category_id=category_id)


@bp.get("/categories")
def categories_index():  # type: ignore[no-untyped-def]
    return render_template(
        "admin/categories.html",
        categories=access.all_categories(),
        role_labels=role_labels(),
        locale=str(get_locale()),
        tiers=dict(TIER_CHOICES),
    )


@bp.route("/categories/new", methods=["GET", "POST"])
def category_new():  # type: ignore[no-untyped-def]
    form = _form()
    if form.validate_on_submit():
        try:
            category = _save(form)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("Category “%(name)s” created.", name=category.name_en), "success")
            return redirect(url_for("admin.categories_index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/category_edit.html", form=form, category=None), status


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category_edit(category_id: int):  # type: ignore[no-untyped-def]
    category = db.session.get(Category, category_id)
    if category is None:
        abort(404)
    form = _form(category)
    if form.validate_on_submit():
        try:
            _save(form, category_id)
        except Invalid as exc:
            apply_errors(form, exc)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("admin.categories_index"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/category_edit.html", form=form, category=category), status
