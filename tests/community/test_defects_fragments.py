"""Cooked post fragments (app/core/fragments.py): shared between like viewers, never stale,
never leaking one session's CSRF token to another."""

from __future__ import annotations

import re

import pytest

from app.community.forums.services.reactions import set_like
from app.core import fragments
from app.extensions import db
from tests.community.factories import topic_with_posts
from tests.factories import MemberFactory
from tests.html import parse


@pytest.fixture
def cache(app):  # type: ignore[no-untyped-def]
    store = fragments.cache_of(app)
    store.clear()
    store.hits = store.misses = 0
    yield store
    store.clear()


@pytest.fixture
def topic(category):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.core.time import utcnow

    topic = topic_with_posts(4, category=category)
    # Days old: "3 days ago" stays the same between two renders ("just now" can turn into
    # "1 minute ago" on a slow machine, which is a new fragment, rightly).
    from sqlalchemy import update

    from app.community.forums.models import Post

    db.session.execute(
        update(Post)
        .where(Post.topic_id == topic.id)
        .values(created_at=utcnow() - timedelta(days=3))
    )
    db.session.expire_all()
    return topic


def url(topic) -> str:  # type: ignore[no-untyped-def]
    return f"/t/{topic.id}-{topic.slug}"


def articles(html: str) -> list[str]:
    return re.findall(r'<article class="post.*?</article>', html, re.S)


def post_fragments(cache) -> int:  # type: ignore[no-untyped-def]
    """Cached posts (the cache also holds the viewer holes' fragments: actions, header)."""
    from app.community.forums.models import Post

    return sum(1 for key in cache.entries if key[0] is Post)


def test_a_second_render_comes_from_the_cache_and_is_the_same(
    client, login_as, cache, topic
) -> None:  # type: ignore[no-untyped-def]
    login_as("member")
    first = client.get(url(topic)).get_data(as_text=True)
    misses = cache.misses
    second = client.get(url(topic)).get_data(as_text=True)
    assert articles(first) == articles(second) and len(articles(first)) == 4
    # the second render asked the cache for the same fragments, and found every one
    assert post_fragments(cache) == 4 and cache.misses == misses and cache.hits >= 4


def test_members_alike_share_fragments(app, cache, topic) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        client = app.test_client()
        member = MemberFactory()
        with client.session_transaction() as sess:
            sess["_user_id"] = member.get_id()
        assert client.get(url(topic)).status_code == 200
    assert post_fragments(cache) == 4 and cache.hits >= 4  # the posts are shared


def test_a_like_shows_at_once(client, login_as, cache, topic) -> None:  # type: ignore[no-untyped-def]
    member = login_as("member")
    client.get(url(topic))
    post = topic.posts[1] if hasattr(topic, "posts") else None
    from sqlalchemy import select

    from app.community.forums.models import Post

    post = db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.post_number == 2)
    ).one()
    set_like(member, post.id, True)
    html = client.get(url(topic)).get_data(as_text=True)
    article = next(a for a in articles(html) if 'id="post-2"' in a)
    assert 'aria-pressed="true"' in article.split("like-form", 1)[1][:600]


def test_an_edited_body_and_a_renamed_author_show_at_once(client, login_as, cache, topic) -> None:  # type: ignore[no-untyped-def]
    login_as("member")
    client.get(url(topic))
    from sqlalchemy import select

    from app.community.forums.models import Post

    post = db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.post_number == 3)
    ).one()
    post.body_html = "<p>Changed words</p>"
    post.author.display_name = "Someone Renamed"
    db.session.flush()
    html = client.get(url(topic)).get_data(as_text=True)
    assert "Changed words" in html and "Someone Renamed" in html


def test_each_session_gets_its_own_csrf_token(app, cache, topic, csrf_enabled) -> None:  # type: ignore[no-untyped-def]
    tokens = []
    for _ in range(2):
        client = app.test_client()
        member = MemberFactory()
        with client.session_transaction() as sess:
            sess["_user_id"] = member.get_id()
        html = client.get(url(topic)).get_data(as_text=True)
        assert fragments.CSRF_PLACEHOLDER not in html
        found = set(re.findall(r'name="csrf_token" value="([^"]+)"', html))
        meta = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        assert found == {meta}  # every form of the page carries this session's token
        tokens.append(meta)
    assert post_fragments(cache) == 4 and cache.hits >= 4 and tokens[0] != tokens[1]
    post_id = re.search(r'action="/posts/(\d+)/like"', html).group(1)
    liked = client.post(f"/posts/{post_id}/like", data={"state": "on", "csrf_token": meta})
    assert liked.status_code == 302  # the token served from the cache is this session's


def test_french_fragments_are_french(client, login_as, cache, topic) -> None:  # type: ignore[no-untyped-def]
    login_as("member", locale="en")
    client.get(url(topic))
    login_as("member", locale="fr")
    html = client.get(url(topic)).get_data(as_text=True)
    assert parse(html).find("html")[0].attrs["lang"] == "fr"
    assert "Citer" in html or "Répondre" in html
    assert ">Quote<" not in html
