"""Visitors' hot pages are cached whole, never stale after a write, never for members; a
first-time visitor's page writes no session (the consent banner has no CSRF token)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.community.factories import PostFactory, topic_with_posts
from tests.factories import MemberFactory
from tests.html import parse

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def topic(category):  # type: ignore[no-untyped-def]
    return topic_with_posts(3, category=category)


def url(topic) -> str:  # type: ignore[no-untyped-def]
    return f"/t/{topic.id}-{topic.slug}"


def test_a_first_time_visitor_gets_no_session_cookie(client, topic, csrf_enabled) -> None:  # type: ignore[no-untyped-def]
    for path in ("/", "/latest", "/forums/tents/", url(topic)):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
    html = response.get_data(as_text=True)
    assert "data-cookie-banner" in html and 'name="csrf_token"' not in html


def test_the_consent_banner_works_without_a_token(client, csrf_enabled) -> None:  # type: ignore[no-untyped-def]
    response = client.post(
        "/privacy/cookies",
        data={"choice": "refuse", "next": "/latest"},
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/latest"
    assert "cercle_consent=no" in response.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}]
)
def test_the_consent_choice_from_another_site_is_refused(client, headers) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/privacy/cookies", data={"choice": "accept"}, headers=headers)
    assert response.status_code == 400
    assert "Set-Cookie" not in response.headers


def test_a_visitor_is_served_the_cached_page(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    first = client.get(url(topic))
    second = client.get(url(topic))
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert (page_cache_on.misses, page_cache_on.hits) == (1, 1)


def test_a_cached_topic_page_still_counts_the_view(
    client, page_cache_on, topic, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.community.forums import views

    seen = []
    monkeypatch.setattr(views, "record_view", lambda *args: seen.append(args))
    client.get(url(topic))
    client.get(url(topic))
    assert page_cache_on.hits == 1
    assert [(a[0], a[2], a[3]) for a in seen] == [(topic.id, None, 3)] * 2


def test_a_write_makes_the_cached_page_fresh_again(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    client.get(url(topic))
    PostFactory(topic=topic, body="A brand new reply", body_html="<p>A brand new reply</p>")
    db.session.flush()
    response = client.get(url(topic))
    assert "A brand new reply" in response.get_data(as_text=True)
    assert page_cache_on.hits == 0


def test_a_renamed_member_shows_at_once(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    client.get("/latest")
    topic.author.display_name = "Renamed Person"
    db.session.flush()
    assert "Renamed Person" in client.get("/latest").get_data(as_text=True)


def test_an_old_entry_is_not_served(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    client.get("/latest")
    for entry in page_cache_on.entries.values():
        entry.stored_at -= 61
    client.get("/latest")
    assert page_cache_on.hits == 0


def test_each_language_has_its_own_page(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    english = client.get("/latest")
    french = client.get("/latest", headers=FR)
    assert parse(english.data).find("html")[0].attrs["lang"] == "en"
    assert parse(french.data).find("html")[0].attrs["lang"] == "fr"
    assert page_cache_on.hits == 0
    client.get("/latest", headers=FR)
    assert page_cache_on.hits == 1


def test_members_are_never_served_nor_stored(client, page_cache_on, login_as, topic) -> None:  # type: ignore[no-untyped-def]
    client.get("/latest")  # a visitor's page is cached
    member = login_as("member", display_name="Zelda Member")
    html = client.get("/latest").get_data(as_text=True)
    assert member.name in html
    assert page_cache_on.hits == 0 and len(page_cache_on.entries) == 1


def test_a_page_with_a_flash_is_not_cached(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "Hello there")]
    assert "Hello there" in client.get("/latest").get_data(as_text=True)
    assert len(page_cache_on.entries) == 0


def test_other_query_strings_are_not_cached(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    client.get("/latest?utm_source=x")
    client.get("/latest?utm_source=x")
    assert page_cache_on.hits == 0 and len(page_cache_on.entries) == 0


def test_a_restricted_topic_is_never_cached(client, page_cache_on, gold_category) -> None:  # type: ignore[no-untyped-def]
    hidden = topic_with_posts(2, category=gold_category)
    assert client.get(url(hidden)).status_code in {403, 404}
    assert len(page_cache_on.entries) == 0


def test_the_cache_is_bounded(app, client, page_cache_on, category) -> None:  # type: ignore[no-untyped-def]
    page_cache_on.max_entries = 2
    try:
        for _ in range(3):
            t = topic_with_posts(1, category=category, author=MemberFactory())
            client.get(url(t))
        assert len(page_cache_on.entries) == 2
    finally:
        page_cache_on.max_entries = app.config["PAGE_CACHE_ENTRIES"]


def test_a_request_for_json_is_neither_served_nor_stored(client, page_cache_on, topic) -> None:  # type: ignore[no-untyped-def]
    client.get("/latest")
    client.get("/latest", headers={"Accept": "application/json"})
    assert page_cache_on.hits == 0 and len(page_cache_on.entries) == 1
    client.get("/latest", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert page_cache_on.hits == 1


def test_a_write_during_a_render_leaves_that_render_unserved(
    client, page_cache_on, topic, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The race: a visitor renders while a member's reply is written; the page stored
    afterwards holds the old rows and must not be served after the write."""
    from app.community.forums import queries

    real = queries.topic_page

    def write_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        result = real(*args, **kwargs)
        PostFactory(topic=topic, body="Written meanwhile", body_html="<p>Written meanwhile</p>")
        db.session.flush()
        return result

    monkeypatch.setattr(queries, "topic_page", write_meanwhile)
    client.get(url(topic))
    monkeypatch.setattr(queries, "topic_page", real)
    assert "Written meanwhile" in client.get(url(topic)).get_data(as_text=True)
    assert page_cache_on.hits == 0
