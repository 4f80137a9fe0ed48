"""Review (rev13): the live-reply fragment shows a post only to those who may see it (a
held or hidden post: its author and the community team)."""

from __future__ import annotations

import pytest

from app.extensions import db
from tests.community.factories import PostFactory, topic_with_posts


@pytest.fixture
def held(category):  # type: ignore[no-untyped-def]
    topic = topic_with_posts(2, category=category)
    post = PostFactory(
        topic=topic,
        body="Held back text",
        body_html="<p>Held back text</p>",
        moderation_state="held",
    )
    db.session.flush()
    return post


def _partial(post) -> str:  # type: ignore[no-untyped-def]
    return f"/t/{post.topic_id}/posts/{post.post_number}/partial"


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_a_held_post_is_not_served_to_others_as_a_live_reply(client, login_as, held, who) -> None:  # type: ignore[no-untyped-def]
    if who == "member":
        login_as("member")
    response = client.get(_partial(held))
    assert response.status_code == 404
    assert "Held back text" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["author", "moderator"])
def test_its_author_and_the_team_still_get_it(client, login_as, held, who) -> None:  # type: ignore[no-untyped-def]
    if who == "author":
        login_as(member=held.author)
    else:
        login_as("moderator")
    response = client.get(_partial(held))
    assert response.status_code == 200
    assert "Held back text" in response.get_data(as_text=True)
