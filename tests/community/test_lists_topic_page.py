"""The topic page's reading comforts: each post an <article> with a heading, a compact
topic map (participants, jump to post N without JavaScript), suggested topics at the end,
and the keyboard shortcuts' help."""

from __future__ import annotations

import re

import pytest

from app.community.forums import queries
from app.community.forums import queries as queries_module
from app.community.forums.read_state import mark_read
from tests.community.factories import CategoryFactory, topic_with_posts

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def _page(client, path: str, **kwargs) -> str:  # type: ignore[no-untyped-def]
    response = client.get(path, **kwargs)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_each_post_is_an_article_labelled_by_its_heading(client, category):
    topic = topic_with_posts(3, category=category)
    page = _page(client, queries.topic_url(topic))
    articles = re.findall(r'<article [^>]*aria-labelledby="(post-\d+-by)"', page)
    assert articles == ["post-1-by", "post-2-by", "post-3-by"]
    for label in articles:
        assert f'<h2 class="post-by" id="{label}">' in page


def test_the_topic_map_shows_the_participants(client, category):
    topic = topic_with_posts(7, category=category)
    page = _page(client, queries.topic_url(topic))
    assert "Topic map" in page
    assert "Top participants" in page
    section = page[page.index('class="participants"') :]
    section = section[: section.index("</ul>")]
    assert section.count("<li>") == 4  # the author and the factory's three repliers


@pytest.mark.parametrize("asked,lands", [("5", 5), ("999", 45), ("0", 1), ("x", 1)])
def test_jump_to_post_n_works_without_javascript(client, category, asked, lands):
    topic = topic_with_posts(45, category=category)
    page = _page(client, queries.topic_url(topic))
    assert f'action="/t/{topic.id}-{topic.slug}/jump"' in page
    response = client.get(f"/t/{topic.id}-{topic.slug}/jump?n={asked}")
    assert response.status_code == 302
    target = queries.post_anchor_url(topic, lands)
    assert target.endswith(response.headers["Location"])
    assert target.endswith(f"#post-{lands}")


def test_suggested_topics_put_unread_first_then_top(client, login_as, category):
    reader = login_as("member")
    here = topic_with_posts(2, category=category)
    liked = topic_with_posts(2, category=category, title="Much liked topic")
    liked.like_count = 40
    unread = topic_with_posts(4, category=category, title="Topic with unread posts")
    mark_read(reader.id, unread.id, 1)
    mark_read(reader.id, liked.id, 2)
    topic_with_posts(2, category=CategoryFactory(), title="Topic of another category")
    page = _page(client, queries.topic_url(here))
    block = page[page.index('id="suggested-heading"') :]
    assert block.index("Topic with unread posts") < block.index("Much liked topic")
    assert "Topic of another category" not in block


def test_suggested_topics_only_on_the_last_page(client, category):
    topic = topic_with_posts(25, category=category)
    topic_with_posts(2, category=category, title="Another topic here")
    assert "Suggested topics" not in _page(client, queries.topic_url(topic))
    assert "Suggested topics" in _page(client, queries.topic_url(topic, 2))


def test_the_shortcuts_help_is_on_the_page(client, category):
    topic = topic_with_posts(2, category=category)
    page = _page(client, queries.topic_url(topic))
    assert '<dialog class="shortcuts-dialog" id="shortcuts-help"' in page
    assert "<kbd>j</kbd>" in page and "<kbd>?</kbd>" in page
    assert "js/comforts.js" in page


def test_topic_page_comforts_in_french(client, login_as, category):
    login_as("member")
    topic = topic_with_posts(3, category=category)
    page = _page(client, queries.topic_url(topic), headers=FR)
    for text in ("Aperçu du sujet", "Aller au message", "Raccourcis clavier", "Message suivant"):
        assert text in page, text


@pytest.mark.parametrize("role", ["visitor", "member", "moderator", "admin"])
def test_every_role_reads_the_topic_page(client, login_as, category, role):
    if role != "visitor":
        login_as(role)
    topic = topic_with_posts(3, category=category)
    topic_with_posts(2, category=category, title="Next one to read")
    page = _page(client, queries.topic_url(topic))
    assert "Topic map" in page and "Next one to read" in page
    assert ("Bookmark topic" in page) is (role != "visitor")


def test_participants_are_cached_per_topic_version(app, queries, category):
    from app.community.forums import services
    from app.extensions import db

    topic = topic_with_posts(3, category=category)
    app.config["FORUM_PARTICIPANTS_TTL"] = 60
    queries_module._PARTICIPANTS.clear()  # ids are reused after other tests' rollbacks
    try:
        first = queries_module.participants(topic)
        with queries() as q:
            again = queries_module.participants(topic)
        assert again == first and len(q) == 0
        services.reply(topic.author, topic.id, "One more from the author.")
        db.session.refresh(topic)
        with queries() as q:
            changed = queries_module.participants(topic)
        assert len(q) == 1
        assert changed[0].username == topic.author.username and changed[0].posts == 2
    finally:
        app.config.pop("FORUM_PARTICIPANTS_TTL")
        queries_module._PARTICIPANTS.clear()
