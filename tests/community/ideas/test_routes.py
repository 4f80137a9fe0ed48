"""Idea pages: what each role sees and may post; bad input keeps the text."""

from __future__ import annotations

from sqlalchemy import func, select

from app.community.ideas import services, workflow
from app.community.ideas.models import Idea, IdeaVote
from app.extensions import db
from tests.factories import MemberFactory


def test_pages_render_for_a_visitor(client, idea, board):
    for url in ("/ideas/", f"/ideas/b/{board.slug}/", f"/ideas/{idea.id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Lighter tent poles" in response.get_data(as_text=True), url
    for url in ("/roadmap", "/changelog"):
        assert client.get(url).status_code == 200, url


def test_roadmap_and_changelog_show_planned_and_shipped_ideas(client, idea, board, member, product):
    shipped = services.create_idea(
        member, board.id, "Carbon tent poles", "Carbon to save weight please."
    )
    workflow.change_status(product, idea.id, "planned", "Next spring.")
    workflow.change_status(product, shipped.id, "shipped", "In the **2027** range.")
    roadmap = client.get("/roadmap").get_data(as_text=True)
    assert "Lighter tent poles" in roadmap and "Carbon tent poles" in roadmap
    changelog = client.get("/changelog").get_data(as_text=True)
    assert "Carbon tent poles" in changelog and "<strong>2027</strong>" in changelog
    assert "Lighter tent poles" not in changelog


def test_a_gold_board_is_missing_for_bronze_and_visitors(client, login_as, gold_board):
    assert client.get(f"/ideas/b/{gold_board.slug}/").status_code == 404
    login_as(tier="bronze")
    assert client.get(f"/ideas/b/{gold_board.slug}/").status_code == 404
    assert "Gold lounge" not in client.get("/ideas/").get_data(as_text=True)
    login_as(tier="gold")
    assert client.get(f"/ideas/b/{gold_board.slug}/").status_code == 200


def test_posting_an_idea_through_the_form(client, login_as, board):
    login_as()
    response = client.post(
        "/ideas/new",
        data={
            "board": board.slug,
            "title": "Lighter tent poles",
            "body": "Carbon poles would be nice.",
            "tags": "weight",
        },
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea).where(Idea.title == "Lighter tent poles"))
    assert idea is not None and idea.tags == ["weight"]


def test_bad_idea_keeps_the_text(client, login_as, board):
    login_as()
    response = client.post(
        "/ideas/new", data={"board": board.slug, "title": "Too short", "body": "x"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Too short"' in page and "at least 20 characters" in page
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 0


def test_voting_twice_says_so_and_counts_once(client, login_as, idea):
    login_as()
    client.post(f"/ideas/{idea.id}/vote", data={"importance": "2"})
    response = client.post(
        f"/ideas/{idea.id}/vote", data={"importance": "2"}, follow_redirects=True
    )
    assert "You already voted for this idea" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 1


def test_vote_on_a_closed_idea_shows_the_reason(client, login_as, idea, product):
    workflow.change_status(product, idea.id, "declined", "No.")
    login_as()
    response = client.post(
        f"/ideas/{idea.id}/vote", data={"importance": "1"}, follow_redirects=True
    )
    assert "Voting is closed" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(IdeaVote)) == 0


def test_status_form_is_only_for_product_and_admins(client, login_as, idea):
    for role, expected in (("member", 403), ("moderator", 403)):
        login_as(role)
        assert (
            client.post(f"/ideas/{idea.id}/status", data={"status": "planned"}).status_code
            == expected
        )
    login_as("product")
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Update status" in page
    response = client.post(
        f"/ideas/{idea.id}/status", data={"status": "planned", "response": "Yes!"}
    )
    assert response.status_code == 303
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "Official response" in page and "Yes!" in page


def test_a_merged_idea_redirects_to_the_one_it_joined(client, idea, board, member, product):
    other = services.create_idea(
        member, board.id, "Carbon tent poles", "Carbon to save weight please."
    )
    workflow.merge(product, other.id, idea.id)
    response = client.get(f"/ideas/{other.id}")
    assert response.status_code == 302 and f"/ideas/{idea.id}-" in response.headers["Location"]


def test_comments_go_to_the_discussion_topic(client, login_as, idea):
    login_as()
    response = client.post(f"/ideas/{idea.id}/comment", data={"body": "Yes, and lighter pegs too!"})
    assert response.status_code == 303
    page = client.get(f"/ideas/{idea.id}").get_data(as_text=True)
    assert "lighter pegs too" in page


def test_voters_csv_download(client, login_as, idea):
    services.vote(MemberFactory(username="ana"), idea.id)
    login_as("member")
    assert client.get(f"/ideas/{idea.id}/voters.csv").status_code == 403
    login_as("product")
    response = client.get(f"/ideas/{idea.id}/voters.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "ana" in response.get_data(as_text=True)


def test_manage_pages(client, login_as, board):
    login_as("member")
    assert client.get("/ideas/manage/").status_code == 403
    login_as("product")
    assert client.get("/ideas/manage/").status_code == 200
    assert client.get(f"/ideas/manage/boards/{board.id}").status_code == 200
    response = client.post(
        "/ideas/manage/boards/new",
        data={
            "slug": "stoves",
            "name_en": "Stoves",
            "name_fr": "Réchauds",
            "audience_min_tier": "gold",
            "audience_min_trust_level": "0",
            "product_interest_id": "",
        },
    )
    assert response.status_code == 303
    assert client.get("/ideas/manage/statuses/new").status_code == 403
    login_as("admin")
    assert client.get("/ideas/manage/statuses/new").status_code == 200


def test_similar_json(client, idea):
    data = client.get("/ideas/similar?q=tent poles").get_json()
    assert data["ideas"][0]["id"] == idea.id
