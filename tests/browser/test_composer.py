"""The composer in a real browser: toolbar, live preview, a draft that waits for the member,
a pasted image, and the post that shows it (lazy, with its sizes)."""

from __future__ import annotations

import base64
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    AXE_SCRIPT,
    DEMO_MEMBER_EMAIL,
    DEMO_PASSWORD,
    assert_no_axe_violations,
    log_in,
    shot,
)
from tests.browser.test_forums import category_slug, start_topic  # noqa: F401

pytestmark = pytest.mark.browser


def _no_axe_violations(page) -> None:  # type: ignore[no-untyped-def]
    """axe-core evaluated through the DevTools protocol (a script tag would meet the CSP)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8") + "\n;undefined")
    assert_no_axe_violations(page)


def _png_base64() -> str:
    from PIL import Image

    image = Image.new("RGB", (900, 600), (40, 110, 160))
    for x in range(0, 900, 3):
        image.putpixel((x, (x * 7) % 600), (250, 200, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return base64.b64encode(out.getvalue()).decode()


PASTE = """([data, name]) => {
    const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
    const file = new File([bytes], name, {type: 'image/png'});
    const transfer = new DataTransfer();
    transfer.items.add(file);
    const box = document.querySelector('textarea');
    box.focus();
    const init = {clipboardData: transfer, bubbles: true, cancelable: true};
    box.dispatchEvent(new ClipboardEvent('paste', init));
}"""


def test_member_writes_with_the_toolbar_previews_comes_back_to_the_draft_and_pastes_an_image(  # type: ignore[no-untyped-def]
    new_context,
    category_slug,  # noqa: F811
):
    page = new_context().new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, DEMO_MEMBER_EMAIL)
    topic_url = start_topic(page, category_slug, "Show your camp kitchen", "Photos welcome.")
    topic_id = re.search(r"/t/(\d+)-", topic_url).group(1)

    page.goto(f"/t/{topic_id}/reply")
    body = page.get_by_label("Your reply")
    toolbar = page.get_by_role("toolbar", name="Formatting")
    expect(toolbar).to_be_visible()
    body.click()
    body.type("My stove ")
    toolbar.get_by_role("button", name="Bold").click()
    page.keyboard.type("never")
    page.keyboard.press("End")
    body.type(" fails :fire:")
    assert body.input_value() == "My stove **never** fails :fire:"
    preview = page.locator("[data-preview]")
    expect(preview.locator("strong")).to_have_text("never")
    expect(preview).to_contain_text("🔥")
    expect(page.locator("[data-composer-status]")).to_have_text("Draft saved", timeout=8000)
    shot(page, "composer-preview")
    _no_axe_violations(page)

    # Leave, come back: the draft is in the box.
    page.goto(topic_url)
    page.goto(f"/t/{topic_id}/reply")
    expect(page.locator("[data-draft-notice]")).to_contain_text("We restored your draft")
    assert page.get_by_label("Your reply").input_value() == "My stove **never** fails :fire:"

    # Paste an image: it is uploaded and its Markdown lands in the box.
    page.get_by_label("Your reply").press("Control+End")
    page.evaluate(PASTE, [_png_base64(), "kitchen.png"])
    expect(page.locator("[data-composer-status]")).to_have_text("Image added.", timeout=10000)
    value = page.get_by_label("Your reply").input_value()
    assert re.search(r"!\[kitchen\]\(/uploads/[0-9a-f]{40}-900x600\.png\)", value), value
    expect(page.locator("[data-preview] img")).to_have_count(1)
    shot(page, "composer-image")

    page.get_by_role("button", name="Post reply").click()
    page.wait_for_url(re.compile(r"#post-2$"))
    image = page.locator("#post-2 img").first
    expect(image).to_have_attribute("loading", "lazy")
    assert image.get_attribute("width") == "900"
    assert "640w" in image.get_attribute("srcset")
    assert page.evaluate("(el) => el.complete && el.naturalWidth > 0", image.element_handle())

    assert errors == []

    # The draft went with the post.
    page.goto(f"/t/{topic_id}/reply")
    expect(page.locator("[data-draft-notice]")).to_have_count(0)
    assert page.get_by_label("Your reply").input_value() == ""
    shot(page, "composer-empty")


def test_the_composer_in_french_on_a_phone(new_context, category_slug):  # type: ignore[no-untyped-def]  # noqa: F811
    context = new_context(locale="fr-FR")
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/auth/login")  # the French form (log_in reads the English labels)
    page.locator("input[name=email]").fill("hugo@example.com")  # a French-speaking member
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    page.goto(f"/forums/{category_slug}/new")
    expect(page.get_by_role("toolbar", name="Mise en forme")).to_be_visible()
    page.get_by_label("Votre message").fill("_Bonjour_ :wave:")
    expect(page.locator("[data-preview] em")).to_have_text("Bonjour")
    shot(page, "composer-fr-phone")
    _no_axe_violations(page)


def test_without_javascript_the_preview_button_and_the_upload_page_work(  # type: ignore[no-untyped-def]
    browser,
    live_server,
    category_slug,  # noqa: F811
):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, DEMO_MEMBER_EMAIL)
        page.goto(f"/forums/{category_slug}/new")
        expect(page.get_by_role("toolbar", name="Formatting")).to_be_hidden()
        page.get_by_label("Title").fill("Preview without scripts")
        page.get_by_label("Your message").fill("Is **this** right? :thumbsup:")
        page.get_by_role("button", name="Preview").click()
        expect(page.locator("[data-preview] strong")).to_have_text("this")
        expect(page.get_by_label("Your message")).to_have_value("Is **this** right? :thumbsup:")
        expect(page.get_by_label("Title")).to_have_value("Preview without scripts")
        shot(page, "composer-nojs-preview")

        page.goto("/uploads/new")
        page.get_by_label(re.compile("Image")).set_input_files(
            {"name": "tent.png", "mimeType": "image/png", "buffer": base64.b64decode(_png_base64())}
        )
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_label("Markdown for your post")).to_have_value(
            re.compile(r"!\[tent\]\(/uploads/[0-9a-f]{40}-900x600\.png\)")
        )
        shot(page, "upload-nojs")
    finally:
        context.close()


def test_shortcuts_emoji_suggestions_and_the_warning_before_leaving(new_context, category_slug):  # type: ignore[no-untyped-def]  # noqa: F811
    page = new_context().new_page()
    log_in(page, DEMO_MEMBER_EMAIL)
    page.goto(f"/forums/{category_slug}/new")
    body = page.get_by_label("Your message")
    body.click()
    page.keyboard.press("Control+b")
    page.keyboard.type("strong")
    page.keyboard.press("End")
    page.keyboard.type(" and ")
    page.keyboard.press("Control+i")
    page.keyboard.type("soft")
    page.keyboard.press("End")
    assert body.input_value() == "**strong** and _soft_"

    page.keyboard.type(" :ten")
    suggestions = page.get_by_role("listbox", name="Emoji")
    expect(suggestions).to_be_visible()
    expect(suggestions.get_by_role("option").first).to_contain_text(":tent:")
    page.keyboard.press("Enter")
    assert body.input_value() == "**strong** and _soft_ :tent: "
    expect(suggestions).to_be_hidden()

    # Leaving at once, before the draft is saved: the browser asks first.
    dialogs: list[str] = []

    def answer(dialog):  # type: ignore[no-untyped-def]
        dialogs.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    body.type(" more")
    page.evaluate("() => { window.location.href = '/latest'; }")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert "/new" in page.url  # the member chose to stay
