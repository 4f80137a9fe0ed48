"""Security headers on every page, error pages included; safe redirect targets."""

from __future__ import annotations

import pytest

from app.core.security import is_safe_redirect
from tests.factories import PASSWORD, MemberFactory


def _csp(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", ["/", "/auth/login", "/no-such-page"])
def test_script_policy_allows_no_inline_script(client, path: str) -> None:
    csp = _csp(client.get(path))
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]


@pytest.mark.parametrize("path", ["/", "/no-such-page"])
def test_pages_may_only_be_framed_by_the_site(client, path: str) -> None:
    response = client.get(path)
    assert _csp(response)["frame-ancestors"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("path", ["/", "/no-such-page"])
def test_plugins_are_blocked_by_the_policy(client, path: str) -> None:
    assert _csp(client.get(path))["object-src"] == ["'none'"]


@pytest.mark.parametrize("path", ["/", "/no-such-page", "/healthz"])
def test_content_types_are_not_sniffed(client, path: str) -> None:
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_referrer_is_trimmed_for_other_sites(client) -> None:
    assert client.get("/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_forbidden_page_carries_the_headers(client, login_as) -> None:
    login_as("member")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "'unsafe-inline'" not in _csp(response)["script-src"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_http_only_and_same_site(client) -> None:
    member = MemberFactory()
    response = client.post("/auth/login", data={"email": member.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


@pytest.mark.parametrize("target", ["/", "/members/anna?tab=posts", "/settings/profile"])
def test_local_paths_are_safe_redirects(target: str) -> None:
    assert is_safe_redirect(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "settings",
    ],
)
def test_other_hosts_and_schemes_are_not_safe_redirects(target: str | None) -> None:
    assert not is_safe_redirect(target)
