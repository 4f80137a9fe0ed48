"""Forums, second pass: the defects found by trying the site as a newcomer (issue 13).

1. "just now" stayed English in the French interface; 2. the login flash followed the
browser, not the member; 6. page links and the account menu as screen readers hear them.
(5, the linkifier, is in tests/core/test_markup_raw_html.py; the avatar colours and
compression in tests/core/test_accessibility_and_compression.py.)
"""

from __future__ import annotations

import re

import pytest

from app.core.time import utcnow
from app.extensions import db
from tests.community.factories import PostFactory, topic_with_posts
from tests.factories import PASSWORD, MemberFactory
from tests.html import parse

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


@pytest.fixture
def fresh_topic(category):  # type: ignore[no-untyped-def]
    topic = topic_with_posts(3, category=category)
    return topic


@pytest.mark.parametrize("path", ["/latest", "/", "{topic}", "/forums/tents/"])
def test_just_now_is_french_on_french_pages(client, fresh_topic, path) -> None:  # type: ignore[no-untyped-def]
    url = path.format(topic=f"/t/{fresh_topic.id}-{fresh_topic.slug}")
    response = client.get(url, headers=FR)
    assert response.status_code == 200
    times = [t.text.strip() for t in parse(response.data).find("time")]
    assert "à l’instant" in times
    assert "just now" not in response.get_data(as_text=True)


def test_just_now_stays_english_on_english_pages(client, fresh_topic) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/latest", headers=EN)
    assert "just now" in [t.text.strip() for t in parse(response.data).find("time")]


def test_deleted_post_notice_is_french_for_staff(client, login_as, fresh_topic) -> None:  # type: ignore[no-untyped-def]
    login_as("moderator", locale="fr")
    post = PostFactory(topic=fresh_topic, deleted_at=utcnow())
    db.session.flush()
    response = client.get(f"/t/{fresh_topic.id}-{fresh_topic.slug}", headers=EN)
    notes = parse(response.data).find("p", class_="post-deleted-note")
    assert len(notes) == 1 and post.deleted_at is not None
    note = notes[0].text
    assert "à l’instant" in note
    assert "just now" not in note


def _login(client, member, headers):  # type: ignore[no-untyped-def]
    response = client.post(
        "/auth/login", data={"email": member.email, "password": PASSWORD}, headers=headers
    )
    assert response.status_code == 302
    return parse(client.get(response.headers["Location"], headers=headers).data)


def _flashes(doc) -> str:  # type: ignore[no-untyped-def]
    return " ".join(el.text for el in doc.find(class_="flash"))


def test_login_flash_is_in_the_members_language_not_the_browsers(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(display_name="Hugo Petit", locale="fr")
    doc = _login(client, member, EN)
    assert doc.find("html")[0].attrs["lang"] == "fr"
    assert "Bon retour, Hugo Petit." in _flashes(doc)
    assert "Welcome back" not in _flashes(doc)


def test_login_flash_is_english_for_an_english_member_on_a_french_browser(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(display_name="Ann Walker", locale="en")
    doc = _login(client, member, FR)
    assert "Welcome back, Ann Walker." in _flashes(doc)


def test_login_flash_follows_the_browser_for_a_member_without_a_setting(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(display_name="Lou", locale=None)
    assert "Bon retour, Lou." in _flashes(_login(client, member, FR))


def test_logout_flash_is_in_the_language_of_the_page_that_shows_it(client) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory(locale="fr")
    _login(client, member, EN)
    response = client.post("/auth/logout", headers=EN)
    doc = parse(client.get(response.headers["Location"], headers=EN).data)
    assert doc.find("html")[0].attrs["lang"] == "en"
    assert "You are logged out" in _flashes(doc)


def test_account_menu_name_is_part_of_its_accessible_name(client, login_as) -> None:  # type: ignore[no-untyped-def]
    """WCAG 2.5.3: the menu's accessible name holds the visible member name."""
    login_as("member", display_name="Hugo Petit", locale="fr")
    html = client.get("/").get_data(as_text=True)
    summary = re.search(r'<details class="menu">\s*<summary([^>]*)>(.*?)</summary>', html, re.S)
    assert summary is not None
    assert "aria-label" not in summary.group(1)
    assert "Hugo Petit" in parse(summary.group(2)).text
    assert "Votre compte :" in parse(summary.group(2)).text


@pytest.mark.parametrize(("headers", "word"), [(EN, "Page"), (FR, "Page")])
def test_topic_list_page_links_are_named_by_their_text(client, category, headers, word) -> None:  # type: ignore[no-untyped-def]
    topic = topic_with_posts(45, category=category)
    html = client.get("/forums/tents/", headers=headers).get_data(as_text=True)
    pages = re.search(r'<span class="topic-pages"([^>]*)>(.*?)</span>\s*</div>', html, re.S)
    assert pages is not None
    assert "aria-label" not in pages.group(1)  # a label on a plain span is not announced
    links = re.findall(r'<a href="([^"]+)">(.*?)</a>', pages.group(2), re.S)
    assert [href for href, _ in links][1] == f"/t/{topic.id}-{topic.slug}?page=2"
    assert [parse(text).text for _, text in links] == [f"{word} 1", f"{word} 2", f"{word} 3"]
