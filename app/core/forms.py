"""Form helpers shared by every area: service errors shown beside their fields."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.core.errors import Invalid


def apply_errors(form: FlaskForm, exc: Invalid) -> None:
    """Put each service message beside its field; others go to the form's own errors."""
    for name, message in exc.errors.items():
        field = getattr(form, name, None)
        if field is not None and hasattr(field, "errors"):
            field.errors = [*list(field.errors or []), message]
        else:
            form.form_errors.append(message)
