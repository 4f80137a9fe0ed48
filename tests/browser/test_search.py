"""Search in a real browser: from the header in English and French, filter, open a result;
a Bronze member never sees a Gold-only topic; the composer shows similar discussions."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser

BRONZE_EMAIL = "noah@example.com"
GOLD_EMAIL = "priya@example.com"


@pytest.fixture(scope="module", autouse=True)
def built_index(live_server) -> None:  # type: ignore[no-untyped-def]
    """The demo club is seeded without events: index it as `flask seed demo` does."""
    from app.search.backends import get_backend

    with live_server.app.app_context():
        assert get_backend().rebuild() > 0


def test_search_from_the_header_filter_and_open_a_result(page):  # type: ignore[no-untyped-def]
    page.goto("/forums/")
    page.get_by_role("searchbox", name="Search the community").fill("tent")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=tent"))
    count = page.locator(".results-count")
    assert re.search(r"\d+ results", count.inner_text())
    assert page.locator(".result mark").count() > 0
    page.locator(".facet a.facet-value", has_text="Topics").first.click()
    page.wait_for_url(re.compile(r"type=topic"))
    assert page.locator('.facet-value[aria-current="true"]', has_text="Topics").count() == 1
    assert page.locator(".result-kind").count() == 0  # no replies left
    shot(page, "search-results-en")
    title = page.locator(".result-title a").first
    heading = title.inner_text()
    title.click()
    page.wait_for_url(re.compile(r"/t/\d+"))
    assert page.locator("h1").first.inner_text().strip() in heading


def test_search_in_french_from_the_header(new_context):  # type: ignore[no-untyped-def]
    page = new_context(locale="fr-FR").new_page()
    page.goto("/")
    page.get_by_role("searchbox", name="Rechercher dans la communauté").fill("tente Summit")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert page.locator("h1").first.inner_text() == "Rechercher"
    assert re.search(r"\d+ résultats?", page.locator(".results-count").inner_text())
    assert page.get_by_role("link", name="Plus récents").count() == 1
    shot(page, "search-results-fr")
    page.get_by_role("link", name="Plus récents").click()
    page.wait_for_url(re.compile(r"sort=newest"))
    page.locator(".result-title a").first.click()
    page.wait_for_url(re.compile(r"/t/\d+"))


def test_a_bronze_member_never_sees_a_gold_only_topic(new_context):  # type: ignore[no-untyped-def]
    bronze = new_context().new_page()
    log_in(bronze, BRONZE_EMAIL)
    bronze.goto("/search?q=gold+preview+next+generation")
    titles = bronze.locator(".result-title").all_inner_texts()
    assert not any("Gold preview" in t for t in titles)
    assert "Gold preview" not in bronze.content()
    shot(bronze, "search-bronze")
    gold = new_context().new_page()
    log_in(gold, GOLD_EMAIL)
    gold.goto("/search?q=gold+preview+next+generation")
    assert any("Gold preview" in t for t in gold.locator(".result-title").all_inner_texts())


def test_the_composer_shows_similar_discussions(new_context):  # type: ignore[no-untyped-def]
    page = new_context().new_page()
    log_in(page, GOLD_EMAIL)
    page.goto("/forums/")
    page.locator("a[href^='/forums/']").filter(has_text=re.compile("Tents|Tentes")).first.click()
    page.get_by_role("link", name=re.compile("New topic|Nouveau sujet")).first.click()
    page.get_by_label("Title").fill("Is the Summit 2 tent good for summer camping?")
    box = page.locator("[data-similar-topics]")
    box.wait_for(state="visible")
    # The list fills after the box shows (a debounced fetch): wait for it, not a snapshot.
    box.locator("li a").first.wait_for(state="visible", timeout=10_000)
    assert box.locator("li a").count() >= 1
    shot(page, "search-similar-discussions")
