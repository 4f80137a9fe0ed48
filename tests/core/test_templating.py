"""The per-request caches behind the hot template helpers (app.core.templating)."""

from __future__ import annotations

from flask import Flask

from app.core.templating import cached_gettext, fresh_caches, request_cache


def test_a_request_cache_is_kept_for_the_whole_request(app: Flask) -> None:
    with app.test_request_context():
        request_cache("test.cache")["key"] = "value"
        assert request_cache("test.cache") == {"key": "value"}
        assert request_cache("test.other") == {}


def test_the_next_request_starts_with_an_empty_cache(app: Flask) -> None:
    with app.test_request_context():
        request_cache("test.cache")["key"] = "value"
        assert request_cache("test.cache") == {"key": "value"}
    with app.test_request_context():
        assert request_cache("test.cache") == {}


def test_nothing_is_cached_outside_a_request(app: Flask) -> None:
    # The worker and the CLI keep one app context for many jobs: a cache there would last.
    with app.app_context():
        request_cache("test.cache")["key"] = "value"
        assert request_cache("test.cache") == {}


def test_fresh_caches_hides_the_requests_caches_then_restores_them(app: Flask) -> None:
    with app.test_request_context():
        request_cache("cercle.gettext")["Log in"] = "outer"
        with fresh_caches():
            assert request_cache("cercle.gettext") == {}
            request_cache("cercle.gettext")["Log in"] = "inner"
        assert request_cache("cercle.gettext") == {"Log in": "outer"}


def test_translations_follow_the_language_inside_fresh_caches(app: Flask) -> None:
    from flask_babel import force_locale

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert cached_gettext("Log in") == "Log in"
        with fresh_caches(), force_locale("fr"):
            assert cached_gettext("Log in") == "Se connecter"
        assert cached_gettext("Log in") == "Log in"
