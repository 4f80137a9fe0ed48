"""Form helpers shared by every area: service errors shown beside their fields."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice

from app.core.errors import Invalid


def apply_errors(form: FlaskForm, exc: Invalid) -> None:
    """Put each service message beside its field; others go to the form's own errors."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            form.form_errors.append(message)


def choices(pairs: Iterable[tuple[object, object]]) -> list[SelectChoice]:
    """Select options from (value, label) pairs, in the form WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]
