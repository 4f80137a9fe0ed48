"""The composer: toolbar and preview on the three writing pages, the live preview endpoint
(the saved post's renderer and sanitiser), the Preview button without JavaScript, emoji."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import services
from app.community.forums.models import Post, Topic
from app.core.emoji import EMOJI, replace_shortcodes
from app.core.markup import render_markdown

HOSTILE = "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"


@pytest.fixture
def topic(member, other, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which pegs?")
    services.reply(other, topic.id, "The long V-shaped ones.")
    return topic


def _first(db, topic) -> Post:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def test_preview_is_the_saved_posts_html(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    login_as()
    body = "**Bold** and :smile: and @nobody " + HOSTILE
    response = client.post("/composer/preview", data={"body": body})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert html == render_markdown(body)
    assert "<strong>Bold</strong>" in html and "😄" in html
    assert "<script" not in html and 'href="javascript' not in html and "<img" not in html


def test_preview_needs_a_member(client, db):  # type: ignore[no-untyped-def]
    assert client.post("/composer/preview", data={"body": "x"}).status_code == 302


def test_preview_needs_the_csrf_token(client, login_as, db, csrf_enabled):  # type: ignore[no-untyped-def]
    login_as()
    assert client.post("/composer/preview", data={"body": "x"}).status_code == 400


@pytest.mark.parametrize("page", ["new_topic", "reply", "edit"])
def test_every_writing_page_has_the_composer(client, login_as, db, member, topic, category, page):  # type: ignore[no-untyped-def]
    login_as(member=member)
    url = {
        "new_topic": f"/forums/{category.slug}/new",
        "reply": f"/t/{topic.id}/reply",
        "edit": f"/posts/{_first(db, topic).id}/edit",
    }[page]
    html = client.get(url).get_data(as_text=True)
    assert 'role="toolbar"' in html
    for label in ("Bold", "Italic", "Link", "Quote", "Bulleted list", "Code", "Image"):
        assert f'aria-label="{label}"' in html
    assert 'name="preview"' in html
    assert "js/composer.js" in html
    assert "data-draft-key=" in html


def test_the_preview_button_without_javascript_keeps_the_text_and_writes_nothing(  # type: ignore[no-untyped-def]
    client, login_as, db, topic
):
    login_as()
    before = db.session.scalar(select(func.count(Post.id)))
    response = client.post(
        f"/t/{topic.id}/reply", data={"body": "Try **this** peg :tent:", "preview": "1"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Try **this** peg :tent:</textarea>" in html
    assert "<strong>this</strong>" in html and "⛺" in html
    assert db.session.scalar(select(func.count(Post.id))) == before


def test_preview_of_a_new_topic_keeps_the_title(client, login_as, db, category):  # type: ignore[no-untyped-def]
    login_as()
    response = client.post(
        f"/forums/{category.slug}/new",
        data={"title": "Which stove for winter?", "body": "_Gas_ or liquid?", "preview": "1"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Which stove for winter?"' in html
    assert "<em>Gas</em>" in html
    assert db.session.scalar(select(func.count(Topic.id))) == 0


def test_preview_of_an_edit_writes_no_revision(client, login_as, db, member, topic):  # type: ignore[no-untyped-def]
    login_as(member=member)
    post = _first(db, topic)
    response = client.post(f"/posts/{post.id}/edit", data={"body": "Which *pegs*?", "preview": "1"})
    assert response.status_code == 200
    assert "<em>pegs</em>" in response.get_data(as_text=True)
    db.session.refresh(post)
    assert post.body == "Which pegs?" and post.revision_count == 0


def test_quoting_asks_the_script_to_put_the_cursor_after_the_quote(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    login_as()
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    assert "data-focus-end" in client.get(f"/t/{topic.id}/reply?quote={post.id}").get_data(
        as_text=True
    )
    assert "data-focus-end" not in client.get(f"/t/{topic.id}/reply").get_data(as_text=True)


def test_the_composer_is_in_french(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    login_as(locale="fr")
    html = client.get(f"/t/{topic.id}/reply").get_data(as_text=True)
    assert 'aria-label="Gras"' in html
    assert "Aperçu" in html


def test_emoji_shortcodes_become_emoji_in_text_only():  # type: ignore[no-untyped-def]
    html = render_markdown(":smile: `:smile:` [:smile:](https://example.com) :unknown: 10:30:45")
    assert html.count("😄") == 1
    assert "<code>:smile:</code>" in html
    assert ":unknown:" in html and "10:30:45" in html
    assert replace_shortcodes("a:+1:b") == "a:+1:b"  # inside a word: left alone
    assert replace_shortcodes(":+1: :tada:") == "👍 🎉"


def test_the_emoji_table_is_served_for_suggestions(client):  # type: ignore[no-untyped-def]
    response = client.get("/composer/emoji.json")
    assert response.status_code == 200
    assert response.get_json() == EMOJI
    assert "max-age" in response.headers["Cache-Control"]


# Measured: 3 (session member, topic, the draft); a quote adds the quoted post and its
# author: 5. With or without a draft, the same.
REPLY_PAGE_MAX = 5


@pytest.mark.parametrize("with_draft", [False, True])
def test_the_reply_page_runs_a_bounded_number_of_queries(  # type: ignore[no-untyped-def]
    client, login_as, db, queries, topic, with_draft
):
    from app.community.forums import drafts

    member = login_as()
    if with_draft:
        drafts.save_draft(member, drafts.reply_key(topic.id), "Half a thought")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    for path in (f"/t/{topic.id}/reply", f"/t/{topic.id}/reply?quote={post.id}"):
        db.session.expunge_all()
        with queries() as q:
            assert client.get(path).status_code == 200
        assert len(q) <= REPLY_PAGE_MAX, q


def test_a_refused_reply_shows_the_error_inside_the_composer(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    login_as()
    response = client.post(f"/t/{topic.id}/reply", data={"body": "x"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert "Write at least 2 characters." in html
    assert 'aria-label="Bold"' in html
