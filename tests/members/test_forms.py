"""Forms: each error beside its field, the input kept, passwords never echoed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.members.models import Member
from tests.factories import PASSWORD, InterestFactory, MemberFactory
from tests.html import field_error, parse

SECRET = "do-not-echo-this-secret-123"


def post(client, path: str, data: dict, status: int = 400):  # type: ignore[no-untyped-def]
    response = client.post(path, data=data)
    assert response.status_code == status, response.data[:500]
    return parse(response.data)


# --- registration ------------------------------------------------------------------------


def test_register_shows_each_error_beside_its_field(client) -> None:
    doc = post(
        client, "/auth/register", {"username": "x!", "email": "not-an-email", "password": "short"}
    )
    assert "3 to 30 characters" in field_error(doc, "username")
    assert field_error(doc, "email") == "Enter a valid email address."
    assert field_error(doc, "password") == "Use at least 10 characters."


def test_register_keeps_what_was_typed_except_the_password(client) -> None:
    doc = post(client, "/auth/register", {"username": "x!", "email": "kept@", "password": SECRET})
    assert doc.field("username").attrs["value"] == "x!"
    assert doc.field("email").attrs["value"] == "kept@"
    assert doc.field("password").attrs.get("value", "") == ""
    again = client.post("/auth/register", data={"password": SECRET})
    assert again.status_code == 400
    assert field_error(parse(again.data), "username") == "Choose a username."
    assert SECRET not in again.get_data(as_text=True)


def test_register_requires_every_field(client) -> None:
    doc = post(client, "/auth/register", {})
    assert field_error(doc, "username") == "Choose a username."
    assert field_error(doc, "email") == "Enter your email address."
    assert field_error(doc, "password") == "Choose a password."


def test_register_refuses_a_username_taken_in_another_case(client) -> None:
    MemberFactory(username="Anna")
    doc = post(
        client, "/auth/register", {"username": "anna", "email": "a@example.com", "password": SECRET}
    )
    assert field_error(doc, "username") == "This username is taken."


def test_refused_registration_creates_no_account(client) -> None:
    before = db.session.scalar(select(func.count()).select_from(Member))
    post(client, "/auth/register", {"username": "fine_name", "email": "x", "password": SECRET})
    assert db.session.scalar(select(func.count()).select_from(Member)) == before


def test_registration_logs_in_and_asks_for_interests(client) -> None:
    response = client.post(
        "/auth/register",
        data={"username": "newbie", "email": "newbie@example.com", "password": SECRET},
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/settings/interests")
    page = parse(client.get(response.headers["Location"]).data)
    assert "Welcome to the club, newbie!" in page.text
    assert "Please confirm your email address" in page.text


# --- log in ------------------------------------------------------------------------------


def test_login_shows_missing_fields_beside_them(client) -> None:
    doc = post(client, "/auth/login", {})
    assert field_error(doc, "email") == "Enter your email address."
    assert field_error(doc, "password") == "Enter your password."


def test_failed_login_keeps_the_email_and_not_the_password(client) -> None:
    MemberFactory(email="kept@example.com")
    doc = post(client, "/auth/login", {"email": "kept@example.com", "password": SECRET})
    assert doc.field("email").attrs["value"] == "kept@example.com"
    assert SECRET not in doc.text
    assert doc.field("password").attrs.get("value", "") == ""


def test_failed_login_never_says_which_of_email_or_password_was_wrong(client) -> None:
    MemberFactory(email="real@example.com")
    wrong_password = post(client, "/auth/login", {"email": "real@example.com", "password": SECRET})
    unknown_email = post(client, "/auth/login", {"email": "ghost@example.com", "password": SECRET})
    messages = [
        [el.text for el in doc.find("div", class_="form-errors")]
        for doc in (wrong_password, unknown_email)
    ]
    assert messages[0] == messages[1] == ["Email or password is incorrect."]
    for doc in (wrong_password, unknown_email):
        assert not doc.has_id("email-error")
        assert not doc.has_id("password-error")


def test_login_goes_back_to_the_page_asked_for(client) -> None:
    member = MemberFactory()
    response = client.post(
        "/auth/login",
        data={"email": member.email, "password": PASSWORD, "next": "/settings/account"},
    )
    assert response.headers["Location"] == "/settings/account"


def test_login_never_redirects_to_another_site(client) -> None:
    member = MemberFactory()
    response = client.post(
        "/auth/login",
        data={"email": member.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_remember_me_sets_a_lasting_cookie(client) -> None:
    member = MemberFactory()
    response = client.post(
        "/auth/login", data={"email": member.email, "password": PASSWORD, "remember": "y"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith("remember_token="))
    assert "Expires=" in remember
    assert "HttpOnly" in remember


def test_logout_ends_the_session(client, login_as) -> None:
    login_as("member")
    assert client.get("/settings/profile").status_code == 200
    assert client.post("/auth/logout").status_code == 302
    response = client.get("/settings/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")


# --- password reset pages ----------------------------------------------------------------


def test_reset_request_needs_an_email(client) -> None:
    doc = post(client, "/auth/reset", {})
    assert field_error(doc, "email") == "Enter your email address."


def test_reset_request_answers_the_same_for_unknown_addresses(client) -> None:
    MemberFactory(email="real@example.com")
    known = client.post("/auth/reset", data={"email": "real@example.com"})
    unknown = client.post("/auth/reset", data={"email": "ghost@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert parse(known.data).find("h1")[0].text == parse(unknown.data).find("h1")[0].text


def _reset_link(client, member) -> str:  # type: ignore[no-untyped-def]
    from app.members import tokens

    return f"/auth/reset/{tokens.make_token(member, tokens.RESET)}"


def test_opening_the_reset_link_twice_does_not_spend_it(client) -> None:
    member = MemberFactory()
    link = _reset_link(client, member)
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    response = client.post(link, data={"password": SECRET, "confirm": SECRET})
    assert response.status_code == 302


def test_reset_link_cannot_be_used_twice(client) -> None:
    member = MemberFactory()
    link = _reset_link(client, member)
    assert client.post(link, data={"password": SECRET, "confirm": SECRET}).status_code == 302
    assert client.post("/auth/logout").status_code == 302
    response = client.post(link, data={"password": "another long secret", "confirm": "x"})
    assert response.status_code == 400
    assert "not valid or has already been used" in parse(response.data).text


def test_reset_logs_out_other_browsers(app, client) -> None:
    member = MemberFactory()
    other_browser = app.test_client()
    with other_browser.session_transaction() as sess:
        sess["_user_id"] = member.get_id()
    assert other_browser.get("/settings/profile").status_code == 200
    reset = client.post(_reset_link(client, member), data={"password": SECRET, "confirm": SECRET})
    assert reset.status_code == 302
    assert other_browser.get("/settings/profile").status_code == 302


def test_reset_form_shows_mismatch_beside_the_confirmation(client) -> None:
    doc = post(client, _reset_link(client, MemberFactory()), {"password": SECRET, "confirm": "x"})
    assert field_error(doc, "confirm") == "The two passwords differ."


def test_reset_form_shows_a_weak_password_beside_it(client) -> None:
    doc = post(
        client, _reset_link(client, MemberFactory()), {"password": "short", "confirm": "short"}
    )
    assert field_error(doc, "password") == "Use at least 10 characters."


# --- settings ----------------------------------------------------------------------------


def test_profile_settings_show_a_too_long_bio_beside_it_and_keep_it(client, login_as) -> None:
    login_as("member")
    bio = "word " * 500
    doc = post(client, "/settings/profile", {"display_name": "Kept Name", "bio": bio})
    assert field_error(doc, "bio").startswith("At most 2000 characters")
    assert doc.field("display_name").attrs["value"] == "Kept Name"
    assert doc.field("bio").text == bio.strip()


def test_profile_settings_save_and_show_on_the_profile(client, login_as) -> None:
    member = login_as("member")
    response = client.post("/settings/profile", data={"display_name": "Trail Fox", "bio": "Hi!"})
    assert response.status_code == 302
    text = parse(client.get(f"/members/{member.username}").data).text
    assert "Trail Fox" in text
    assert "Hi!" in text


def test_email_change_with_a_wrong_password_shows_it_beside_the_field(client, login_as) -> None:
    login_as("member")
    doc = post(
        client,
        "/settings/account",
        {"action": "email", "email-email": "new@example.com", "email-current_password": SECRET},
    )
    assert field_error(doc, "email-current_password") == "Your current password is incorrect."
    assert doc.field("email-email").attrs["value"] == "new@example.com"
    assert SECRET not in doc.text


def test_password_change_errors_are_shown_beside_their_fields(client, login_as) -> None:
    login_as("member")
    doc = post(
        client,
        "/settings/account",
        {
            "action": "password",
            "password-current_password": PASSWORD,
            "password-new_password": "short",
            "password-confirm": "short",
        },
    )
    assert field_error(doc, "password-new_password") == "Use at least 10 characters."


def test_password_change_keeps_this_browser_logged_in(client, login_as) -> None:
    login_as("member")
    response = client.post(
        "/settings/account",
        data={
            "action": "password",
            "password-current_password": PASSWORD,
            "password-new_password": SECRET,
            "password-confirm": SECRET,
        },
    )
    assert response.status_code == 302
    assert client.get("/settings/account").status_code == 200


def test_interests_are_saved_and_shown_on_the_profile(client, login_as) -> None:
    member = login_as("member")
    tents = InterestFactory(name_en="Tents")
    InterestFactory(name_en="Stoves")
    assert client.post("/settings/interests", data={"interests": [tents.id]}).status_code == 302
    doc = parse(client.get(f"/members/{member.username}").data)
    assert [el.text for el in doc.find("li", class_="tag")] == ["Tents"]


def test_unknown_interest_is_refused_with_a_message(client, login_as) -> None:
    login_as("member")
    doc = post(client, "/settings/interests", {"interests": ["987654"]})
    assert "no longer exist" in " ".join(el.text for el in doc.find("p", class_="error"))


def test_admin_taxonomy_form_shows_errors_beside_fields_and_keeps_input(client, login_as) -> None:
    login_as("admin")
    doc = post(
        client,
        "/admin/taxonomy",
        {"kind": "theme", "slug": "", "name_en": "Kept", "name_fr": "", "position": "3"},
    )
    assert field_error(doc, "slug") == "A slug is required."
    assert field_error(doc, "name_fr") == "A name is required."
    assert doc.field("name_en").attrs["value"] == "Kept"


def test_admin_role_change_returns_to_the_list_not_elsewhere(client, login_as) -> None:
    login_as("admin")
    target = MemberFactory()
    response = client.post(
        f"/admin/members/{target.id}/role",
        data={"role": "moderator", "next": "https://evil.example/"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/members"
    assert db.session.get(Member, target.id).role == "moderator"


def test_admin_cannot_demote_the_last_admin_and_is_told_why(client, login_as) -> None:
    admin = login_as("admin")
    response = client.post(
        f"/admin/members/{admin.id}/role", data={"role": "member"}, follow_redirects=True
    )
    assert "The club needs at least one administrator." in parse(response.data).text
    assert db.session.get(Member, admin.id).role == "admin"


# --- what others wrote -------------------------------------------------------------------

HOSTILE_BIO = (
    "<script>alert('bio')</script> <img src=x onerror=alert(1)> "
    '[click](javascript:alert(1)) <a href="javascript:alert(2)">x</a> '
    "<iframe src=https://evil.example></iframe> **bold**"
)


@pytest.fixture
def hostile_profile(client):  # type: ignore[no-untyped-def]
    """The profile page showing the hostile bio (checked to be there, so that every
    "nothing dangerous on the page" below is about a page that carries it)."""
    member = MemberFactory(bio=HOSTILE_BIO)
    response = client.get(f"/members/{member.username}")
    assert response.status_code == 200
    doc = parse(response.data)
    assert "alert('bio')" in doc.find("div", class_="prose")[0].text
    return doc


def test_hostile_bio_adds_no_script(hostile_profile) -> None:
    scripts = hostile_profile.find("script")
    assert scripts, "the page's own script is expected"
    assert all(s.attrs.get("src", "").startswith("/static/") for s in scripts)
    assert all("alert" not in s.text for s in scripts)


def test_hostile_bio_adds_no_event_handler_or_frame(hostile_profile) -> None:
    for el in hostile_profile.elements:
        assert not any(name.startswith("on") for name in el.attrs), el
    assert hostile_profile.find("iframe") == []


def test_hostile_bio_adds_no_javascript_link(hostile_profile) -> None:
    for el in hostile_profile.elements:
        for name in ("href", "src"):
            assert not el.attrs.get(name, "").strip().lower().startswith("javascript:")


def test_hostile_bio_is_shown_as_text_with_its_safe_markup(hostile_profile) -> None:
    prose = hostile_profile.find("div", class_="prose")[0]
    assert "<script>alert('bio')</script>" in prose.text
    assert "bold" in [el.text for el in hostile_profile.find("strong")]
