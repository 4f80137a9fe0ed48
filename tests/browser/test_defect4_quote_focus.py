"""Defect 4: quoting left the reply box unfocused, so typing went nowhere (or into the
quote's header). The box now has the focus with the cursor after the quote."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_MEMBER_EMAIL, log_in, shot
from tests.browser.test_forums import SECOND_MEMBER_EMAIL, category_slug, start_topic  # noqa: F401

pytestmark = pytest.mark.browser


def test_quoting_puts_the_cursor_after_the_quote(new_context, category_slug):  # type: ignore[no-untyped-def]  # noqa: F811
    author = new_context().new_page()
    log_in(author, DEMO_MEMBER_EMAIL)
    topic_url = start_topic(
        author, category_slug, "Which pegs hold in sand?", "The short ones **slip** out."
    )

    reader = new_context().new_page()
    log_in(reader, SECOND_MEMBER_EMAIL)
    reader.goto(topic_url)
    reader.locator("#post-1").get_by_role("link", name="Quote").click()
    reader.wait_for_url(lambda url: "/reply?quote=" in url)
    body = reader.get_by_label("Your reply")
    quote = body.input_value()
    assert quote.startswith("> **@")
    # No click into the box: the member just types.
    reader.keyboard.type("Use the long V-shaped ones.")
    value = body.input_value()
    assert value.startswith(quote)
    assert value.endswith("Use the long V-shaped ones.")
    assert reader.evaluate("() => document.activeElement.tagName") == "TEXTAREA"
    shot(reader, "defect4-quote-focus")
