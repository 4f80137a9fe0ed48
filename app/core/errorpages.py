"""Error pages in the site's look, and the mapping of service errors to HTTP statuses.

API paths and clients that ask for JSON get RFC 9457 problem details instead:
`{"type": "about:blank", "title": "Not Found", "status": 404, "detail": "..."}`. With
`about:blank` the title is the HTTP status phrase (RFC 9457, section 4.2.1), the same in
every language; the detail is for a person and follows the request's language.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from app.core.errors import NotFound, PermissionDenied

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    429: "errors/429.html",
    500: "errors/500.html",
}
JSON_TYPES = ("application/json", "application/problem+json")


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best in JSON_TYPES


def _detail(status: int, message: str | None, csrf: bool) -> str | None:
    """What went wrong, for a person: the service's own message, else the page's heading."""
    if message:
        return str(message)
    if status == 400:
        return _("This form has expired") if csrf else _("We could not understand this request")
    if status == 403:
        return _("You do not have access to this page")
    if status == 404:
        return _("We could not find this page")
    if status == 429:
        return _("Too many attempts — please wait a moment")
    if status == 500:
        return _("Something went wrong on our side")
    return None


def problem(status: int, detail: str | None = None) -> Response:
    """An RFC 9457 problem details response (`status` kept for older clients too)."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Unknown Error"),
        "status": status,
    }
    if detail:
        body["detail"] = detail
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def _render(status: int, error: Exception | None = None, **context: Any) -> Response:
    if wants_json():
        detail = _detail(status, context.get("message"), bool(context.get("csrf")))
        response = problem(status, detail)
    else:
        template = PAGES.get(status, "errors/500.html")
        response = Response(render_template(template, status=status, **context), status)
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        # A 405 must say what is allowed (RFC 9110, section 15.5.6).
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def init_app(app: Flask) -> None:
    for status in (400, 403, 404, 405, 500):
        app.register_error_handler(status, lambda e, s=status: _render(s, e))
    app.register_error_handler(429, lambda e: _render(429, e, limit=getattr(e, "description", "")))
    app.register_error_handler(PermissionDenied, lambda e: _render(403, e, message=e.message))
    app.register_error_handler(NotFound, lambda e: _render(404, e, message=e.message))
    app.register_error_handler(CSRFError, lambda e: _render(400, e, csrf=True))
