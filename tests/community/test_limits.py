"""Per-member rate limits on forum writes: past the limit the form comes back with the
member's text and a message saying when to try again; JavaScript gets a 429."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import services
from app.community.forums.models import Post, Topic
from app.extensions import db

JSON = {"Accept": "application/json"}
FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def topic(member, other, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which pegs?")
    services.reply(other, topic.id, "The long V-shaped ones.")
    return topic


@pytest.fixture
def limit(app, monkeypatch):  # type: ignore[no-untyped-def]
    """`limit("REPLY_RATE_LIMIT", "1 per hour")` for this test only."""
    return lambda key, value: monkeypatch.setitem(app.config, key, value)


def _posts(topic_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Post).where(Post.topic_id == topic_id)
    )


def test_the_config_has_a_default_for_every_forum_limit(app):
    for key in (
        "POST_RATE_LIMIT",
        "REPLY_RATE_LIMIT",
        "EDIT_RATE_LIMIT",
        "LIKE_RATE_LIMIT",
        "FLAG_RATE_LIMIT",
    ):
        assert "per" in app.config[key], key


def test_a_reply_past_the_limit_comes_back_with_the_text(client, login_as, topic, limit):
    limit("REPLY_RATE_LIMIT", "1 per hour")
    login_as("member")
    first = client.post(f"/t/{topic.id}/reply", data={"body": "My first reply"})
    assert first.status_code == 302
    response = client.post(f"/t/{topic.id}/reply", data={"body": "My second, long reply"})
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "My second, long reply" in html
    assert "You have reached the limit for this action" in html
    assert "in 1 hour" in html
    assert _posts(topic.id) == 3


def test_the_limit_message_is_in_french_for_french_members(client, login_as, topic, limit):
    limit("REPLY_RATE_LIMIT", "1 per hour")
    login_as("member")
    assert client.post(f"/t/{topic.id}/reply", data={"body": "Premier"}).status_code == 302
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Deuxième"}, headers=FR)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Deuxième" in html
    assert "Vous avez atteint la limite" in html


def test_refused_replies_do_not_count_against_the_limit(client, login_as, topic, limit):
    limit("REPLY_RATE_LIMIT", "1 per hour")
    login_as("member")
    assert client.post(f"/t/{topic.id}/reply", data={"body": " "}).status_code == 400
    assert client.post(f"/t/{topic.id}/reply", data={"body": "Now for real"}).status_code == 302


def test_the_limit_is_per_member(client, login_as, topic, limit):
    limit("REPLY_RATE_LIMIT", "1 per hour")
    login_as("member")
    assert client.post(f"/t/{topic.id}/reply", data={"body": "From me"}).status_code == 302
    login_as("member")
    assert (
        client.post(f"/t/{topic.id}/reply", data={"body": "From someone else"}).status_code == 302
    )
    assert _posts(topic.id) == 4


def test_staff_are_not_limited(client, login_as, topic, limit):
    limit("REPLY_RATE_LIMIT", "1 per hour")
    login_as("moderator")
    for n in range(3):
        response = client.post(f"/t/{topic.id}/reply", data={"body": f"Staff note {n}"})
        assert response.status_code == 302
    assert _posts(topic.id) == 5


def test_a_new_topic_past_the_limit_comes_back_with_title_and_text(
    client, login_as, category, limit
):
    limit("POST_RATE_LIMIT", "1 per day")
    login_as("member")
    data = {"title": "My first topic", "body": "Hello"}
    assert client.post("/forums/tents/new", data=data).status_code == 302
    data = {"title": "My second topic", "body": "A long story I do not want to lose"}
    response = client.post("/forums/tents/new", data=data)
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "My second topic" in html and "A long story I do not want to lose" in html
    assert "You have reached the limit for this action" in html
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 1


def test_a_double_submit_past_the_limit_still_lands_on_the_first_topic(client, login_as, category):
    login_as("member")
    data = {"title": "Hello club!", "body": "Hi all"}
    assert client.post("/forums/tents/new", data=data).status_code == 302
    response = client.post("/forums/tents/new", data=data)  # inside the 15 seconds
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic))
    assert response.headers["Location"].endswith(f"/t/{topic.id}-{topic.slug}")


def test_an_edit_past_the_limit_comes_back_with_the_text(client, login_as, member, topic, limit):
    limit("EDIT_RATE_LIMIT", "1 per day")
    login_as(member=member)
    post_id = db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
    )
    data = {"title": "Pegs for sandy ground", "body": "Which pegs, really?"}
    assert client.post(f"/posts/{post_id}/edit", data=data).status_code == 302
    data["body"] = "Which pegs, in the end?"
    response = client.post(f"/posts/{post_id}/edit", data=data)
    assert response.status_code == 429
    assert "Which pegs, in the end?" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Post, post_id).body == "Which pegs, really?"


def test_likes_past_the_limit_get_429_in_json(client, login_as, topic, limit):
    limit("LIKE_RATE_LIMIT", "1 per hour")
    login_as("member")
    like = f"/posts/{_reply_id(topic)}/like"
    assert client.post(like, data={"state": "on"}, headers=JSON).status_code == 200
    response = client.post(like, data={"state": "off"}, headers=JSON)
    assert response.status_code == 429
    assert "You have reached the limit" in response.get_json()["error"]
    db.session.expire_all()
    assert db.session.get(Post, _reply_id(topic)).like_count == 1


def test_likes_past_the_limit_without_js_explain_why(client, login_as, topic, limit):
    limit("LIKE_RATE_LIMIT", "1 per hour")
    login_as("member")
    like = f"/posts/{_reply_id(topic)}/like"
    assert client.post(like, data={"state": "on"}).status_code == 302
    response = client.post(like, data={"state": "off"}, follow_redirects=True)
    assert response.status_code == 200
    assert "You have reached the limit for this action" in response.get_data(as_text=True)


def _reply_id(topic) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 2)
    )
