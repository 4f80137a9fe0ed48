"""Demo and load-test forum data: realistic, deterministic, every stored counter exact."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from app.community.forums.models import Category, Post, PostRevision, Topic
from app.community.forums.seed import seed_forums, seed_load
from app.members.models import Member
from app.members.seed import seed_members

# Each query counts the rows whose stored counter disagrees with the rows it counts.
INCONSISTENCIES = {
    "topic counts": """
        SELECT COUNT(*) FROM topics t WHERE
          post_count != (SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id)
          OR highest_post_number != (SELECT MAX(post_number) FROM posts p WHERE p.topic_id = t.id)
          OR like_count != (SELECT COALESCE(SUM(like_count), 0) FROM posts p
                            WHERE p.topic_id = t.id)""",
    "topic last post": """
        SELECT COUNT(*) FROM topics t WHERE
          last_posted_at != (SELECT MAX(created_at) FROM posts p WHERE p.topic_id = t.id)
          OR last_poster_id != (SELECT author_id FROM posts p WHERE p.topic_id = t.id
                                ORDER BY post_number DESC LIMIT 1)""",
    "post likes": """
        SELECT COUNT(*) FROM posts p
        WHERE like_count != (SELECT COUNT(*) FROM post_likes l WHERE l.post_id = p.id)""",
    "post revisions": """
        SELECT COUNT(*) FROM posts p
        WHERE revision_count != (SELECT COUNT(*) FROM post_revisions r WHERE r.post_id = p.id)
          OR (revision_count > 0 AND edited_at IS NULL)""",
    "category counts": """
        SELECT COUNT(*) FROM categories c WHERE
          topic_count != (SELECT COUNT(*) FROM topics t WHERE t.category_id = c.id)
          OR post_count != (SELECT COALESCE(SUM(post_count), 0) FROM topics t
                            WHERE t.category_id = c.id)
          OR last_topic_id != (SELECT id FROM topics t WHERE t.category_id = c.id
                               ORDER BY last_posted_at DESC LIMIT 1)
          OR last_posted_at != (SELECT MAX(last_posted_at) FROM topics t
                                WHERE t.category_id = c.id)""",
    "member counts": """
        SELECT COUNT(*) FROM members m WHERE
          topic_count != (SELECT COUNT(*) FROM topics t WHERE t.author_id = m.id)
          OR post_count != (SELECT COUNT(*) FROM posts p WHERE p.author_id = m.id)
          OR likes_received != (SELECT COUNT(*) FROM post_likes l
                                JOIN posts p ON p.id = l.post_id WHERE p.author_id = m.id)""",
    "likes of one's own post": """
        SELECT COUNT(*) FROM post_likes l JOIN posts p ON p.id = l.post_id
        WHERE l.member_id = p.author_id""",
}


def inconsistencies(db) -> dict[str, int]:  # type: ignore[no-untyped-def]
    found = {name: db.session.scalar(text(sql)) for name, sql in INCONSISTENCIES.items()}
    return {name: n for name, n in found.items() if n}


def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def demo(db):  # type: ignore[no-untyped-def]
    assert count(db, Category) == 0, "the test database should start without forums"
    seed_members()
    return seed_forums()


def test_demo_forums_are_big_enough_to_feel_real(db, demo):  # type: ignore[no-untyped-def]
    assert demo["categories"] == 6
    assert demo["topics"] >= 200
    assert demo["posts"] >= 2000
    assert demo["likes"] > 1000
    assert demo["revisions"] > 20


def test_demo_forums_keep_every_counter_exact(db, demo):  # type: ignore[no-untyped-def]
    assert inconsistencies(db) == {}


def test_demo_forums_have_restricted_categories(db, demo):  # type: ignore[no-untyped-def]
    categories = {c.slug: c for c in db.session.scalars(select(Category))}
    assert categories["gold-lounge"].min_tier_rank == 2
    assert categories["staff-room"].allowed_roles == "moderator,admin,product"
    assert categories["repair-care"].interest_id is not None
    staff_room_authors = set(
        db.session.scalars(
            select(Member.role)
            .join(Post, Post.author_id == Member.id)
            .join(Topic, Topic.id == Post.topic_id)
            .where(Topic.category_id == categories["staff-room"].id)
        )
    )
    assert staff_room_authors <= {"moderator", "admin", "product"}


def test_demo_forums_have_pinned_locked_quoted_and_edited_posts(db, demo):  # type: ignore[no-untyped-def]
    assert db.session.scalar(select(func.count()).where(Topic.pinned.is_(True))) >= 3
    locked = db.session.scalars(select(Topic).where(Topic.locked.is_(True))).all()
    assert len(locked) == 1 and locked[0].lock_reason
    quote = db.session.scalars(select(Post).where(Post.reply_to_post_id.is_not(None))).first()
    quoted = db.session.get(Post, quote.reply_to_post_id)
    header = f"> **@{quoted.author.username}** "
    assert quote.body.startswith((header + "[wrote](", header + "[a écrit]("))
    assert "<blockquote>" in quote.body_html
    revision = db.session.scalars(select(PostRevision)).first()
    edited = db.session.get(Post, revision.post_id)
    assert edited.body.startswith(revision.body) and edited.body != revision.body


def test_french_members_write_in_french(db, demo):  # type: ignore[no-untyped-def]
    topic = db.session.scalars(
        select(Topic).where(
            Topic.title == "Condensation dans la Summit 2 en automne : vos astuces ?"
        )
    ).one()
    assert topic.author.locale == "fr"
    replies_by_french = db.session.scalars(
        select(Post.body)
        .join(Member, Member.id == Post.author_id)
        .where(Member.locale == "fr", Post.reply_to_post_id.is_(None))
    ).all()
    english_words = (" the ", " and ", " you ")
    assert sum(any(w in body for w in english_words) for body in replies_by_french) == 0


def test_seeding_the_demo_twice_adds_nothing(db, demo):  # type: ignore[no-untyped-def]
    assert seed_forums() == demo


def test_load_adds_posts_with_exact_counters_and_can_run_twice(db):  # type: ignore[no-untyped-def]
    seed_members()
    posts_before = count(db, Post)

    first = seed_load(1, progress=False)
    second = seed_load(1, progress=False)

    assert first["posts"] == second["posts"] == 10_000
    assert count(db, Post) == posts_before + 20_000
    assert db.session.scalar(select(func.max(Topic.post_count))) >= 200
    assert inconsistencies(db) == {}


def test_each_hand_written_topic_is_in_its_authors_language():  # type: ignore[no-untyped-def]
    from app.community.forums.seed_content import SEED_TOPICS
    from app.members.seed import MEMBERS

    locales = {username: locale for username, _, locale, *_ in MEMBERS}
    assert [t[3] for t in SEED_TOPICS if t[2] and locales[t[2]] != t[1]] == []
