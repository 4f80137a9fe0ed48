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


# A page, the log-in form, an error page and the JSON probe, with the status each answers:
# the headers must be on every kind of response, so each is checked to be what it claims.
PAGES = {"/": 200, "/auth/login": 200, "/no-such-page": 404, "/healthz": 200}


def get(client, path: str):  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == PAGES[path], f"{path} answered {response.status_code}"
    return response


@pytest.mark.parametrize("path", PAGES)
def test_script_policy_allows_only_the_sites_own_files(client, path: str) -> None:
    assert _csp(get(client, path))["script-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/", "/no-such-page"])
def test_pages_may_only_be_framed_by_the_site(client, path: str) -> None:
    response = get(client, path)
    assert _csp(response)["frame-ancestors"] == ["'self'"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("path", ["/", "/no-such-page"])
def test_plugins_are_blocked_by_the_policy(client, path: str) -> None:
    assert _csp(get(client, path))["object-src"] == ["'none'"]


@pytest.mark.parametrize("path", PAGES)
def test_scripts_connect_only_to_the_site_itself(client, path: str) -> None:
    # 'self' covers ws:/wss: to this host in CSP level 3 browsers (docs/decisions.md).
    assert _csp(get(client, path))["connect-src"] == ["'self'"]


@pytest.mark.parametrize("path", PAGES)
def test_images_load_only_from_the_site_by_default(client, path: str) -> None:
    assert _csp(get(client, path))["img-src"] == ["'self'", "data:"]


def test_allowed_image_hosts_are_added_to_the_image_policy(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "POST_IMAGE_HOSTS", ("cdn.example.com", "img.example.org"))
    csp = _csp(get(client, "/"))
    assert csp["img-src"] == ["'self'", "data:", "cdn.example.com", "img.example.org"]
    assert csp["connect-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"]


@pytest.mark.parametrize("path", PAGES)
def test_content_types_are_not_sniffed(client, path: str) -> None:
    assert get(client, path).headers["X-Content-Type-Options"] == "nosniff"


def test_referrer_is_trimmed_for_other_sites(client) -> None:
    assert get(client, "/").headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_hsts_is_sent_only_when_cookies_are_secure(app, client, monkeypatch) -> None:
    assert "Strict-Transport-Security" not in get(client, "/").headers
    monkeypatch.setitem(app.config, "SESSION_COOKIE_SECURE", True)
    assert get(client, "/").headers["Strict-Transport-Security"] == "max-age=31536000"


def test_forbidden_page_carries_the_headers(client, login_as) -> None:
    login_as("member")
    response = client.get("/admin/")
    assert response.status_code == 403
    assert _csp(response)["script-src"] == ["'self'"]
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
