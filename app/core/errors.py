"""Typed service errors. Routes map them to 403/404/400 in one place."""

from __future__ import annotations


class ServiceError(Exception):
    """Base class of errors a service raises for a caller to show."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(ServiceError):
    """The actor may not do this (HTTP 403)."""


class NotFound(ServiceError):
    """The thing does not exist, or the actor may not know it exists (HTTP 404)."""


class Invalid(ServiceError):
    """The input breaks a rule. `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        if isinstance(errors, str):
            errors = {"_": errors}
        self.errors = errors
        super().__init__("; ".join(str(m) for m in errors.values()))
