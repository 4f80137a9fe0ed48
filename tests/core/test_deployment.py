"""Deployment settings: Secure cookies over HTTPS, the client's address behind proxies,
and the allow-list of image hosts (read from the environment when the app is built)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import build_config, image_hosts
from tests.conftest import make_test_app
from tests.factories import PASSWORD, MemberFactory
from tests.html import Document, parse

PROXY = "10.0.0.1"
# Small limits so throttling shows after a few requests; per account it never does here.
LIMITS = {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_ACCOUNT_RATE_LIMIT": "1000 per minute"}


def app_built_with(base: Flask, env: dict[str, str], **overrides: object) -> Flask:
    """Another app on the test database, built while `env` is in the environment."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        return make_test_app(base.config["SQLALCHEMY_DATABASE_URI"], **overrides)


@pytest.fixture(scope="module")
def secure_app(app: Flask) -> Flask:
    return app_built_with(app, {"SECURE_COOKIES": "1"})


@pytest.fixture(scope="module")
def proxied_app(app: Flask) -> Flask:
    return app_built_with(app, {"PROXY_FIX_X_FOR": "1", "PROXY_FIX_X_PROTO": "1"}, **LIMITS)


def clear_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECURE_COOKIES", "SESSION_COOKIE_SECURE", "POST_IMAGE_HOSTS"):
        monkeypatch.delenv(name, raising=False)
    for name in ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def config_from(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator:
    """`config_from(NAME="value", ...)`: the settings built from exactly this environment."""
    clear_env(monkeypatch)
    monkeypatch.setenv("SECRET_KEY", "x")

    def _build(**env: str) -> dict[str, object]:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return build_config(tmp_path)

    yield _build


# --- Secure cookies ----------------------------------------------------------------------


def test_cookies_are_not_secure_by_default(config_from) -> None:
    config = config_from()
    assert config["SECURE_COOKIES"] is False
    assert "SESSION_COOKIE_SECURE" not in config
    assert "REMEMBER_COOKIE_SECURE" not in config


@pytest.mark.parametrize("variable", ["SECURE_COOKIES", "SESSION_COOKIE_SECURE"])
def test_one_setting_makes_both_cookies_secure(config_from, variable: str) -> None:
    config = config_from(**{variable: "1"})
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["REMEMBER_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert config["REMEMBER_COOKIE_NAME"] == "__Host-remember_token"


def _set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}


def test_over_https_log_in_sets_both_cookies_secure(secure_app: Flask) -> None:
    member = MemberFactory()
    response = secure_app.test_client().post(
        "/auth/login",
        data={"email": member.email, "password": PASSWORD, "remember": "y"},
        base_url="https://club.test",
    )
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert set(cookies) == {"__Host-session", "__Host-remember_token"}
    for cookie in cookies.values():
        attributes = [part.strip() for part in cookie.split(";")]
        assert "Secure" in attributes, cookie
        assert "HttpOnly" in attributes, cookie
        assert "Path=/" in attributes, cookie
        assert not any(a.lower().startswith("domain=") for a in attributes), cookie
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_without_the_setting_log_in_cookies_are_not_secure(app: Flask, client) -> None:
    member = MemberFactory()
    response = client.post(
        "/auth/login", data={"email": member.email, "password": PASSWORD, "remember": "y"}
    )
    assert response.status_code == 302
    cookies = _set_cookies(response)
    assert set(cookies) == {"session", "remember_token"}
    for cookie in cookies.values():
        assert "Secure" not in [part.strip() for part in cookie.split(";")], cookie
    assert "Strict-Transport-Security" not in response.headers


# --- Behind a reverse proxy --------------------------------------------------------------


def login_statuses(client: FlaskClient, forwarded_for: list[str | None]) -> list[int]:
    """One failed log-in per entry, all arriving from the proxy's address."""
    codes = []
    for value in forwarded_for:
        headers = {"X-Forwarded-For": value} if value else {}
        response = client.post(
            "/auth/login", data={}, headers=headers, environ_base={"REMOTE_ADDR": PROXY}
        )
        codes.append(response.status_code)
    return codes


def test_behind_a_proxy_each_client_has_its_own_limit(proxied_app: Flask) -> None:
    clients = [f"203.0.113.{i}" for i in range(6)]
    assert login_statuses(proxied_app.test_client(), clients) == [400] * 6


def test_behind_a_proxy_one_client_is_throttled_and_not_the_others(proxied_app: Flask) -> None:
    client = proxied_app.test_client()
    assert login_statuses(client, ["203.0.113.7"] * 5) == [400, 400, 400, 429, 429]
    assert login_statuses(client, ["203.0.113.8"]) == [400]


def test_behind_a_proxy_a_client_cannot_pass_for_another(proxied_app: Flask) -> None:
    # The client sends its own X-Forwarded-For; the proxy appends the address it saw.
    client = proxied_app.test_client()
    spoofed = [f"198.51.100.{i}, 203.0.113.7" for i in range(5)]
    assert login_statuses(client, spoofed) == [400, 400, 400, 429, 429]
    assert login_statuses(client, ["198.51.100.1, 203.0.113.8"]) == [400]


def test_without_the_proxy_setting_the_forwarded_header_is_ignored(
    app: Flask, client, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in LIMITS.items():
        monkeypatch.setitem(app.config, name, value)
    assert not isinstance(app.wsgi_app, ProxyFix)
    clients = [f"203.0.113.{i}" for i in range(5)]
    assert login_statuses(client, clients) == [400, 400, 400, 429, 429]


def test_proxy_settings_are_passed_to_proxy_fix(proxied_app: Flask) -> None:
    middleware = proxied_app.wsgi_app
    assert isinstance(middleware, ProxyFix)
    assert (middleware.x_for, middleware.x_proto, middleware.x_host) == (1, 1, 0)


@pytest.mark.parametrize("value", ["yes", "-1", "1.5"])
def test_a_proxy_setting_must_be_a_count(config_from, value: str) -> None:
    with pytest.raises(ValueError, match="PROXY_FIX_X_FOR"):
        config_from(PROXY_FIX_X_FOR=value)


# --- Image hosts -------------------------------------------------------------------------


def test_no_image_host_is_allowed_by_default(config_from) -> None:
    assert config_from()["POST_IMAGE_HOSTS"] == ()


def test_image_hosts_are_read_as_a_list_of_hosts(config_from) -> None:
    config = config_from(POST_IMAGE_HOSTS="cdn.example.com, https://Img.Example.org/ a.b:8443")
    assert config["POST_IMAGE_HOSTS"] == ("cdn.example.com", "img.example.org", "a.b:8443")


@pytest.mark.parametrize(
    "value",
    ["*", "cdn.example.com;script-src", "'unsafe-inline'", "user@cdn.example.com", "a..b"],
)
def test_an_image_host_that_is_not_a_host_name_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="POST_IMAGE_HOSTS"):
        image_hosts(value)


TENT = "https://photos.example.net/tent.jpg"


def profile_with_bio(client: FlaskClient, bio: str) -> Document:
    """The profile page of a new member with this bio, checked to show the bio."""
    member = MemberFactory(bio=bio)
    response = client.get(f"/members/{member.username}")
    assert response.status_code == 200
    doc = parse(response.data)
    assert "My tent:" in doc.find("div", class_="prose")[0].text
    return doc


def test_an_image_from_another_host_shows_as_a_link_on_the_page(client) -> None:
    doc = profile_with_bio(client, f"My tent: ![green tent]({TENT})")
    assert [(a.text, a.parents[-1]) for a in doc.find("a", href=TENT)] == [("green tent", "p")]
    assert doc.find("img", src=TENT) == []


def test_an_image_from_an_allowed_host_shows_as_an_image(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "POST_IMAGE_HOSTS", ("photos.example.net",))
    doc = profile_with_bio(client, f"My tent: ![green tent]({TENT})")
    assert [img.attrs["alt"] for img in doc.find("img", src=TENT)] == ["green tent"]
    assert doc.find("a", href=TENT) == []
