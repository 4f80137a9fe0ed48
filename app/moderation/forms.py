"""Member-facing moderation forms: shape only (the rules are the services')."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField

from app.moderation.flags import COMMENT_MAX, REASON_LABELS


class FlagForm(FlaskForm):
    reason = RadioField(
        _l("Why should the community team look at this post?"),
        choices=list(REASON_LABELS.items()),
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("What is wrong? (required for “something else”)"),
        description=_l("Only the community team reads this."),
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )
