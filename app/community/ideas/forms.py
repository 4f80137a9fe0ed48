"""Idea forms: shape only. Lengths, permissions and audiences are the services' rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields import ColorField
from wtforms.validators import Optional

from app.community.ideas.services import BODY_MAX, TITLE_MAX
from app.core.forms import choices

MARKDOWN_HINT = _l(
    "Markdown: **bold**, *italic*, [link](https://example.com), > quote, `code`, - lists."
)


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class IdeaForm(FlaskForm):
    board = SelectField(_l("Product"), coerce=str)
    title = StringField(
        _l("Your idea in one sentence"),
        description=_l("What should change? 8 to 150 characters."),
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    body = TextAreaField(
        _l("Describe it"),
        description=MARKDOWN_HINT,
        render_kw={"rows": 8, "maxlength": BODY_MAX},
    )
    tags = StringField(
        _l("Tags"),
        description=_l("Up to 5, separated by commas (for example: weight, zips)."),
        render_kw={"autocomplete": "off"},
    )


class VoteForm(FlaskForm):
    importance = RadioField(
        _l("How important is it to you?"),
        choices=choices([("1", _l("Nice to have")), ("2", _l("Important")), ("3", _l("Critical"))]),
        default="1",
    )


class StatusForm(FlaskForm):
    status = SelectField(_l("Status"), coerce=str)
    response = TextAreaField(
        _l("Official response"),
        description=_l("Shown on the idea and its timeline; voters and followers are told."),
        render_kw={"rows": 5},
    )


class MergeForm(FlaskForm):
    target = IntegerField(
        _l("Merge into idea number"),
        description=_l("The idea that stays: votes move to it, counted once per member."),
        validators=[Optional()],
    )


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), description=MARKDOWN_HINT, render_kw={"rows": 4})


class BoardForm(FlaskForm):
    slug = StringField(_l("Slug"), render_kw={"autocomplete": "off"})
    name_en = StringField(_l("Name (English)"))
    name_fr = StringField(_l("Name (French)"))
    description_en = TextAreaField(_l("Description (English)"), render_kw={"rows": 2})
    description_fr = TextAreaField(_l("Description (French)"), render_kw={"rows": 2})
    product_interest_id = SelectField(_l("Product (from the taxonomy)"), coerce=str)
    product = StringField(
        _l("Product name"), description=_l("When the product is not in the taxonomy.")
    )
    position = IntegerField(_l("Position"), validators=[Optional()])
    audience_roles = MultiCheckboxField(_l("Only these roles"))
    audience_min_tier = SelectField(_l("Minimum tier"), coerce=str)
    audience_interests = MultiCheckboxField(_l("Interested in any of"))
    audience_stages = MultiCheckboxField(_l("Lifecycle stage is any of"))
    audience_min_trust_level = SelectField(_l("Minimum trust level"), coerce=str)
    audience_members_only = BooleanField(_l("Members only"))


class StatusConfigForm(FlaskForm):
    slug = StringField(_l("Slug"))
    name_en = StringField(_l("Name (English)"))
    name_fr = StringField(_l("Name (French)"))
    colour = ColorField(_l("Colour"), default="#4a5a8c")
    position = IntegerField(_l("Position"), validators=[Optional()])
    accepts_votes = BooleanField(_l("Takes votes"))
    roadmap = BooleanField(_l("Shown on the roadmap"))
    is_shipped = BooleanField(_l("Counts as shipped (closes the loop)"))
    is_default = BooleanField(_l("Status of new ideas"))
