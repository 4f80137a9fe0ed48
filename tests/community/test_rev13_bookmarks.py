"""Review (rev13): a bookmark follows its post when the community team moves it (split,
merge): /bookmarks checks the post's topic as it is now, and links there."""

from __future__ import annotations

from sqlalchemy import select

from app.community.forums import services
from app.community.forums.models import Post
from app.community.forums.services import structure
from app.extensions import db
from tests.community.factories import topic_with_posts


def _reply(topic):  # type: ignore[no-untyped-def]
    return db.session.scalars(
        select(Post).where(Post.topic_id == topic.id, Post.post_number == 2)
    ).one()


def test_a_bookmarked_reply_split_into_a_team_category_leaves_the_members_bookmarks(
    client, login_as, category, staff_category, moderator
) -> None:  # type: ignore[no-untyped-def]
    topic = topic_with_posts(3, category=category)
    reply = _reply(topic)
    reply.body_html = "<p>Secret team planning text</p>"
    db.session.flush()
    reader = login_as("member")
    services.set_bookmark(reader, reply.id, True)
    assert "Secret team planning text" in client.get("/bookmarks").get_data(as_text=True)
    structure.split_posts(
        moderator, topic.id, [reply.id], "Moved to the team room", staff_category.id
    )
    db.session.expire_all()
    page = client.get("/bookmarks").get_data(as_text=True)
    assert "Secret team planning text" not in page
    assert "Moved to the team room" not in page


def test_a_bookmark_links_to_where_its_post_now_is(client, login_as, category, moderator) -> None:  # type: ignore[no-untyped-def]
    topic = topic_with_posts(3, category=category)
    reply = _reply(topic)
    reader = login_as("member")
    services.set_bookmark(reader, reply.id, True)
    change = structure.split_posts(moderator, topic.id, [reply.id], "A tangent of its own")
    db.session.expire_all()
    page = client.get("/bookmarks").get_data(as_text=True)
    assert f'href="/t/{change.target_topic_id}-a-tangent-of-its-own/1"' in page
    new = client.get(f"/t/{change.target_topic_id}-a-tangent-of-its-own").get_data(as_text=True)
    assert 'aria-pressed="true" title="Remove the bookmark"' in new


def test_splitting_off_the_solution_leaves_the_question_unsolved_until_undone(
    db, category, moderator
) -> None:  # type: ignore[no-untyped-def]
    from app.community.forums.models import Topic

    category.qa = True
    topic = topic_with_posts(3, category=category)
    reply = _reply(topic)
    services.mark_solution(topic.author, reply.id)
    change = structure.split_posts(moderator, topic.id, [reply.id], "The answer on its own")
    db.session.expire_all()
    source = db.session.get(Topic, topic.id)
    assert (source.solution_post_id, source.solved) == (None, False)
    structure.undo_change(moderator, change.id)
    db.session.expire_all()
    source = db.session.get(Topic, topic.id)
    assert (source.solution_post_id, source.solved) == (reply.id, True)
