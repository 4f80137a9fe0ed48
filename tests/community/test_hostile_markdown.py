"""Hostile posts are rendered inert: stored sanitised, printed without live markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.community.forums import services
from app.community.forums.models import Post
from app.extensions import db

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg onload=alert(1)><circle r=5></svg>",
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](&#106;avascript:alert(1))",
    "![pic](javascript:alert(1))",
    '<a href="javascript:alert(1)">raw link</a>',
    "<scr<script>ipt>alert(1)</script>",
    '"><script>alert(1)</script><p class="',
    "<iframe src=https://evil.example></iframe>",
    "<<b>>unclosed <div><table><tr><td onmouseover=alert(1)>cell",
    "```\n</code></pre><script>alert(1)</script>\n```",
    '<a href="https://ok.example" onclick="alert(1)">ok</a>',
]

ASSET_SCRIPT = re.compile(r'<script src="/static/[^"]+"( defer)?></script>')


class _Tags(HTMLParser):
    """Every element and attribute the browser would build from the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, {k.lower(): (v or "") for k, v in attrs}))


def assert_inert(html: str) -> None:
    """No script or frame element, no event-handler attribute, no javascript: URL.

    Raw HTML in a post is shown as text (`&lt;img onerror=...&gt;`), which is harmless, so
    handlers are looked for in the parsed elements rather than in the text.
    """
    page = ASSET_SCRIPT.sub("", html)
    assert "<script" not in page.lower()
    assert 'href="javascript:' not in page.lower()
    parser = _Tags()
    parser.feed(page)
    for tag, attrs in parser.tags:
        assert tag not in {"script", "iframe", "object", "embed"}, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}=...>"
            if name in {"href", "src", "action", "formaction"}:
                assert not value.strip().lower().startswith("javascript:"), f"<{tag} {name}>"


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_reply_is_inert_on_the_topic_page(client, member, other, category, payload):
    topic = services.create_topic(member, category.id, "A perfectly normal topic", "Hello")
    services.reply(other, topic.id, f"Look: {payload}")
    response = client.get(f"/t/{topic.id}-{topic.slug}")
    assert response.status_code == 200
    assert_inert(response.get_data(as_text=True))


def test_hostile_title_is_escaped_everywhere(client, member, category):
    title = '<script>alert("t")</script> <img src=x onerror=alert(1)>'
    topic = services.create_topic(member, category.id, title, "Body text")
    for path in (f"/t/{topic.id}-{topic.slug}", "/latest", "/forums/tents/", "/forums/", "/"):
        assert_inert(client.get(path).get_data(as_text=True))


def test_hostile_edit_is_inert_in_the_history(client, member, category):
    topic = services.create_topic(member, category.id, "A perfectly normal topic", "Hello")
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    services.edit_post(member, post_id, "<script>alert(1)</script> <img src=x onerror=alert(1)>")
    assert_inert(client.get(f"/posts/{post_id}/history").get_data(as_text=True))


def test_hostile_quote_is_inert_in_the_reply_form(client, login_as, member, category):
    topic = services.create_topic(
        member, category.id, "A perfectly normal topic", "</textarea><script>alert(1)</script>"
    )
    login_as("member")
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))
    html = client.get(f"/t/{topic.id}/reply?quote={post_id}").get_data(as_text=True)
    assert_inert(html)


def test_hostile_post_excerpt_is_inert_on_the_profile(client, member, category):
    services.create_topic(
        member, category.id, "A perfectly normal topic", "<img src=x onerror=alert(1)> hi"
    )
    assert_inert(client.get(f"/members/{member.username}").get_data(as_text=True))


@pytest.mark.parametrize(
    "live",
    [
        '<p><img src="x" onerror="alert(1)"></p>',
        '<a href="javascript:alert(1)">x</a>',
        "<div><script>alert(1)</script></div>",
    ],
)
def test_the_inertness_check_catches_live_markup(live):
    with pytest.raises(AssertionError):
        assert_inert(live)
