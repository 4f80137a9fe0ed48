"""Forum services: the rules, the stored counters, revisions, soft delete, events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.community.forums import services
from app.community.forums.events import (
    PostCreated,
    PostDeleted,
    PostLiked,
    PostRestored,
    TopicCreated,
    TopicFollowed,
)
from app.community.forums.models import (
    Category,
    Post,
    PostRevision,
    Topic,
    TopicFollow,
    TopicReadState,
)
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.time import utcnow
from app.extensions import db
from app.members.models import Member
from app.moderation.models import AuditEntry
from tests.conftest import drain_events
from tests.factories import MemberFactory

BODY = "Which tent pegs hold best in sand?"


def _fresh(model, id_):  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return db.session.get(model, id_)


def _topic(author, category, title="Pegs for sandy ground", body=BODY):  # type: ignore[no-untyped-def]
    return services.create_topic(author, category.id, title, body)


# --- creating ---------------------------------------------------------------------------


def test_create_topic_stores_first_post_rendered_and_sanitised(member, category):
    topic = _topic(member, category, body="**Bold** <script>alert(1)</script>")
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    assert post.post_number == 1
    assert "<strong>Bold</strong>" in post.body_html
    assert "<script" not in post.body_html


def test_create_topic_makes_a_slug_from_the_title(member, category):
    topic = _topic(member, category, title="Crème brûlée: camp-stove édition!")
    assert topic.slug == "creme-brulee-camp-stove-edition"


def test_create_topic_keeps_category_and_topic_counters(member, category):
    topic = _topic(member, category)
    category = _fresh(Category, category.id)
    assert (category.topic_count, category.post_count) == (1, 1)
    assert category.last_topic_id == topic.id
    topic = _fresh(Topic, topic.id)
    assert (topic.post_count, topic.highest_post_number, topic.reply_count) == (1, 1, 0)


def test_author_follows_and_has_read_their_new_topic(member, category):
    topic = _topic(member, category)
    assert db.session.scalar(select(TopicFollow).where(TopicFollow.topic_id == topic.id))
    state = db.session.scalar(select(TopicReadState).where(TopicReadState.topic_id == topic.id))
    assert state.last_read_post_number == 1


@pytest.mark.parametrize(
    ("title", "body", "field"),
    [
        ("Hey", BODY, "title"),
        ("x" * 201, BODY, "title"),
        ("A good title", "", "body"),
        ("A good title", "x", "body"),
        ("A good title", "x" * 32_001, "body"),
    ],
)
def test_create_topic_refuses_bad_lengths(member, category, title, body, field):
    with pytest.raises(Invalid) as error:
        services.create_topic(member, category.id, title, body)
    assert field in error.value.errors


def test_refused_topic_writes_nothing(member, category):
    with pytest.raises(Invalid):
        services.create_topic(member, category.id, "Hey", BODY)
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 0
    assert _fresh(Category, category.id).topic_count == 0


def test_member_below_the_tier_cannot_post_in_a_gold_category(member, gold_category):
    with pytest.raises(NotFound):
        _topic(member, gold_category)


def test_gold_member_can_post_in_a_gold_category(gold_category):
    gold = MemberFactory(tier="gold")
    assert _topic(gold, gold_category).category_id == gold_category.id


def test_same_topic_sent_twice_within_a_minute_is_refused(member, category):
    first = _topic(member, category)
    with pytest.raises(services.DuplicateSubmission) as error:
        _topic(member, category)
    assert error.value.post.topic_id == first.id
    assert db.session.scalar(select(func.count()).select_from(Topic)) == 1


# --- replying ---------------------------------------------------------------------------


def test_reply_takes_the_next_number_and_keeps_counters(member, other, category):
    topic = _topic(member, category)
    post = services.reply(other, topic.id, "Sand pegs, the long ones.")
    assert post.post_number == 2
    topic = _fresh(Topic, topic.id)
    assert (topic.post_count, topic.highest_post_number, topic.last_poster_id) == (2, 2, other.id)
    assert _fresh(Category, category.id).post_count == 2


def test_reply_records_the_post_it_answers(member, other, category):
    topic = _topic(member, category)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    post = services.reply(other, topic.id, "Agreed!", reply_to_post_id=first.id)
    assert post.reply_to_post_id == first.id


def test_reply_to_a_post_of_another_topic_is_not_linked(member, other, category):
    topic = _topic(member, category)
    elsewhere = _topic(member, category, title="Another topic here", body="Other body")
    first_elsewhere = db.session.scalar(select(Post).where(Post.topic_id == elsewhere.id))
    post = services.reply(other, topic.id, "Agreed!", reply_to_post_id=first_elsewhere.id)
    assert post.reply_to_post_id is None


def test_reply_to_a_locked_topic_is_refused_with_the_reason(member, other, moderator, category):
    topic = _topic(member, category)
    services.set_locked(moderator, topic.id, True, "Solved, thanks all.")
    with pytest.raises(Invalid) as error:
        services.reply(other, topic.id, "One more thing")
    assert "Solved, thanks all." in error.value.errors["body"]
    assert _fresh(Topic, topic.id).post_count == 1


def test_staff_can_reply_to_a_locked_topic(member, moderator, category):
    topic = _topic(member, category)
    services.set_locked(moderator, topic.id, True, "")
    assert services.reply(moderator, topic.id, "Closing note.").post_number == 2


def test_empty_reply_is_refused(member, category):
    topic = _topic(member, category)
    with pytest.raises(Invalid) as error:
        services.reply(member, topic.id, "   ")
    assert "body" in error.value.errors


def test_same_reply_twice_within_a_minute_returns_the_first(member, other, category):
    topic = _topic(member, category)
    first = services.reply(other, topic.id, "Double click!")
    with pytest.raises(services.DuplicateSubmission) as error:
        services.reply(other, topic.id, "Double click!")
    assert error.value.post.id == first.id
    assert _fresh(Topic, topic.id).post_count == 2


def test_same_reply_after_a_minute_is_a_new_post(member, other, category):
    topic = _topic(member, category)
    first = services.reply(other, topic.id, "+1")
    first.created_at = utcnow() - timedelta(seconds=61)
    db.session.commit()
    assert services.reply(other, topic.id, "+1").post_number == 3


def test_anonymous_cannot_reply(member, category):
    from flask_login import AnonymousUserMixin

    topic = _topic(member, category)
    with pytest.raises(PermissionDenied):
        services.reply(AnonymousUserMixin(), topic.id, "Hello there")


# --- editing ----------------------------------------------------------------------------


def test_edit_keeps_the_previous_text_as_a_revision(member, category):
    topic = _topic(member, category)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    services.edit_post(member, post.id, "New text entirely")
    services.edit_post(member, post.id, "Third text")
    revisions = db.session.scalars(
        select(PostRevision).where(PostRevision.post_id == post.id).order_by(PostRevision.number)
    ).all()
    assert [r.body for r in revisions] == [BODY, "New text entirely"]
    post = _fresh(Post, post.id)
    assert (post.body, post.revision_count) == ("Third text", 2)
    assert post.edited_at is not None


def test_edit_of_first_post_can_change_the_title_and_slug(member, category):
    topic = _topic(member, category)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    services.edit_post(member, post.id, BODY, title="Pegs for snow and sand")
    topic = _fresh(Topic, topic.id)
    assert (topic.title, topic.slug) == ("Pegs for snow and sand", "pegs-for-snow-and-sand")
    revision = db.session.scalar(select(PostRevision).where(PostRevision.post_id == post.id))
    assert revision.title == "Pegs for sandy ground"


def test_edit_that_changes_nothing_writes_no_revision(member, category):
    topic = _topic(member, category)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    services.edit_post(member, post.id, BODY)
    assert db.session.scalar(select(func.count()).select_from(PostRevision)) == 0


def test_member_cannot_edit_another_members_post(member, other, category):
    topic = _topic(member, category)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    with pytest.raises(PermissionDenied):
        services.edit_post(other, post.id, "Hijacked")
    assert _fresh(Post, post.id).body == BODY


def test_oversized_edit_is_refused_and_keeps_the_old_text(member, category):
    topic = _topic(member, category)
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    with pytest.raises(Invalid):
        services.edit_post(member, post.id, "x" * 32_001)
    assert _fresh(Post, post.id).body == BODY
    assert db.session.scalar(select(func.count()).select_from(PostRevision)) == 0


# --- deleting and restoring --------------------------------------------------------------


def test_deleting_a_reply_is_soft_and_updates_counters(member, other, category):
    topic = _topic(member, category)
    post = services.reply(other, topic.id, "Oops, wrong topic")
    services.delete_post(other, post.id)
    post = _fresh(Post, post.id)
    assert post.deleted_at is not None and post.deleted_by_id == other.id
    assert post.body == "Oops, wrong topic"
    topic = _fresh(Topic, topic.id)
    assert (topic.post_count, topic.last_poster_id) == (1, member.id)
    assert _fresh(Category, category.id).post_count == 1


def test_deleting_the_first_post_deletes_the_topic(member, other, category):
    topic = _topic(member, category)
    services.reply(other, topic.id, "A reply")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    services.delete_post(member, first.id)
    assert _fresh(Topic, topic.id).deleted_at is not None
    category = _fresh(Category, category.id)
    assert (category.topic_count, category.post_count, category.last_topic_id) == (0, 0, None)


def test_staff_restoring_the_first_post_restores_the_topic(member, other, moderator, category):
    topic = _topic(member, category)
    services.reply(other, topic.id, "A reply")
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    services.delete_post(member, first.id)
    services.restore_post(moderator, first.id)
    assert _fresh(Topic, topic.id).deleted_at is None
    category = _fresh(Category, category.id)
    assert (category.topic_count, category.post_count, category.last_topic_id) == (1, 2, topic.id)


def test_member_cannot_delete_another_members_post(member, other, category):
    topic = _topic(member, category)
    post = services.reply(other, topic.id, "Mine")
    with pytest.raises(PermissionDenied):
        services.delete_post(member, post.id)
    assert _fresh(Post, post.id).deleted_at is None


def test_staff_can_delete_any_post(member, other, moderator, category):
    topic = _topic(member, category)
    post = services.reply(other, topic.id, "Off topic")
    services.delete_post(moderator, post.id)
    assert _fresh(Post, post.id).deleted_by_id == moderator.id


def test_member_cannot_restore_a_post(member, other, category):
    topic = _topic(member, category)
    post = services.reply(other, topic.id, "Mine")
    services.delete_post(other, post.id)
    with pytest.raises(PermissionDenied):
        services.restore_post(other, post.id)


def test_members_cannot_see_a_deleted_topic(member, other, category):
    from app.community.forums import access

    topic = _topic(member, category)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    services.delete_post(member, first.id)
    with pytest.raises(NotFound):
        access.get_topic(other, topic.id)


# Likes and follows (set and unset): tests/community/test_reactions.py.


# --- staff tools ------------------------------------------------------------------------


def test_member_cannot_pin_a_topic(member, category):
    topic = _topic(member, category)
    with pytest.raises(PermissionDenied):
        services.set_pinned(member, topic.id, True)


def test_moderator_pins_and_unpins_a_topic(member, moderator, category):
    topic = _topic(member, category)
    assert services.set_pinned(moderator, topic.id, True).pinned is True
    assert services.set_pinned(moderator, topic.id, False).pinned is False


def test_member_cannot_lock_a_topic(member, category):
    topic = _topic(member, category)
    with pytest.raises(PermissionDenied):
        services.set_locked(member, topic.id, True, "mine")


def test_unlocking_clears_the_reason(member, moderator, category):
    topic = _topic(member, category)
    services.set_locked(moderator, topic.id, True, "Cooling off")
    topic = services.set_locked(moderator, topic.id, False)
    assert (topic.locked, topic.lock_reason) == (False, "")


# --- events and subscribers -------------------------------------------------------------


def test_create_topic_emits_topic_created_and_post_created_after_commit(member, category, received):
    topic = _topic(member, category)
    # Order across events is not asserted: a subscriber's own unit of work dispatches the
    # rest of the queue (see the report on app.core.events).
    by_type = {type(e): e for e in received}
    assert set(by_type) == {TopicCreated, PostCreated}
    assert by_type[TopicCreated].topic_id == topic.id
    assert by_type[PostCreated].post_number == 1


def test_failed_service_emits_nothing(member, category, received):
    with pytest.raises(Invalid):
        services.create_topic(member, category.id, "Hey", BODY)
    assert received == []


def test_events_of_a_rolled_back_unit_of_work_are_dropped(member, category, received):
    from app.core.db import unit_of_work
    from app.core.events import emit

    with pytest.raises(RuntimeError), unit_of_work():
        emit(TopicFollowed(topic_id=1, member_id=member.id, following=True))
        raise RuntimeError("boom")
    assert received == []


def test_like_emits_post_liked_with_the_post_author(member, other, category, received):
    topic = _topic(member, category)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    received.clear()
    services.set_like(other, first.id, True)
    services.set_like(other, first.id, False)
    assert sorted(type(e).__name__ for e in received) == ["PostLiked", "PostUnliked"]
    liked = next(e for e in received if isinstance(e, PostLiked))
    assert liked.post_author_id == member.id and liked.member_id == other.id


def test_delete_and_restore_emit_their_events(member, moderator, category, received):
    topic = _topic(member, category)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    received.clear()
    services.delete_post(moderator, first.id)
    services.restore_post(moderator, first.id)
    deleted = next(e for e in received if isinstance(e, PostDeleted))
    restored = next(e for e in received if isinstance(e, PostRestored))
    assert deleted.topic_deleted is True and restored.topic_restored is True
    assert (deleted.actor_id, deleted.author_id) == (moderator.id, member.id)


def test_member_counters_follow_topics_posts_and_likes(member, other, category):
    topic = _topic(member, category)
    post = services.reply(member, topic.id, "My own reply")
    services.set_like(other, post.id, True)
    drain_events()  # the counters are a durable subscriber, fed by the worker
    member_row = _fresh(Member, member.id)
    assert (member_row.topic_count, member_row.post_count, member_row.likes_received) == (1, 2, 1)
    services.delete_post(member, post.id)
    drain_events()
    assert _fresh(Member, member.id).post_count == 1


def test_deleting_a_topic_lowers_its_authors_topic_count(member, category):
    topic = _topic(member, category)
    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id))
    services.delete_post(member, first.id)
    member_row = _fresh(Member, member.id)
    assert (member_row.topic_count, member_row.post_count) == (0, 0)


def test_staff_deleting_someone_elses_post_is_audited(member, moderator, category):
    topic = _topic(member, category)
    post = services.reply(member, topic.id, "Something rude")
    services.delete_post(moderator, post.id)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "post_deleted"))
    assert (entry.actor_id, entry.target_id, entry.details["author_id"]) == (
        moderator.id,
        post.id,
        member.id,
    )


def test_author_deleting_their_own_post_is_not_audited(member, category):
    topic = _topic(member, category)
    post = services.reply(member, topic.id, "Never mind")
    services.delete_post(member, post.id)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 0


# --- categories -------------------------------------------------------------------------

CATEGORY = {
    "slug": "trip-reports",
    "name_en": "Trip reports",
    "name_fr": "Récits",
    "description_en": "Where did you go?",
    "description_fr": "Où êtes-vous allés ?",
    "colour": "#3d7a4f",
    "allowed_roles": [],
    "min_tier_rank": 0,
}


def test_admin_creates_a_category_after_the_last_one(admin, category):
    created = services.save_category(admin, CATEGORY)
    assert created.position > category.position
    assert created.allowed_roles is None


def test_moderator_cannot_manage_categories(moderator):
    with pytest.raises(PermissionDenied):
        services.save_category(moderator, CATEGORY)


def test_category_needs_a_valid_colour_and_a_free_slug(admin, category):
    with pytest.raises(Invalid) as error:
        services.save_category(admin, {**CATEGORY, "slug": "tents", "colour": "red"})
    assert set(error.value.errors) >= {"slug", "colour"}


def test_category_roles_are_stored_as_a_known_list(admin):
    created = services.save_category(admin, {**CATEGORY, "allowed_roles": ["admin", "moderator"]})
    assert created.allowed_roles == "moderator,admin"


def test_deleting_the_newest_reply_moves_the_category_last_activity_back(category, db):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.community.forums import services
    from app.community.forums.models import Category, Post
    from tests.factories import MemberFactory

    author, replier, moderator = MemberFactory(), MemberFactory(), MemberFactory(role="moderator")
    topic = services.create_topic(author, category.id, "A topic to reply to", "First post body")
    first = services.reply(replier, topic.id, "An early reply")
    db.session.get(Post, first.id).created_at -= timedelta(hours=2)
    db.session.flush()
    last = services.reply(author, topic.id, "The newest reply")
    services.delete_post(moderator, last.id)
    refreshed = db.session.get(Category, category.id)
    db.session.refresh(refreshed)
    assert refreshed.last_posted_at is not None
    assert refreshed.last_posted_at < db.session.get(Post, last.id).created_at
