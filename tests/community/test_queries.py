"""Read-side functions other areas call (home page, profiles) and the history diff."""

from __future__ import annotations

from datetime import timedelta

from flask_login import AnonymousUserMixin
from sqlalchemy import select

from app.community.forums import queries, services
from app.community.forums.models import Post
from app.core.time import utcnow
from app.extensions import db
from tests.community.factories import CategoryFactory, topic_with_posts
from tests.factories import InterestFactory, MemberFactory


def first_post_id(topic) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post.id).where(Post.topic_id == topic.id))


def test_latest_topics_are_most_recent_first_with_what_the_home_page_shows(app, category):
    older = topic_with_posts(3, category=category, title="Older topic")
    older.last_posted_at = utcnow() - timedelta(days=1)
    topic_with_posts(1, category=category, title="Newer topic")
    db.session.flush()
    with app.test_request_context():
        items = queries.latest_topics(AnonymousUserMixin(), limit=5)
    assert [t.title for t in items] == ["Newer topic", "Older topic"]
    assert (items[1].reply_count, items[1].category_name, items[1].category_colour) == (
        2,
        "Tents",
        category.colour,
    )
    assert items[1].url == f"/t/{older.id}-{older.slug}"


def test_latest_topics_respects_the_limit(app, category):
    for _ in range(4):
        topic_with_posts(1, category=category)
    with app.test_request_context():
        assert len(queries.latest_topics(AnonymousUserMixin(), limit=3)) == 3


def test_latest_topics_leave_out_deleted_topics(app, member, category):
    topic = services.create_topic(member, category.id, "Soon deleted", "Body here")
    services.delete_post(member, first_post_id(topic))
    with app.test_request_context():
        assert queries.latest_topics(AnonymousUserMixin(), limit=5) == []


def test_category_names_follow_the_locale(app, category):
    topic_with_posts(1, category=category)
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        assert queries.latest_topics(AnonymousUserMixin(), limit=5)[0].category_name == "Tentes"


def test_topics_for_interests_come_from_the_linked_categories(app):
    tents, stoves = InterestFactory(), InterestFactory()
    topic_with_posts(1, category=CategoryFactory(interest_id=tents.id), title="About tents")
    topic_with_posts(1, category=CategoryFactory(interest_id=stoves.id), title="About stoves")
    with app.test_request_context():
        items = queries.topics_for_interests(AnonymousUserMixin(), [tents.id], limit=5)
    assert [t.title for t in items] == ["About tents"]


def test_topics_for_interests_skip_unreadable_categories(app):
    tents = InterestFactory()
    topic_with_posts(1, category=CategoryFactory(interest_id=tents.id, min_tier_rank=3))
    with app.test_request_context():
        assert queries.topics_for_interests(MemberFactory(), [tents.id], limit=5) == []


def test_categories_overview_lists_readable_categories_in_order(app, category, gold_category):
    topic_with_posts(1, category=category)
    with app.test_request_context():
        items = queries.categories_overview(AnonymousUserMixin())
    assert [(c.name, c.topic_count, c.url) for c in items] == [("Tents", 1, "/forums/tents/")]


def test_recent_posts_by_a_member_give_permalinks_and_plain_excerpts(app, member, category):
    topic = services.create_topic(
        member, category.id, "Stove review", "**Great** stove. " + "Very light. " * 30
    )
    with app.test_request_context():
        (item,) = queries.recent_posts_by(member.id, AnonymousUserMixin(), limit=5)
    assert item.url == f"/t/{topic.id}-{topic.slug}/1"
    assert item.topic_title == "Stove review"
    assert item.excerpt.startswith("Great stove.")
    assert len(item.excerpt) <= 161 and item.excerpt.endswith("…")


def test_recent_posts_leave_out_deleted_posts_and_unreadable_categories(
    app, member, category, gold_category
):
    topic = services.create_topic(member, category.id, "A normal topic", "Visible")
    gone = services.reply(member, topic.id, "Deleted later")
    services.delete_post(member, gone.id)
    topic_with_posts(1, category=gold_category, author=member)
    with app.test_request_context():
        items = queries.recent_posts_by(member.id, AnonymousUserMixin(), limit=5)
    assert [i.excerpt for i in items] == ["Visible"]


def test_text_diff_marks_inserted_and_deleted_words():
    runs = queries.text_diff("Pitch near the lake.\nSecond line", "Pitch far from the lake.\n")
    assert ("delete", "near") in runs
    assert ("insert", "far from") in runs
    assert ("delete", "Second line") in runs


def test_history_lists_each_edit_newest_first(member, category):
    topic = services.create_topic(member, category.id, "Original title", "one")
    services.edit_post(member, first_post_id(topic), "two", title="Better title")
    services.edit_post(member, first_post_id(topic), "three")
    post = db.session.get(Post, first_post_id(topic))
    changes = queries.post_history(post)
    assert [c.number for c in changes] == [2, 1]
    assert ("insert", "three") in changes[0].body_diff
    assert changes[0].title_diff is None
    assert ("insert", "Better") in changes[1].title_diff
