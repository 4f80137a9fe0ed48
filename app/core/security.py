"""Security headers on every response, the reverse-proxy fix, and safe-redirect helpers."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Request, Response
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.utils import cached_property


def _without_nul(data: MultiDict) -> MultiDict:
    """The same fields with NUL characters removed (a copy only when one is there)."""
    items = list(data.items(multi=True))
    if not any(isinstance(v, str) and "\x00" in v for _k, v in items):
        return data
    return ImmutableMultiDict(
        (k.replace("\x00", ""), v.replace("\x00", "") if isinstance(v, str) else v)
        for k, v in items
    )


class CercleRequest(Request):
    """NUL characters never reach a view: no browser sends one in a field, PostgreSQL
    refuses them in text (a 500 from any search or form), and SQLite would store them."""

    @cached_property
    def args(self) -> MultiDict:  # type: ignore[override]
        return _without_nul(super().args)

    def _load_form_data(self) -> None:
        super()._load_form_data()
        form = self.__dict__.get("form")
        if form is not None:
            self.__dict__["form"] = _without_nul(form)


@lru_cache(maxsize=8)
def content_security_policy(image_hosts: tuple[str, ...] = ()) -> str:
    """The policy, with the hosts posts may show images from (POST_IMAGE_HOSTS).

    `connect-src 'self'` also allows WebSockets to this host: CSP level 3 matches ws:/wss:
    on 'self' (Chrome 71, Firefox 2018, Safari 16). Older Safari refuses the WebSocket
    and Socket.IO stays on HTTP long-polling, which 'self' always allows.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # Posts show other hosts' images only from the allow-list (app.core.markup);
            # this keeps a stored <img> from before the rule from loading anyway.
            " ".join(["img-src 'self' data:", *image_hosts]),
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'self'",
        ]
    )


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    app.request_class = CercleRequest
    configure_proxy_fix(app)

    @app.after_request
    def _headers(response: Response) -> Response:
        # setdefault: a view may set a stricter policy of its own (the outbox's sandbox).
        response.headers.setdefault(
            "Content-Security-Policy",
            content_security_policy(tuple(app.config.get("POST_IMAGE_HOSTS") or ())),
        )
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


def configure_proxy_fix(app: Flask) -> None:
    """Behind reverse proxies, read the client's address, scheme and host from the
    X-Forwarded-* headers the proxies set, so the rate limiter keys on the real client and
    external URLs use https.

    Each setting is how many proxies set that header (0, the default, trusts none): the
    values left of those are whatever the client sent, and must never be believed.
    """
    counts = {
        "x_for": int(app.config.get("PROXY_FIX_X_FOR") or 0),
        "x_proto": int(app.config.get("PROXY_FIX_X_PROTO") or 0),
        "x_host": int(app.config.get("PROXY_FIX_X_HOST") or 0),
    }
    if any(counts.values()):
        app.wsgi_app = ProxyFix(app.wsgi_app, **counts)  # type: ignore[method-assign]


def is_safe_redirect(target: str | None) -> bool:
    """True for a local path (`/x`), never for another host or a scheme-relative URL."""
    if not target:
        return False
    parts = urlsplit(target)
    return (
        not parts.scheme
        and not parts.netloc
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
    )


def is_same_origin_request() -> bool:
    """False for a request a browser says came from another site (Fetch metadata, else
    Origin): the session-free defence against cross-site forms (OWASP's CSRF sheet, Go's
    CrossOriginProtection). A request with neither header is not from a browser's form."""
    from flask import request

    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site in {"same-origin", "none"}
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.scheme == request.scheme and parts.netloc == request.host
