"""@mentions in rendered posts: core's markup hook (app/core/markup.py) with the resolver
of app/notifications/mentions.py. Existing members become links to their profile; unknown
names, code, links and hostile text stay as they were, sanitised."""

from __future__ import annotations

from app.community.forums import services as forums
from app.core.markup import render_markdown, sanitize_html
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


def test_existing_members_are_linked_unknown_names_stay_text(db):
    MemberFactory(username="Ana_B")
    html = render_markdown("Thanks @ana_b and @nobody, and @Ana_B.")
    assert html.count('<a href="/members/Ana_B" class="mention"') == 2
    assert ">@ana_b</a>" in html and ">@Ana_B</a>." in html  # as written, the dot outside
    assert "@nobody" in html and "/members/nobody" not in html


def test_no_link_in_code_links_or_addresses(db):
    MemberFactory(username="ana")
    html = render_markdown(
        "`@ana` and\n\n```\n@ana\n```\n\n[see @ana](https://example.com) mail ana@ana.example"
    )
    assert 'class="mention"' not in html
    assert "<code>@ana</code>" in html


def test_hostile_text_around_a_mention_stays_inert(db):
    MemberFactory(username="ana")
    html = render_markdown('<script>alert(1)</script> @ana <img src=x onerror="x()"> "q"')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert '<a href="/members/ana" class="mention" rel="nofollow ugc noopener">@ana</a>' in html
    # The sanitiser alone never links (only render_markdown asks the resolver).
    assert 'class="mention"' not in sanitize_html("<p>@ana</p>")


def test_erased_members_are_not_linked(db):
    from app.core.time import utcnow

    MemberFactory(username="gone", erased_at=utcnow())
    assert 'class="mention"' not in render_markdown("Hello @gone")


def test_a_reply_links_its_mentions_in_the_topic(db, client):
    MemberFactory(username="bea")
    author = MemberFactory()
    topic = forums.create_topic(author, CategoryFactory().id, "Mentions", "First post here.")
    post = forums.reply(author, topic.id, "What do you think, @bea?")
    assert '<a href="/members/bea" class="mention"' in post.body_html
    page = client.get(f"/t/{topic.id}", follow_redirects=True)
    assert 'href="/members/bea"' in page.get_data(as_text=True)
