"""Issue 13 in a real browser: a member writes a reply with the toolbar, sees the preview,
leaves and comes back to the draft, pastes an image, posts; the asker marks it as the
solution; a third member finds the topic under "Solved" and bookmarks it. Then the
reading comforts: reactions, the author's card, keyboard shortcuts and the topic map —
with axe-core at zero violations on each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    AXE_SCRIPT,
    DEMO_MEMBER_EMAIL,
    DEMO_PASSWORD,
    assert_no_axe_violations,
    log_in,
    shot,
)
from tests.browser.test_composer import PASTE, _png_base64

pytestmark = pytest.mark.browser

QA_SLUG = "repair-care"  # the demo's Q&A category (app/community/forums/seed_comforts.py)
ASKER_EMAIL = "priya@example.com"
THIRD_EMAIL = "maya@example.com"


def _no_axe_violations(page) -> None:  # type: ignore[no-untyped-def]
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    assert_no_axe_violations(page)


def _ask(page, title: str, body: str) -> str:  # type: ignore[no-untyped-def]
    page.goto(f"/forums/{QA_SLUG}/new")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Your message").fill(body)
    page.get_by_role("button", name="Post topic").click()
    page.wait_for_url(re.compile(r"/t/\d+-"))
    return page.url.split("?")[0].split("#")[0]


def test_reply_with_the_composer_then_solved_then_found_and_bookmarked(new_context):  # type: ignore[no-untyped-def]
    errors: list[str] = []

    # The asker opens a question in the Q&A category.
    asker = new_context().new_page()
    asker.on("pageerror", lambda error: errors.append(str(error)))
    log_in(asker, ASKER_EMAIL)
    title = "Stove clicks but will not light after the winter"
    topic_url = _ask(asker, title, "The piezo clicks, gas smells, no flame. Ideas?")
    topic_id = re.search(r"/t/(\d+)-", topic_url).group(1)

    # A member replies with the toolbar, sees the preview, leaves, comes back to the draft,
    # pastes a photo and posts.
    member = new_context().new_page()
    member.on("pageerror", lambda error: errors.append(str(error)))
    log_in(member, DEMO_MEMBER_EMAIL)
    member.goto(f"/t/{topic_id}/reply")
    body = member.get_by_label("Your reply")
    toolbar = member.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()
    body.click()
    body.type("Clean the jet: it is ")
    toolbar.get_by_role("button", name="Bold").click()
    member.keyboard.type("always")
    member.keyboard.press("End")
    body.type(" the jet after a winter.")
    expect(member.locator("[data-preview] strong")).to_have_text("always")
    expect(member.locator("[data-composer-status]")).to_have_text("Draft saved", timeout=8000)
    member.goto(topic_url)
    member.goto(f"/t/{topic_id}/reply")
    expect(member.locator("[data-draft-notice]")).to_be_visible()
    assert "**always**" in member.get_by_label("Your reply").input_value()
    member.get_by_label("Your reply").press("Control+End")
    member.evaluate(PASTE, [_png_base64(), "jet.png"])
    expect(member.locator("[data-composer-status]")).to_have_text("Image added.", timeout=10000)
    member.get_by_role("button", name="Post reply").click()
    member.wait_for_url(re.compile(r"#post-2$"))
    expect(member.locator("#post-2 img").first).to_have_attribute("loading", "lazy")

    # The asker marks it as the solution: it shows under the question.
    asker.goto(topic_url)
    asker.locator("#post-2").get_by_role("button", name="Mark as solution").click()
    asker.wait_for_url(re.compile(r"#post-2$"))
    solution = asker.locator(".solution-box")
    expect(solution).to_contain_text("Solved")
    expect(solution).to_contain_text("Clean the jet")
    expect(asker.locator("#post-2 .pill-solution")).to_be_visible()
    shot(asker, "second-pass-solved-topic")
    _no_axe_violations(asker)

    # A third member finds it under "Solved" and bookmarks it.
    third = new_context().new_page()
    third.on("pageerror", lambda error: errors.append(str(error)))
    log_in(third, THIRD_EMAIL)
    third.goto(f"/forums/{QA_SLUG}/")
    third.get_by_role("navigation", name="Filter by answer").get_by_role(
        "link", name="Solved", exact=True
    ).click()
    third.wait_for_url(re.compile(r"status=solved"))
    row = third.locator("tr", has_text=title)
    expect(row.locator(".pill-solved")).to_be_visible()
    shot(third, "second-pass-solved-list")
    _no_axe_violations(third)
    row.get_by_role("link", name=title).click()
    third.wait_for_url(re.compile(r"/t/\d+-"))
    third.get_by_role("button", name="Bookmark topic").click()
    expect(third.get_by_role("button", name="Bookmarked")).to_be_visible()
    third.goto("/bookmarks")
    expect(third.locator(".bookmark-list")).to_contain_text(title)
    shot(third, "second-pass-bookmarks")
    _no_axe_violations(third)

    assert errors == []


def test_reactions_user_cards_shortcuts_and_the_topic_map(new_context):  # type: ignore[no-untyped-def]
    errors: list[str] = []
    page = new_context().new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, THIRD_EMAIL)
    page.goto("/top?period=year")
    shot(page, "second-pass-top")
    _no_axe_violations(page)
    page.locator(".topic-table a.topic-title").first.click()
    page.wait_for_url(re.compile(r"/t/\d+-"))

    # A reaction without a reload: the chip appears with its count, pressed.
    post = page.locator("article.post").filter(has_not=page.locator(".post-by", has_text="Maya"))
    target = post.nth(1)
    target.locator(".reaction-picker summary").click()
    target.get_by_role("button", name="React with 🙏").click()
    chip = target.locator("button.reaction[data-reaction='🙏']")
    expect(chip).to_have_attribute("aria-pressed", "true")
    shot(page, "second-pass-reaction")

    # The author's card opens in a popover and closes with Escape.
    author = target.locator("a.post-author")
    author.click()
    card = page.locator(".user-card-popover")
    expect(card).to_be_visible()
    expect(card).to_contain_text("Member since")
    shot(page, "second-pass-user-card")
    page.keyboard.press("Escape")
    expect(card).to_have_count(0)

    # j/k move between posts; ? opens the help; typing in a field is left alone.
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    first_focus = page.evaluate("() => document.activeElement.id")
    page.keyboard.press("j")
    second_focus = page.evaluate("() => document.activeElement.id")
    assert re.fullmatch(r"post-\d+", first_focus) and re.fullmatch(r"post-\d+", second_focus)
    assert int(second_focus.split("-")[1]) > int(first_focus.split("-")[1])
    page.keyboard.press("k")
    assert page.evaluate("() => document.activeElement.id") == first_focus
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    shot(page, "second-pass-shortcuts")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    jump = page.get_by_label("Jump to post")
    jump.fill("")
    jump.type("j?")  # typed into the field: no shortcut fires
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    # The topic map and the jump form.
    expect(page.locator(".topic-map .participants li").first).to_be_visible()
    jump.fill("2")
    page.locator(".jump-form").get_by_role("button", name="Go").click()
    page.wait_for_url(re.compile(r"#post-2$"))
    _no_axe_violations(page)
    assert errors == []


def test_the_topic_page_on_a_phone_in_french(new_context):  # type: ignore[no-untyped-def]
    context = new_context(locale="fr-FR")
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/auth/login")
    page.locator("input[name=email]").fill("hugo@example.com")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(f"/forums/{QA_SLUG}/?status=solved")
    expect(page.get_by_role("navigation", name="Filtrer par réponse")).to_be_visible()
    page.locator(".topic-table a.topic-title").first.click()
    page.wait_for_url(re.compile(r"/t/\d+-"))
    expect(page.locator(".solution-box")).to_contain_text("Résolu")
    expect(page.get_by_role("heading", name="Aperçu du sujet")).to_be_visible()
    shot(page, "second-pass-fr-phone")
    _no_axe_violations(page)

    # The reaction picker stays inside the screen on a phone.
    picker = page.locator("#post-1 .reaction-picker")
    picker.locator("summary").click()
    menu = picker.locator(".reaction-menu")
    expect(menu).to_be_visible()
    box = menu.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    page.screenshot(path=str(ARTIFACTS / "second-pass-fr-picker.png"))
