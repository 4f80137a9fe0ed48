"""`flask posts render`: stored post HTML follows today's sanitiser and image hosts."""

from __future__ import annotations

from sqlalchemy import select, update

from app.community.forums import services
from app.community.forums.models import Post


def test_posts_render_again_after_an_image_host_is_allowed(app, db, member, category) -> None:  # type: ignore[no-untyped-def]
    topic = services.create_topic(
        member, category.id, "Photos of the tent", "Look: ![tent](https://img.example.com/t.jpg)"
    )
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert "<img" not in post.body_html  # another host: a link, not an image
    app.config["POST_IMAGE_HOSTS"] = ("img.example.com",)
    try:
        result = app.test_cli_runner().invoke(args=["posts", "render"])
    finally:
        app.config["POST_IMAGE_HOSTS"] = ()
    assert result.exit_code == 0, result.output
    assert "1 rendered differently" in result.output
    html = db.session.scalar(
        select(Post.body_html).where(Post.id == post.id).execution_options(populate_existing=True)
    )
    assert '<img src="https://img.example.com/t.jpg" alt="tent">' in html


def test_render_leaves_up_to_date_posts_alone(app, db, member, category) -> None:  # type: ignore[no-untyped-def]
    services.create_topic(member, category.id, "Plain words here", "Nothing to change here.")
    db.session.execute(update(Post).values(body_html="<p>stale</p>"))
    first = app.test_cli_runner().invoke(args=["posts", "render"])
    assert first.exit_code == 0 and "1 rendered differently" in first.output
    again = app.test_cli_runner().invoke(args=["posts", "render"])
    assert again.exit_code == 0 and "0 rendered differently" in again.output


def test_render_never_overwrites_an_edit_made_meanwhile(
    app, db, member, category, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from app.community.forums import rendering

    services.create_topic(member, category.id, "Edited meanwhile", "The first words.")
    post = db.session.scalar(select(Post).order_by(Post.id.desc()))
    db.session.execute(update(Post).where(Post.id == post.id).values(body_html="<p>stale</p>"))
    real = rendering.render_markdown

    def render_while_edited(text):  # type: ignore[no-untyped-def]
        db.session.execute(
            update(Post)
            .where(Post.id == post.id)
            .values(body="The moderated words.", body_html="<p>The moderated words.</p>")
        )
        return real(text)

    monkeypatch.setattr(rendering, "render_markdown", render_while_edited)
    rendering.render_all_posts()
    html = db.session.scalar(
        select(Post.body_html).where(Post.id == post.id).execution_options(populate_existing=True)
    )
    assert html == "<p>The moderated words.</p>"
