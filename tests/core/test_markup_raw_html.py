"""Raw HTML typed in a post is shown as text, and nothing inside it becomes a link."""

from __future__ import annotations

import pytest

from app.core.markup import render_markdown
from tests.html import parse


def links(html: str) -> list[str]:
    return [a.attrs.get("href", "") for a in parse(html).find("a")]


@pytest.mark.parametrize(
    "text",
    [
        '<iframe src="https://evil.example/frame"></iframe>',
        "<iframe src=https://evil.example/frame></iframe>",
        "<img src='https://evil.example/pixel.png'>",
        '<a href="https://evil.example/">click</a>',
        '<iframe\nsrc="https://evil.example/frame">',
        '<a href="www.evil.example">x</a>',
    ],
)
def test_url_inside_an_escaped_tag_is_not_linked(text: str) -> None:
    html = render_markdown(text)
    assert links(html) == []
    assert "evil.example" in parse(html).text  # still shown, as text


def test_the_escaped_tag_is_shown_whole() -> None:
    html = render_markdown('Look: <iframe src="https://evil.example/x"></iframe>')
    assert parse(html).text.strip() == 'Look: <iframe src="https://evil.example/x"></iframe>'


def test_urls_around_an_escaped_tag_are_still_linked() -> None:
    html = render_markdown(
        'https://a.example <b title="https://evil.example">b</b> https://b.example'
    )
    assert links(html) == ["https://a.example", "https://b.example"]


def test_a_lone_angle_bracket_does_not_stop_links() -> None:
    assert links(render_markdown("x < y https://a.example > z")) == ["https://a.example"]
    assert links(render_markdown("a <b https://a.example and more")) == ["https://a.example"]


def test_autolinks_in_angle_brackets_still_work() -> None:
    assert links(render_markdown("see <https://a.example/page>")) == ["https://a.example/page"]


def test_markdown_between_escaped_tags_is_still_rendered() -> None:
    html = render_markdown("<b>**bold**</b>")
    assert parse(html).find("strong")[0].text == "bold"
    assert "<b>" in parse(html).text
