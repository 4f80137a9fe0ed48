"""Forms of the single customer view (privacy, staff notes, loyalty admin): shape only."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional


class ConsentForm(FlaskForm):
    personalisation = BooleanField(
        _l("Personalise my club from what I read, write and like"),
        description=_l(
            "We infer your interests from your activity to choose topics and offers for you. "
            "Off: we only use the interests you pick yourself."
        ),
    )
    marketing_email = BooleanField(
        _l("Send me news and offers by email"),
        description=_l("At most one message a week. You can stop at any time."),
    )


class EraseForm(FlaskForm):
    posts = RadioField(
        _l("Your posts"),
        choices=[
            ("keep", _l("Keep them, signed “former member”")),
            ("remove", _l("Delete them")),
        ],
        default="keep",
        validators=[InputRequired(_l("Choose what happens to your posts."))],
    )
    password = PasswordField(
        _l("Your password"),
        validators=[DataRequired(_l("Enter your password to confirm."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone"),
        validators=[DataRequired(_l("Tick the box to confirm."))],
    )


class NoteForm(FlaskForm):
    body = TextAreaField(
        _l("Note"),
        validators=[DataRequired(_l("Write a note.")), Length(max=2000)],
        description=_l("Only staff see notes."),
        render_kw={"rows": 3, "maxlength": 2000},
    )


class RuleForm(FlaskForm):
    points = IntegerField(
        _l("Points"), validators=[InputRequired(_l("Enter a number.")), NumberRange(min=0)]
    )
    daily_cap = IntegerField(
        _l("Daily cap"),
        validators=[Optional(), NumberRange(min=0)],
        description=_l("Most points a member can earn from this rule per day; empty: no cap."),
    )
    active = BooleanField(_l("Active"))


class TierForm(FlaskForm):
    threshold = IntegerField(
        _l("Points in the last 12 months"),
        validators=[InputRequired(_l("Enter a number.")), NumberRange(min=0)],
    )
    perks_en = TextAreaField(_l("Perks (English), one per line"), render_kw={"rows": 4})
    perks_fr = TextAreaField(_l("Perks (French), one per line"), render_kw={"rows": 4})


class ApiKeyForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(_l("Give the key a name.")), Length(max=80)],
        description=_l("Who uses it, e.g. “Shop (Shopify)”."),
    )
    scopes = SelectMultipleField(
        _l("Scopes"),
        choices=[
            ("events:write", _l("Send events")),
            ("profiles:read", _l("Read profiles")),
            ("export:read", _l("Export every profile")),
        ],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one scope."))],
    )


class WebhookForm(FlaskForm):
    url = StringField(
        _l("URL"), validators=[DataRequired(_l("Enter the URL to call.")), Length(max=500)]
    )
    events = SelectMultipleField(
        _l("Events"),
        choices=[
            ("tier_changed", _l("Tier changed")),
            ("lifecycle_changed", _l("Lifecycle stage changed")),
        ],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validators=[DataRequired(_l("Choose at least one event."))],
    )
