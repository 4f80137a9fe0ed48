"""Forms of the members area: shape checks only; the rules live in the services."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from app.core.forms import choices
from app.members.passwords import MIN_LENGTH


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(_l("Choose a username."))],
        description=_l("3 to 30 letters, digits, dots, dashes or underscores. Shown publicly."),
        render_kw={"autocomplete": "username", "maxlength": 30},
    )
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address."))],
        description=_l("Never shown to other members. We send a link to confirm it."),
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l(
            "At least %(n)d characters; a short sentence is easy to remember and hard to guess.",
            n=MIN_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address."))],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address."))],
        render_kw={"autocomplete": "email"},
    )


class ResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l("At least %(n)d characters.", n=MIN_LENGTH),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class ProfileForm(FlaskForm):
    display_name = StringField(
        _l("Display name"),
        validators=[Optional(), Length(max=60)],
        description=_l(
            "How your name appears next to your posts. Leave empty to use your username."
        ),
    )
    bio = TextAreaField(
        _l("About you"),
        validators=[Optional()],
        description=_l(
            "Markdown: **bold**, *italic*, [links](https://example.com). 2,000 characters at most."
        ),
        render_kw={"rows": 6},
    )


class EmailForm(FlaskForm):
    email = EmailField(
        _l("New email"),
        validators=[DataRequired(_l("Enter your email address."))],
        render_kw={"autocomplete": "email"},
    )
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )


class PasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(_l("Choose a password."))],
        description=_l(
            "At least %(n)d characters. Other devices will be logged out.", n=MIN_LENGTH
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[EqualTo("new_password", _l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"),
        choices=choices([("", _l("Follow my browser")), ("en", "English"), ("fr", "Français")]),
    )


class InterestsForm(FlaskForm):
    interests = SelectMultipleField(
        _l("Interests"),
        coerce=int,
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,
    )


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"))


class InterestAdminForm(FlaskForm):
    kind = SelectField(
        _l("Kind"), choices=choices([("product", _l("Product")), ("theme", _l("Theme"))])
    )
    slug = StringField(_l("Slug"), validators=[DataRequired(_l("A slug is required."))])
    name_en = StringField(
        _l("Name (English)"), validators=[DataRequired(_l("A name is required."))]
    )
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(_l("A name is required."))])
    description_en = StringField(_l("Description (English)"), validators=[Optional()])
    description_fr = StringField(_l("Description (French)"), validators=[Optional()])
    position = IntegerField(_l("Position"), validators=[Optional()])
    active = BooleanField(_l("Offered to members"), default=True)
