"""Review (rev13): what a member writes can never be taken for the fragment cache's CSRF
placeholder (SQLite keeps a NUL byte in a display name; the token would be written there)."""

from __future__ import annotations

import re

import pytest

from app.core import fragments
from app.extensions import db
from tests.community.factories import topic_with_posts
from tests.factories import MemberFactory


@pytest.fixture
def cache(app):  # type: ignore[no-untyped-def]
    store = fragments.cache_of(app)
    store.clear()
    yield store
    store.clear()


@pytest.mark.parametrize("marker", ["\x00csrf\x00", fragments.CSRF_PLACEHOLDER])
def test_a_display_name_holding_the_placeholder_never_receives_a_token(
    app, cache, category, csrf_enabled, marker
) -> None:  # type: ignore[no-untyped-def]
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL refuses NUL bytes in text")
    topic = topic_with_posts(2, category=category)
    topic.author.display_name = f"Eve x{marker}x"
    db.session.flush()
    for _ in range(2):  # the second member is served the cached fragment
        client = app.test_client()
        with client.session_transaction() as sess:
            sess["_user_id"] = MemberFactory().get_id()
        html = client.get(f"/t/{topic.id}-{topic.slug}").get_data(as_text=True)
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        for article in re.findall(r'<article class="post.*?</article>', html, re.S):
            names = re.findall(r'class="post-author"[^>]*>([^<]*)<', article)
            assert all(token not in name for name in names)
