"""Error pages in the site's look, and the mapping of service errors to HTTP statuses."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError

from app.core.errors import NotFound, PermissionDenied

PAGES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    405: "errors/404.html",
    429: "errors/429.html",
    500: "errors/500.html",
}


def _render(status: int, **context):  # type: ignore[no-untyped-def]
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify({"status": status, "title": context.get("title", "")}), status
    return render_template(PAGES.get(status, "errors/500.html"), status=status, **context), status


def init_app(app: Flask) -> None:
    for status in (400, 403, 404, 405, 500):
        app.register_error_handler(status, lambda e, s=status: _render(s))
    app.register_error_handler(429, lambda e: _render(429, limit=getattr(e, "description", "")))
    app.register_error_handler(PermissionDenied, lambda e: _render(403, message=e.message))
    app.register_error_handler(NotFound, lambda e: _render(404, message=e.message))
    app.register_error_handler(CSRFError, lambda e: _render(400, csrf=True))
