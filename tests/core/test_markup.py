"""The one sanitiser: whatever a member writes, the HTML shown is inert."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.markup import (
    ALLOWED_ATTRIBUTES,
    ALLOWED_TAGS,
    LINK_REL,
    render_markdown,
    sanitize_html,
)

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction"}

HOSTILE = [
    # script tags in every case and spelling
    "<script>alert(1)</script>",
    "<SCRIPT>alert(1)</SCRIPT>",
    "<ScRiPt src=//evil.example/x.js></ScRiPt>",
    "<script/xss src=x></script>",
    "<<script>script>alert(1)<</script>/script>",
    "<scr<script>ipt>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "<script>alert(1)",
    # event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="x" ONERROR="alert(1)">',
    "<body onload=alert(1)>",
    '<a href="https://example.com" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">hover</p>',
    "<img src=x onerror\n=alert(1)>",
    "<div/onclick=alert(1)>x</div>",
    # dangerous URLs, plain, encoded and obfuscated
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#9;ascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="javascript:alert(1)">',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    # embedding elements
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="evil.swf"></object>',
    '<embed src="evil.swf">',
    "<style>body{display:none}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<svg><script>alert(1)</script></svg>",
    "<svg onload=alert(1)>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "<form action=javascript:alert(1)><button>x</button></form>",
    '<button formaction="javascript:alert(1)">x</button>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<template><script>alert(1)</script></template>",
    # malformed and unclosed
    "<a href='https://example.com",
    "<b><i>unclosed",
    '<img src="x" alt="a"b onerror=alert(1)>',
    "<p>unterminated <em>tags <strong>everywhere",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "</title><script>alert(1)</script>",
    '"><script>alert(1)</script>',
    # markdown link and image injection, autolinks
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](java&#x09;script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![i](javascript:alert(1))",
    '![i](x" onerror="alert(1))',
    '[x](https://example.com "title" onclick=alert(1))',
    "[x][1]\n\n[1]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "<https://example.com/ok>",
    "www.example.com and https://example.com/path?q=1",
    "mailto:someone@example.com",
]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _tags(output: str) -> list[tuple[str, dict[str, str | None]]]:
    collector = _Collector()
    collector.feed(output)
    collector.close()
    return collector.tags


def _normalised_url(value: str) -> str:
    """What a browser would read (the parser already decoded entities once, as a browser
    does): control characters and spaces dropped, lower-cased."""
    return re.sub(r"[\x00-\x20]", "", value).lower()


def assert_inert(output: str) -> None:
    for tag, attrs in _tags(output):
        assert tag in ALLOWED_TAGS, f"tag <{tag}> survived: {output!r}"
        allowed = set(ALLOWED_ATTRIBUTES.get(tag, ()))
        for name, value in attrs.items():
            assert name in allowed, f"attribute {name} on <{tag}> survived: {output!r}"
            if name in URL_ATTRIBUTES and value:
                assert not _normalised_url(value).startswith(DANGEROUS_SCHEMES), output
        if tag == "a":
            assert attrs.get("rel") == LINK_REL, f"link without rel={LINK_REL!r}: {output!r}"


@pytest.mark.parametrize("payload", HOSTILE)
def test_sanitize_html_leaves_hostile_html_inert(payload: str) -> None:
    assert_inert(sanitize_html(payload))


@pytest.mark.parametrize("payload", HOSTILE)
def test_render_markdown_leaves_hostile_input_inert(payload: str) -> None:
    assert_inert(render_markdown(payload))


def test_raw_html_in_markdown_is_shown_as_text() -> None:
    assert render_markdown("<b>hi</b>") == "<p>&lt;b&gt;hi&lt;/b&gt;</p>\n"


def test_script_content_is_not_kept_as_a_script() -> None:
    output = sanitize_html("<script>alert(1)</script>")
    assert "<script" not in output.lower()


def test_markdown_javascript_link_is_not_a_link() -> None:
    output = render_markdown("[click me](javascript:alert(1))")
    assert not any(tag == "a" for tag, _attrs in _tags(output))
    assert "click me" in output


def test_markdown_link_keeps_a_safe_href_and_gets_rel() -> None:
    output = render_markdown("[the club](https://example.com/club)")
    assert _tags(output) == [
        ("p", {}),
        ("a", {"href": "https://example.com/club", "rel": LINK_REL}),
    ]


def test_author_rel_and_target_are_replaced() -> None:
    output = sanitize_html('<a href="https://example.com" rel="opener" target="_blank">x</a>')
    assert _tags(output) == [("a", {"href": "https://example.com", "rel": LINK_REL})]


def test_bare_urls_become_links() -> None:
    output = render_markdown("see www.example.com")
    assert ("a", {"href": "http://www.example.com", "rel": LINK_REL}) in _tags(output)


def test_javascript_autolink_is_not_a_link() -> None:
    assert not any(tag == "a" for tag, _ in _tags(render_markdown("<javascript:alert(1)>")))


def test_image_on_another_host_is_a_link_to_it_not_an_image() -> None:
    output = render_markdown("![a tent](https://example.com/tent.jpg)")
    assert _tags(output) == [
        ("p", {}),
        (
            "a",
            {"href": "https://example.com/tent.jpg", "class": "external-image", "rel": LINK_REL},
        ),
    ]
    assert ">a tent</a>" in output


def test_image_without_alt_text_links_with_its_address() -> None:
    output = render_markdown("![](https://example.com/tent.jpg)")
    assert ">https://example.com/tent.jpg</a>" in output
    assert "<img" not in output


def test_image_on_an_allowed_host_stays_an_image() -> None:
    output = render_markdown("![a tent](https://cdn.example.com/tent.jpg)", ("cdn.example.com",))
    assert ("img", {"src": "https://cdn.example.com/tent.jpg", "alt": "a tent"}) in _tags(output)


def test_image_on_this_site_stays_an_image() -> None:
    output = render_markdown("![logo](/static/img/hero.svg)")
    assert ("img", {"src": "/static/img/hero.svg", "alt": "logo"}) in _tags(output)


def test_raw_html_image_from_another_host_is_a_link() -> None:
    output = sanitize_html('<img src="https://evil.example/pixel.gif" alt="hi">')
    assert _tags(output) == [
        (
            "a",
            {
                "href": "https://evil.example/pixel.gif",
                "class": "external-image",
                "rel": LINK_REL,
            },
        )
    ]


@pytest.mark.parametrize(
    "src",
    [
        "//evil.example/pixel.gif",
        "///evil.example/pixel.gif",
        "https:///evil.example/pixel.gif",
        "/\\evil.example/pixel.gif",
        "https://cdn.example.com@evil.example/pixel.gif",
        "https://cdn.example.com.evil.example/pixel.gif",
        "https://cdn.example.com:8443/pixel.gif",
        "https:cdn.example.com/pixel.gif",
    ],
)
def test_disguised_other_hosts_are_not_taken_for_allowed_ones(src: str) -> None:
    output = sanitize_html(f'<img src="{src}" alt="x">', ("cdn.example.com",))
    assert [tag for tag, _ in _tags(output)] == ["a"]


def test_allowed_host_list_comes_from_the_settings(app, monkeypatch) -> None:
    source = "![a](https://cdn.example.com/a.jpg)"
    assert [tag for tag, _ in _tags(render_markdown(source))] == ["p", "a"]
    monkeypatch.setitem(app.config, "POST_IMAGE_HOSTS", ("cdn.example.com",))
    assert [tag for tag, _ in _tags(render_markdown(source))] == ["p", "img"]


def test_image_inside_a_link_becomes_its_text() -> None:
    output = render_markdown("[![badge](https://evil.example/b.svg)](https://example.com/)")
    assert _tags(output) == [("p", {}), ("a", {"href": "https://example.com/", "rel": LINK_REL})]
    assert ">badge</a>" in output


def test_alt_text_of_a_linked_image_stays_text() -> None:
    output = sanitize_html(
        '<img src="https://evil.example/x.png" alt="&lt;script&gt;alert(1)&lt;/script&gt;">'
    )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;</a>" in output
    assert "<script" not in output


def test_markdown_formatting_survives() -> None:
    output = render_markdown("**bold** and *italic*\n\n- one\n- two\n\n`code`")
    tags = [tag for tag, _ in _tags(output)]
    assert {"strong", "em", "ul", "li", "code"} <= set(tags)


def test_empty_and_none_input_give_empty_output() -> None:
    assert sanitize_html("") == ""
    assert render_markdown(None) == ""  # type: ignore[arg-type]


FRAGMENTS = st.sampled_from(
    [
        "<", ">", "</", "/>", '"', "'", "=", "&", "&#x09;", "&#106;", "\t", "\n", " ",
        "script", "a", "img", "svg", "iframe", "style", "href", "src", "onerror", "onload",
        "javascript:", "JaVaScRiPt:", "vbscript:", "data:", "alert(1)", "[", "]", "(", ")",
        "!", "*", "`", "http://x.example", "www.x.example", "<a href=", "<img src=",
    ]
)  # fmt: skip
HOSTILE_TEXT = st.one_of(
    st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=3))).map("".join)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_TEXT)
def test_any_text_renders_to_allowed_markup_only(text: str) -> None:
    assert_inert(render_markdown(text))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE_TEXT)
def test_any_html_sanitises_to_allowed_markup_only(text: str) -> None:
    assert_inert(sanitize_html(text))


@pytest.mark.parametrize(
    "unsafe",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="jav&#x09;ascript:alert(1)" rel="nofollow ugc noopener">x</a>',
        '<a href="https://example.com">no rel</a>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_the_inertness_check_itself_rejects_dangerous_markup(unsafe: str) -> None:
    with pytest.raises(AssertionError):
        assert_inert(unsafe)
