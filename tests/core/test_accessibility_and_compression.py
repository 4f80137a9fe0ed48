"""Avatar colours readable under white initials (WCAG AA), and compressed responses."""

from __future__ import annotations

import gzip

import brotli
import pytest

from app.core.templating import AVATAR_COLOURS, avatar_svg


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_values() -> None:
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert contrast("#ffffff", "#777777") == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("colour", AVATAR_COLOURS)
def test_white_initials_on_every_avatar_colour_reach_aa(colour: str) -> None:
    assert contrast("#ffffff", colour) >= 4.5


def test_every_avatar_colour_is_used() -> None:
    seen = set()
    for i in range(400):
        svg = str(avatar_svg(f"member {i}"))
        seen.add(svg.split('fill="', 1)[1].split('"', 1)[0])
    assert seen == set(AVATAR_COLOURS)


def test_pages_are_compressed_with_brotli_when_the_browser_accepts_it(client) -> None:
    response = client.get("/auth/login", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in response.headers["Vary"]
    html = brotli.decompress(response.data).decode()
    assert "<html" in html and "</html>" in html


def test_pages_are_gzipped_for_a_browser_without_brotli(client) -> None:
    response = client.get("/auth/login", headers={"Accept-Encoding": "gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"</html>" in gzip.decompress(response.data)


def test_nothing_is_compressed_without_accept_encoding(client) -> None:
    response = client.get("/auth/login")
    assert "Content-Encoding" not in response.headers
    assert b"</html>" in response.data


def test_tiny_responses_are_not_compressed(client) -> None:
    response = client.get("/healthz", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code in {200, 503}
    assert len(response.data) < 1024
    assert "Content-Encoding" not in response.headers


def test_static_text_is_compressed_and_images_are_not(client) -> None:
    css = client.get("/static/css/app.css", headers={"Accept-Encoding": "br"})
    assert css.headers.get("Content-Encoding") == "br"
    assert b"{" in brotli.decompress(b"".join(css.response))
    css.close()
