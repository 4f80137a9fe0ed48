"""Forum forms: shape only. Lengths and permissions are the services' rules."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields import ColorField
from wtforms.validators import Optional

from app.community.forums.services.base import BODY_MAX, LOCK_REASON_MAX, TITLE_MAX

MARKDOWN_HINT = _l(
    "Markdown: **bold**, *italic*, [link](https://example.com), > quote, `code`, - lists."
)


def _body_field(label):  # type: ignore[no-untyped-def]
    return TextAreaField(
        label,
        description=MARKDOWN_HINT,
        render_kw={"rows": 10, "maxlength": BODY_MAX},
    )


class TopicForm(FlaskForm):
    title = StringField(
        _l("Title"),
        description=_l("A short sentence saying what the topic is about (5 to 200 characters)."),
        render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"},
    )
    body = _body_field(_l("Your message"))


class ReplyForm(FlaskForm):
    body = _body_field(_l("Your reply"))
    reply_to_post_id = HiddenField()


class EditPostForm(FlaskForm):
    title = StringField(_l("Title"), render_kw={"maxlength": TITLE_MAX, "autocomplete": "off"})
    body = _body_field(_l("Message"))


class LockForm(FlaskForm):
    reason = StringField(
        _l("Reason shown to members"),
        description=_l("Optional. For example: “Solved — see the accepted answer.”"),
        render_kw={"maxlength": LOCK_REASON_MAX},
    )


class CategoryForm(FlaskForm):
    slug = StringField(
        _l("Slug"),
        description=_l(
            "In the address, as in /forums/trip-reports/. Lower-case letters, digits, dashes."
        ),
    )
    name_en = StringField(_l("Name (English)"))
    name_fr = StringField(_l("Name (French)"))
    description_en = TextAreaField(_l("Description (English)"), render_kw={"rows": 3})
    description_fr = TextAreaField(_l("Description (French)"), render_kw={"rows": 3})
    colour = ColorField(_l("Colour"), default="#b4462f")
    position = IntegerField(
        _l("Position"), validators=[Optional()], description=_l("Lower numbers come first.")
    )
    allowed_roles = SelectMultipleField(
        _l("Only these roles may read it"),
        description=_l("Leave all unticked for everyone. Staff always read every category."),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )
    min_tier_rank = SelectField(_l("Minimum loyalty tier"), coerce=int)
    qa = BooleanField(
        _l("Questions and answers"),
        description=_l("The asker or the community team can mark a reply as the solution."),
    )
    audience_interests = SelectMultipleField(
        _l("Only members interested in any of"),
        description=_l("Leave all unticked for no interest condition."),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )
    audience_stages = SelectMultipleField(
        _l("Only members in these lifecycle stages"),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )
    audience_min_trust_level = SelectField(_l("Minimum trust level"), coerce=int, default=0)
    interest_id = SelectField(
        _l("Related interest"),
        coerce=lambda v: int(v) if v not in (None, "", "None") else None,
        description=_l("Members who follow this interest see its topics on their home page."),
    )
