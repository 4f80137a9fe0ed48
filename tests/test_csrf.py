"""Every state-changing route refuses a POST without a CSRF token, and changes nothing.

The routes are discovered from the URL map, so routes added later by any area are covered
without editing this file.
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter, PathConverter, Rule, UnicodeConverter

from app.extensions import db
from tests.factories import InterestFactory, MemberFactory
from tests.html import parse

# A request body that would be valid for many forms, so that only the missing token stops it.
PLAUSIBLE_FORM = {
    "locale": "fr",
    "role": "admin",
    "email": "changed@example.com",
    "password": "a long enough password",
    "username": "csrf_victim",
    "display_name": "Changed",
    "bio": "changed",
    "title": "A topic title long enough",
    "body": "A body long enough to be accepted by any rule.",
    "action": "language",
    "language-locale": "fr",
    "kind": "theme",
    "slug": "csrf-entry",
    "name_en": "CSRF",
    "name_fr": "CSRF",
}


def _post_rules(app: Flask) -> list[Rule]:
    return sorted(
        (r for r in app.url_map.iter_rules() if "POST" in (r.methods or set())),
        key=lambda r: r.rule,
    )


def _url(rule: Rule) -> str | None:
    """A URL matching the rule: ids are 1, other segments a plausible slug."""
    values: dict[str, object] = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, UnicodeConverter | PathConverter):
            values[name] = "general"
        else:
            return None
    return rule.build(values, append_unknown=False)[1]


def _row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _cases() -> list:  # type: ignore[type-arg]
    # Collected from a throwaway app so parametrisation does not need the session fixture.
    from tests.conftest import make_test_app

    app = make_test_app("sqlite://")
    return [pytest.param(rule.rule, id=rule.rule) for rule in _post_rules(app)]


POST_RULES = _cases()
# Forms every first-time visitor sees carry no token (a token writes a session): they
# refuse a cross-site request by its Fetch-metadata/Origin headers instead.
ORIGIN_CHECKED = frozenset({"/privacy/cookies"})


def test_some_post_routes_are_discovered() -> None:
    rules = {param.values[0] for param in POST_RULES}
    assert {"/auth/login", "/auth/register", "/language", "/settings/profile"} <= rules


@pytest.mark.parametrize("rule_path", POST_RULES)
def test_post_without_csrf_token_is_refused_and_changes_nothing(
    app, client, login_as, csrf_enabled, rule_path: str
) -> None:
    rule = next(r for r in _post_rules(app) if r.rule == rule_path)
    url = _url(rule)
    if url is None:
        pytest.skip(f"cannot fill the arguments of {rule.rule}")
    MemberFactory(role="admin")
    InterestFactory()
    login_as("admin")
    before = _row_counts()
    # The session-free forms (cookie banner) are guarded by the browser's Fetch metadata.
    headers = {"Sec-Fetch-Site": "cross-site"} if rule.rule in ORIGIN_CHECKED else {}
    response = client.post(url, data=PLAUSIBLE_FORM, headers=headers)
    assert response.status_code == 400, f"{rule.rule} answered {response.status_code}"
    assert _row_counts() == before


def test_missing_token_page_explains_what_to_do(client, csrf_enabled) -> None:
    response = client.post("/auth/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400
    assert "This form has expired" in parse(response.data).text


def page_lang(client) -> str:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code == 200
    return parse(response.data).find("html")[0].attrs["lang"]


def test_post_with_the_pages_token_is_accepted(client, login_as, csrf_enabled) -> None:
    login_as("member", locale=None)
    doc = parse(client.get("/").data)
    token = doc.find("input", name="csrf_token")[0].attrs["value"]
    response = client.post("/language", data={"locale": "fr", "csrf_token": token})
    assert response.status_code == 302
    assert page_lang(client) == "fr"


def test_language_switch_from_another_site_does_not_change_the_language(
    client, csrf_enabled
) -> None:
    """A visitor's switch has no token (it would write a session for every visitor): a
    cross-site form is refused by the headers the browser sets on it."""
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}):
        response = client.post("/language", data={"locale": "fr"}, headers=headers)
        assert response.status_code == 400
    assert page_lang(client) == "en"


def test_visitor_language_switch_from_the_site_needs_no_token(client, csrf_enabled) -> None:
    headers = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert client.post("/language", data={"locale": "fr"}, headers=headers).status_code == 302
    assert page_lang(client) == "fr"


def test_member_language_is_not_changed_by_a_forged_post(client, login_as, csrf_enabled) -> None:
    from app.members.models import Member

    member = login_as("member", locale="en")
    assert client.post("/language", data={"locale": "fr"}).status_code == 400
    assert db.session.get(Member, member.id).locale == "en"
