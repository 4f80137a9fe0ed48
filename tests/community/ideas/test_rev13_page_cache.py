"""Review of the visitors' page cache (rev13): what a write must invalidate, what may never
be stored."""

from __future__ import annotations

from app.extensions import db
from tests.community.factories import topic_with_posts


def test_a_board_restricted_by_an_admin_is_no_longer_served_to_visitors(
    client, page_cache_on, idea, board
) -> None:  # type: ignore[no-untyped-def]
    path = f"/ideas/b/{board.slug}/"
    assert client.get(path).status_code == 200
    board.audience = {"min_tier": "gold"}
    db.session.flush()
    assert client.get(path).status_code == 404
    assert client.get(f"/ideas/{idea.id}").status_code == 404


def _url(topic) -> str:  # type: ignore[no-untyped-def]
    return f"/t/{topic.id}-{topic.slug}"


def test_a_page_showing_the_visitors_csrf_token_is_never_stored(
    client, page_cache_on, category, csrf_enabled, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A returning visitor's session already holds a token, so rendering one writes no
    session: a form shown to visitors by mistake must not hand their token to others."""
    from flask_wtf.csrf import generate_csrf

    from app.community.forums import routes

    topic = topic_with_posts(2, category=category)
    client.get("/auth/login")  # the visitor's session now holds a CSRF token
    real = routes.render_template
    monkeypatch.setattr(
        routes,
        "render_template",
        lambda *a, **k: real(*a, **k).replace("</main>", f"<i>{generate_csrf()}</i></main>"),
    )
    first = client.get(_url(topic)).get_data(as_text=True)
    assert len(page_cache_on.entries) == 0
    other = client.application.test_client()
    assert other.get(_url(topic)).get_data(as_text=True) != first


def test_a_post_hidden_by_moderation_and_a_restricted_category_leave_the_cache(
    client, page_cache_on, category, moderator
) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.community.forums.models import Post
    from app.community.forums.services.moderation_state import hide_post
    from app.core.db import unit_of_work

    topic = topic_with_posts(3, category=category)
    reply = db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.post_number == 2)
    ).one()
    reply.body_html = "<p>Soon to be hidden</p>"
    db.session.flush()
    assert "Soon to be hidden" in client.get(_url(topic)).get_data(as_text=True)
    with unit_of_work():
        hide_post(reply, "spam", moderator.id)
    assert "Soon to be hidden" not in client.get(_url(topic)).get_data(as_text=True)
    assert client.get("/latest").status_code == 200
    category.min_tier_rank = 2
    db.session.flush()
    assert client.get(_url(topic)).status_code == 404
    assert topic.title not in client.get("/latest").get_data(as_text=True)
