"""The fast template gettext keeps Jinja's newstyle semantics; relative times are cached by
what they say, not by the minute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from markupsafe import Markup

from app.core.templating import _timedelta_bucket, timeago
from app.core.time import utcnow


@pytest.fixture
def render(app):  # type: ignore[no-untyped-def]
    def _render(source: str, autoescape: bool = True, **values) -> str:  # type: ignore[no-untyped-def]
        with app.test_request_context(headers={"Accept-Language": "fr"}):
            env = app.jinja_env.overlay(autoescape=autoescape)
            return env.from_string(source).render(**values)

    return _render


def test_values_are_escaped_in_html(render) -> None:  # type: ignore[no-untyped-def]
    out = render("{{ _('by %(name)s', name=n) }}", n="<b>Zoé</b>")
    assert out == "par &lt;b&gt;Zoé&lt;/b&gt;"


def test_values_are_not_escaped_in_plain_text(render) -> None:  # type: ignore[no-untyped-def]
    assert render("{{ _('by %(name)s', name=n) }}", autoescape=False, n="A & B") == "par A & B"


def test_a_percent_sign_is_a_format_even_without_values(render) -> None:  # type: ignore[no-untyped-def]
    assert render("{{ _('100%% sure') }}") == "100% sure"


def test_a_translation_is_markup_in_html(render, app) -> None:  # type: ignore[no-untyped-def]
    with app.test_request_context():
        from app.core.templating import template_gettext

        class Ctx:
            autoescape = True

        assert isinstance(template_gettext(Ctx(), "Log in"), Markup)


def test_ngettext_passes_num(render) -> None:  # type: ignore[no-untyped-def]
    source = "{{ ngettext('%(num)d new post', '%(num)d new posts', n) }}"
    assert render(source, n=1) == "1 nouveau message" or "1" in render(source, n=1)
    assert render(source, n=3).startswith("3 ")


def test_repeated_calls_give_the_same_text(render) -> None:  # type: ignore[no-untyped-def]
    assert render("{{ _('Log in') }}|{{ _('Log in') }}") == "Se connecter|Se connecter"


@pytest.mark.parametrize(
    ("seconds", "bucket"),
    [
        (-120, ("minute", 2, True)),
        (-3600 * 5, ("hour", 5, True)),
        (-3600 * 23, ("day", 1, True)),
        (-86400 * 40, ("month", 1, True)),
        (-86400 * 400, ("year", 1, True)),
    ],
)
def test_buckets_follow_babels_rounding(seconds, bucket) -> None:  # type: ignore[no-untyped-def]
    assert _timedelta_bucket(seconds) == bucket


def test_timeago_texts_match_babel_for_many_ages(app) -> None:
    from flask_babel import format_timedelta

    now = utcnow()
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        for minutes in [2, 3, 44, 45, 59, 61, 89, 90, 600, 1300, 1500, 9000, 50000, 400000]:
            expected = format_timedelta(-minutes * 60, add_direction=True, granularity="minute")
            # a fresh cache per age, then the cached text for the same bucket
            assert timeago(now - timedelta(minutes=minutes, seconds=5)) == expected
            assert timeago(now - timedelta(minutes=minutes, seconds=20)) == expected


@pytest.mark.parametrize(
    ("endpoint", "values"),
    [
        ("community.topic", {"topic_id": 12, "slug": "a-slug-1", "page": 3}),
        ("community.topic", {"topic_id": 12, "slug": "a-slug-1", "page": None}),
        ("community.post_permalink", {"topic_id": 5, "slug": "x", "post_number": 40}),
        ("community.category", {"slug": "tents"}),
        ("community.latest", {"page": 2}),
        ("members.profile", {"username": "anna_hikes"}),
        ("community.category", {"slug": "tentes été"}),  # not URL-safe: url_for itself
        ("community.topic", {"topic_id": 1, "slug": "s", "page": -1}),
    ],
)
def test_fast_url_gives_url_fors_answer(app, endpoint, values) -> None:  # type: ignore[no-untyped-def]
    from flask import url_for

    from app.core.templating import fast_url

    with app.test_request_context():
        for _ in range(2):  # built, then from the format
            assert fast_url(endpoint, **values) == url_for(endpoint, **values)
