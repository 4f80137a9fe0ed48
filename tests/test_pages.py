"""Every foundation page, for every kind of visitor, in English and in French.

Each page answers 200 to those allowed to see it, a log-in redirect to anonymous visitors
where an account is needed, and 403 to members without the role. A test below checks that
every route of the foundation's view modules is in this table, so a new page cannot be
forgotten.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.members import tokens
from app.notifications.models import OutboxMessage
from tests.factories import InterestFactory, MemberFactory
from tests.html import parse

# The foundation's view modules (forum pages, and the forums' admin pages, are tested with
# the forums).
FOUNDATION_MODULES = {
    "app.core.routes",
    "app.personalisation.routes",
    "app.members.auth",
    "app.members.routes",
    "app.admin.routes",
    "app.admin.events",
    "app.members.language",
}
ROLES = ["anonymous", "member", "other_member", "moderator", "product", "admin"]
LANGUAGES = ["en", "fr"]

# What each kind of visitor gets: 200, "login" (redirect to the log-in page), "home"
# (redirect to the home page), or 403.
PUBLIC = dict.fromkeys(ROLES, 200)
SIGNED_IN = {**dict.fromkeys(ROLES, 200), "anonymous": "login"}
ADMIN_ONLY = {
    "anonymous": "login",
    "member": 403,
    "other_member": 403,
    "moderator": 403,
    "product": 403,
    "admin": 200,
}
ANONYMOUS_ONLY = {**dict.fromkeys(ROLES, "home"), "anonymous": 200}

# endpoint -> (path template, expected by role)
PAGES = {
    "personalisation.home": ("/", PUBLIC),
    "members.profile": ("/members/{username}", PUBLIC),
    "auth.login": ("/auth/login", ANONYMOUS_ONLY),
    "auth.register": ("/auth/register", ANONYMOUS_ONLY),
    "auth.reset": ("/auth/reset", PUBLIC),
    "auth.reset_with_token": ("/auth/reset/{reset_token}", PUBLIC),
    "auth.verify": ("/auth/verify/{verify_token}", dict.fromkeys(ROLES, "home")),
    "members.settings_index": (
        "/settings/",
        {**dict.fromkeys(ROLES, "profile"), "anonymous": "login"},
    ),
    "members.settings_profile": ("/settings/profile", SIGNED_IN),
    "members.settings_account": ("/settings/account", SIGNED_IN),
    "members.settings_interests": ("/settings/interests", SIGNED_IN),
    "admin.dashboard": ("/admin/", ADMIN_ONLY),
    "admin.members": ("/admin/members", ADMIN_ONLY),
    "admin.taxonomy_index": ("/admin/taxonomy", ADMIN_ONLY),
    "admin.taxonomy_edit": ("/admin/taxonomy/{interest_id}", ADMIN_ONLY),
    "admin.outbox": ("/admin/outbox", ADMIN_ONLY),
    "admin.outbox_message": ("/admin/outbox/{message_id}", ADMIN_ONLY),
    "admin.outbox_message_html": ("/admin/outbox/{message_id}/html", ADMIN_ONLY),
    "admin.events": ("/admin/events", ADMIN_ONLY),
    "core.healthz": ("/healthz", PUBLIC),
}
# POST-only foundation routes: exercised by the form, CSRF and throttling tests.
POST_ONLY = {
    "members.set_language",
    "auth.logout",
    "auth.resend_verification",
    "admin.change_role",
    "admin.outbox_retry",
    "admin.replay_event",
    "admin.replay_all_events",
    "admin.retry_subscriber",
}


@dataclass
class World:
    username: str
    reset_token: str
    verify_token: str
    interest_id: int
    message_id: int


@pytest.fixture
def world(db) -> World:  # type: ignore[no-untyped-def]
    """A profile to look at, live tokens, a taxonomy entry and an outbox message."""
    from app.members import services

    owner = MemberFactory(username="profile.owner", bio="I like **tents**.")
    unverified = MemberFactory(email_verified_at=None)
    interest = InterestFactory()
    owner.interests.append(interest)
    db.session.flush()
    services.request_password_reset(owner.email)
    message_id = db.session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id.desc()))
    return World(
        username=owner.username,
        reset_token=tokens.make_token(owner, tokens.RESET),
        verify_token=tokens.make_token(unverified, tokens.VERIFY),
        interest_id=interest.id,
        message_id=message_id,
    )


def visit(client, login_as, role: str, path: str, language: str, world: World):  # type: ignore[no-untyped-def]
    if role == "other_member":
        login_as("member")
    elif role == "member":
        login_as("member", member=None, username="visitor")
    elif role != "anonymous":
        login_as(role)
    return client.get(path.format(**vars(world)), headers={"Accept-Language": language})


CASES = [
    pytest.param(endpoint, role, language, id=f"{endpoint}-{role}-{language}")
    for endpoint in PAGES
    for role in ROLES
    for language in LANGUAGES
]


@pytest.mark.parametrize(("endpoint", "role", "language"), CASES)
def test_page_answers_each_visitor_in_each_language(
    client, login_as, world, endpoint: str, role: str, language: str
) -> None:
    path, expected_by_role = PAGES[endpoint]
    expected = expected_by_role[role]
    response = visit(client, login_as, role, path, language, world)
    if expected == "login":
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.path == "/auth/login"
        assert "next=" in location.query
    elif expected == "home":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/"
    elif expected == "profile":
        assert response.status_code == 302
        assert urlsplit(response.headers["Location"]).path == "/settings/profile"
    else:
        assert response.status_code == expected
        if response.mimetype == "text/html" and endpoint != "admin.outbox_message_html":
            assert parse(response.data).find("html")[0].attrs["lang"] == language


def test_every_foundation_page_is_in_the_table(app) -> None:
    modules = {
        rule.endpoint: app.view_functions[rule.endpoint].__module__
        for rule in app.url_map.iter_rules()
    }
    endpoints = {endpoint for endpoint, module in modules.items() if module in FOUNDATION_MODULES}
    # Each module is really found (a renamed module would leave nothing to compare)...
    assert set(modules.values()) >= FOUNDATION_MODULES
    # ...and the table lists exactly its routes: none forgotten, none that no longer exists.
    assert endpoints == set(PAGES) | POST_ONLY


def test_french_pages_show_french_text(client, login_as, world) -> None:
    login_as("member", locale="fr")
    assert "Paramètres" in parse(client.get("/settings/profile").data).text


def test_outbox_html_part_is_sandboxed(client, login_as, world) -> None:
    login_as("admin")
    response = client.get(f"/admin/outbox/{world.message_id}/html")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"].startswith("sandbox")
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_missing_outbox_message_is_404(client, login_as, world) -> None:
    login_as("admin")
    assert client.get(f"/admin/outbox/{world.message_id}").status_code == 200
    assert client.get(f"/admin/taxonomy/{world.interest_id}").status_code == 200
    assert client.get("/admin/outbox/987654").status_code == 404
    assert client.get("/admin/taxonomy/987654").status_code == 404


def test_verification_link_confirms_and_says_so(client, db) -> None:
    member = MemberFactory(email_verified_at=None, email="late@example.com")
    response = client.get(
        f"/auth/verify/{tokens.make_token(member, tokens.VERIFY)}", follow_redirects=True
    )
    assert response.status_code == 200
    assert "late@example.com is confirmed" in parse(response.data).text


def test_used_verification_link_shows_why_it_failed(client, db) -> None:
    member = MemberFactory(email_verified_at=None)
    token = tokens.make_token(member, tokens.VERIFY)
    assert client.get(f"/auth/verify/{token}").status_code == 302
    response = client.get(f"/auth/verify/{token}")
    assert response.status_code == 400
    assert "not valid or has already been used" in parse(response.data).text
