"""User cards: clicking an author fetches a small fragment (the popover); without
JavaScript the same link is the profile. Counts only what the viewer may read."""

from __future__ import annotations

import pytest

from app.community.forums import queries, services
from tests.community.factories import topic_with_posts
from tests.conftest import drain_events
from tests.factories import MemberFactory

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


def test_the_author_link_is_the_profile_and_names_its_card(client, category):
    topic = topic_with_posts(1, category=category)
    page = client.get(queries.topic_url(topic)).get_data(as_text=True)
    name = topic.author.username
    assert f'class="post-author" href="/members/{name}"' in page
    assert f'data-user-card="/forums/members/{name}/card"' in page


@pytest.mark.parametrize("role", ["visitor", "member", "moderator", "admin"])
def test_every_role_gets_the_card(client, login_as, role):
    if role != "visitor":
        login_as(role)
    hugo = MemberFactory(username="hugo", display_name="Hugo Petit", bio="Trail runner.")
    response = client.get("/forums/members/hugo/card")
    assert response.status_code == 200
    card = response.get_data(as_text=True)
    assert "<html" not in card  # a fragment, not a page
    assert "Hugo Petit" in card and "@hugo" in card and "Trail runner." in card
    assert f'href="/members/{hugo.username}"' in card


def test_an_unknown_member_has_no_card(client):
    assert client.get("/forums/members/nobody-here/card").status_code == 404


def test_the_card_counts_only_what_the_viewer_may_read(client, login_as, gold_category):
    author = MemberFactory(username="goldie", tier="gold")
    services.create_topic(author, gold_category.id, "Gold members only thread", "Hello gold.")
    drain_events()  # the member's stored counters
    card = client.get("/forums/members/goldie/card").get_data(as_text=True)
    assert "<dt>Topics</dt><dd>0</dd>" in card
    login_as("member", tier="gold")
    card = client.get("/forums/members/goldie/card").get_data(as_text=True)
    assert "<dt>Topics</dt><dd>1</dd>" in card


def test_the_card_escapes_what_members_wrote(client):
    MemberFactory(username="mallory", display_name="<script>x()</script>", bio="<b>bold</b>")
    card = client.get("/forums/members/mallory/card").get_data(as_text=True)
    assert "<script>x()" not in card and "&lt;script&gt;" in card
    assert "<b>bold</b>" not in card


def test_the_card_in_french(client):
    MemberFactory(username="hugo")
    card = client.get("/forums/members/hugo/card", headers=FR).get_data(as_text=True)
    assert "Membre depuis" in card and "Voir le profil" in card
