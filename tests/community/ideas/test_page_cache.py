"""Visitors' idea pages come from the page cache, and a vote or a status change is seen at
once (both write the ideas table, which the cache watches)."""

from __future__ import annotations

from app.community.ideas import services, workflow
from tests.factories import MemberFactory


def test_the_board_page_is_cached_for_visitors_and_fresh_after_a_vote(
    client, page_cache_on, idea, board
):
    path = f"/ideas/b/{board.slug}/"
    first = client.get(path).get_data(as_text=True)
    assert client.get(path).get_data(as_text=True) == first
    assert page_cache_on.hits == 1
    services.vote(MemberFactory(), idea.id, 2)
    page = client.get(path).get_data(as_text=True)
    assert '<span class="vote-count" aria-label="1 vote">1</span>' in page


def test_the_idea_page_shows_a_new_status_at_once(client, page_cache_on, idea, product):
    path = f"/ideas/{idea.id}"
    assert "Official response" not in client.get(path).get_data(as_text=True)
    client.get(path)
    workflow.change_status(product, idea.id, "planned", "Coming next spring.")
    assert "Coming next spring." in client.get(path).get_data(as_text=True)


def test_members_never_read_the_cache(client, page_cache_on, login_as, idea, board):
    path = f"/ideas/b/{board.slug}/"
    client.get(path)
    login_as()
    client.get(path)
    assert page_cache_on.hits == 0


def test_visitors_pages_write_no_session(client, csrf_enabled, idea, board):
    for path in ("/ideas/", f"/ideas/b/{board.slug}/", f"/ideas/{idea.id}", "/roadmap"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers, path
