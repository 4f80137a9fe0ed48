"""Language: the member's setting, else the visitor's choice, else the browser's."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from app.extensions import db
from app.members.models import Member
from tests.factories import MemberFactory
from tests.html import parse

FR_CATALOGUE = (
    Path(__file__).resolve().parents[2]
    / "app"
    / "translations"
    / "fr"
    / "LC_MESSAGES"
    / "messages.po"
)


def page_lang(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    return parse(response.data).find("html")[0].attrs["lang"]


def test_english_is_the_default(client) -> None:
    assert page_lang(client.get("/")) == "en"


def test_browser_language_is_followed(client) -> None:
    assert page_lang(client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})) == "fr"


def test_unsupported_browser_language_falls_back_to_english(client) -> None:
    assert page_lang(client.get("/", headers={"Accept-Language": "de-DE"})) == "en"


def test_visitor_choice_beats_the_browser(client) -> None:
    response = client.post("/language", data={"locale": "en"})
    assert response.status_code == 302
    assert page_lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_language_switch_returns_to_the_page_it_was_used_on(client) -> None:
    response = client.post("/language", data={"locale": "fr", "next": "/auth/login"})
    assert response.headers["Location"] == "/auth/login"
    assert page_lang(client.get("/auth/login")) == "fr"


def test_language_switch_never_redirects_to_another_site(client) -> None:
    response = client.post("/language", data={"locale": "fr", "next": "//evil.example/"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_unknown_language_choice_is_ignored(client) -> None:
    assert client.post("/language", data={"locale": "fr"}).status_code == 302
    assert page_lang(client.get("/")) == "fr"
    client.post("/language", data={"locale": "xx"})
    assert page_lang(client.get("/")) == "fr"


def test_member_setting_beats_the_visitor_choice_and_browser(client, login_as) -> None:
    login_as("member", locale="en")
    with client.session_transaction() as sess:
        sess["locale"] = "fr"
    assert page_lang(client.get("/", headers={"Accept-Language": "fr"})) == "en"


def test_member_without_a_setting_follows_the_browser(client, login_as) -> None:
    login_as("member", locale=None)
    assert page_lang(client.get("/", headers={"Accept-Language": "fr"})) == "fr"


def test_language_switch_saves_a_members_choice(client, login_as) -> None:
    member = login_as("member", locale=None)
    assert client.post("/language", data={"locale": "fr"}).status_code == 302
    assert db.session.get(Member, member.id).locale == "fr"


def test_member_setting_in_settings_is_used_on_every_page(client, login_as) -> None:
    member = login_as("member", locale=None)
    response = client.post(
        "/settings/account", data={"action": "language", "language-locale": "fr"}
    )
    assert response.status_code == 302
    assert db.session.get(Member, member.id).locale == "fr"
    assert page_lang(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_french_page_shows_french_text(client) -> None:
    doc = parse(client.get("/auth/login", headers={"Accept-Language": "fr"}).data)
    assert doc.find("html")[0].attrs["lang"] == "fr"
    assert "Se connecter" in doc.text


def test_french_member_profile_shows_french_interest_names(client) -> None:
    from tests.factories import InterestFactory

    member = MemberFactory()
    interest = InterestFactory(name_en="Hiking", name_fr="Randonnée")
    member.interests.append(interest)
    db.session.flush()
    response = client.get(f"/members/{member.username}", headers={"Accept-Language": "fr"})
    assert page_lang(response) == "fr"
    assert [el.text for el in parse(response.data).find("li", class_="tag")] == ["Randonnée"]


def _untranslated(path: Path) -> list[str]:
    with path.open("rb") as fh:
        catalog = read_po(fh)
    # The catalogue really holds the site's messages (an empty one would pass).
    assert catalog.get("Log in") is not None and len(catalog) > 100
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s and s.strip() for s in strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_every_message_has_a_french_translation() -> None:
    assert _untranslated(FR_CATALOGUE) == []
