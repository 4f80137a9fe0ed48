"""Review (rev13): a NUL byte in a post, a title or a draft (a hostile client, a strange
paste) is dropped, not a 500 (PostgreSQL refuses NUL in text; SQLite stored it)."""

from __future__ import annotations

from sqlalchemy import select

from app.community.forums import drafts
from app.community.forums.models import Post, Topic
from app.extensions import db
from tests.community.factories import topic_with_posts


def test_a_reply_and_a_topic_with_a_nul_byte_are_posted_without_it(
    client, login_as, category
) -> None:  # type: ignore[no-untyped-def]
    topic = topic_with_posts(1, category=category)
    login_as("member", trust_level=2)
    response = client.post(
        f"/t/{topic.id}/reply", data={"body": "Hello \x00there, a reply long enough"}
    )
    assert response.status_code == 302
    bodies = db.session.scalars(select(Post.body).where(Post.topic_id == topic.id)).all()
    assert "Hello there, a reply long enough" in bodies
    response = client.post(
        f"/forums/{category.slug}/new",
        data={"title": "A title \x00with a NUL", "body": "A body \x00long enough to post."},
    )
    assert response.status_code == 302
    assert db.session.scalar(select(Topic).where(Topic.title == "A title with a NUL"))


def test_a_draft_with_a_nul_byte_is_kept_without_it(db, category, member) -> None:  # type: ignore[no-untyped-def]
    topic = topic_with_posts(1, category=category)
    draft = drafts.save_draft(member, f"reply:{topic.id}", "Half \x00written")
    assert draft.body == "Half written"


def test_a_member_card_or_profile_asked_with_a_nul_byte_is_not_found(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/forums/members/a%00b/card").status_code == 404
    assert client.get("/members/a%00b").status_code == 404
