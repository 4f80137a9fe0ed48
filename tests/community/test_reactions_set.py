"""Reactions beside the like: one per member, post and emoji of FORUM_REACTIONS; counts
stored on the post; asking twice for a state ends in that state and emits once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import queries, services
from app.community.forums.events import PostReacted
from app.community.forums.models import Post, PostReaction
from app.core.errors import Invalid
from app.core.events import get_bus
from app.extensions import db
from tests.factories import MemberFactory

THUMBS, PARTY = "👍", "🎉"
FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def topic(member, category):  # type: ignore[no-untyped-def]
    return services.create_topic(member, category.id, "Pegs for sandy ground", "Which ones?")


@pytest.fixture
def first(topic):  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id))


@pytest.fixture
def reacted(app):  # type: ignore[no-untyped-def]
    seen: list = []
    get_bus().subscribe(PostReacted, seen.append)
    yield seen
    handlers = get_bus()._handlers.get(PostReacted, [])
    if seen.append in handlers:
        handlers.remove(seen.append)


def _counts(post_id: int) -> dict:
    db.session.expire_all()
    return db.session.get(Post, post_id).reaction_counts or {}


def _rows() -> int:
    return db.session.scalar(select(func.count()).select_from(PostReaction))


def test_react_then_unreact_keeps_the_stored_counts(other, first, reacted):
    assert services.set_reaction(other, first.id, THUMBS, True) == (True, {THUMBS: 1})
    assert _counts(first.id) == {THUMBS: 1}
    assert services.set_reaction(other, first.id, THUMBS, False) == (False, {})
    assert _counts(first.id) == {}
    assert _rows() == 0
    assert [e.reacted for e in reacted] == [True, False]


def test_reacting_twice_keeps_one_reaction_and_one_event(other, first, reacted):
    services.set_reaction(other, first.id, THUMBS, True)
    services.set_reaction(other, first.id, THUMBS, True)
    assert _rows() == 1
    assert _counts(first.id) == {THUMBS: 1}
    assert len(reacted) == 1


def test_several_members_and_emoji_are_counted_apart(other, first):
    third = MemberFactory()
    services.set_reaction(other, first.id, THUMBS, True)
    services.set_reaction(other, first.id, PARTY, True)
    services.set_reaction(third, first.id, THUMBS, True)
    assert _counts(first.id) == {THUMBS: 2, PARTY: 1}


def test_removing_a_reaction_never_made_changes_nothing(other, first, reacted):
    assert services.set_reaction(other, first.id, THUMBS, False) == (False, {})
    assert reacted == []


def test_an_emoji_outside_the_set_is_refused(other, first):
    with pytest.raises(Invalid) as caught:
        services.set_reaction(other, first.id, "💩", True)
    assert "reactions offered" in str(caught.value)
    assert _rows() == 0


def test_the_set_comes_from_config(app, other, first):
    saved = app.config.get("FORUM_REACTIONS")
    app.config["FORUM_REACTIONS"] = "🔥 ⛺"
    try:
        assert services.reaction_set() == ("🔥", "⛺")
        services.set_reaction(other, first.id, "⛺", True)
        with pytest.raises(Invalid):
            services.set_reaction(other, first.id, THUMBS, True)
    finally:
        app.config["FORUM_REACTIONS"] = saved
    assert _counts(first.id) == {"⛺": 1}


def test_no_reaction_on_ones_own_post(member, first):
    with pytest.raises(Invalid):
        services.set_reaction(member, first.id, THUMBS, True)
    assert _rows() == 0


def test_no_reaction_on_a_deleted_post(member, other, topic):
    post = services.reply(member, topic.id, "A reply that goes away.")
    services.delete_post(member, post.id)
    with pytest.raises(Invalid):
        services.set_reaction(other, post.id, THUMBS, True)


# --- pages ------------------------------------------------------------------------------


def test_a_member_reacts_without_javascript(client, login_as, topic, first):
    login_as("member")
    page = client.get(queries.topic_url(topic)).get_data(as_text=True)
    assert 'value="on:👍"' in page
    response = client.post(f"/posts/{first.id}/react", data={"choice": f"on:{THUMBS}"})
    assert response.status_code == 302
    page = client.get(queries.topic_url(topic)).get_data(as_text=True)
    assert 'value="off:👍"' in page
    assert 'class="reaction is-mine"' in page


def test_the_page_script_gets_json(client, login_as, first):
    login_as("member")
    response = client.post(
        f"/posts/{first.id}/react",
        data={"reaction": PARTY, "state": "on"},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"reaction": PARTY, "reacted": True, "counts": {PARTY: 1}}


def test_a_bad_choice_is_a_bad_request(client, login_as, first):
    login_as("member")
    assert client.post(f"/posts/{first.id}/react", data={"choice": "maybe:👍"}).status_code == 400
    response = client.post(
        f"/posts/{first.id}/react",
        data={"choice": "on:💩"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400


def test_visitors_see_counts_but_no_buttons(client, other, topic, first):
    services.set_reaction(other, first.id, THUMBS, True)
    page = client.get(queries.topic_url(topic)).get_data(as_text=True)
    assert "reaction-static" in page
    assert 'name="choice" value="on:' not in page


def test_visitors_are_sent_to_log_in(client, first):
    response = client.post(f"/posts/{first.id}/react", data={"choice": f"on:{THUMBS}"})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_react_too(client, login_as, topic, first, role):
    login_as(role)
    client.post(f"/posts/{first.id}/react", data={"choice": f"on:{PARTY}"})
    assert _counts(first.id) == {PARTY: 1}


def test_reaction_labels_in_french(client, login_as, topic):
    login_as("member")
    page = client.get(queries.topic_url(topic), headers=FR).get_data(as_text=True)
    assert "Ajouter une réaction" in page
    assert "Réagir avec 👍" in page


def test_a_live_reply_fetched_by_a_member_offers_reactions(client, login_as, member, topic):
    post = services.reply(member, topic.id, "A reply that arrives live.")
    login_as("member")
    fragment = client.get(f"/t/{topic.id}/posts/{post.post_number}/partial").get_data(as_text=True)
    assert 'value="on:👍"' in fragment
