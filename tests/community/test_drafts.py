"""Composer drafts: saved on the server per member and key, offered back, cleared by the post,
refused for what went away."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import drafts, services
from app.community.forums.drafts import Draft
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.guards import _KEY as GUARDS_KEY
from app.extensions import limiter


@pytest.fixture
def topic(member, other, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which pegs?")
    services.reply(other, topic.id, "The long V-shaped ones.")
    return topic


def _count(db) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count(Draft.id)))


def test_one_draft_per_member_and_key_the_last_wins(db, member, topic):  # type: ignore[no-untyped-def]
    key = drafts.reply_key(topic.id)
    drafts.save_draft(member, key, "First try")
    drafts.save_draft(member, key, "Second try")
    assert _count(db) == 1
    assert drafts.get_draft(member, key).body == "Second try"


def test_drafts_are_private_to_their_member(db, member, other, topic):  # type: ignore[no-untyped-def]
    drafts.save_draft(member, drafts.reply_key(topic.id), "Mine")
    assert drafts.get_draft(other, drafts.reply_key(topic.id)) is None


def test_an_empty_composer_deletes_the_draft(db, member, topic):  # type: ignore[no-untyped-def]
    key = drafts.reply_key(topic.id)
    drafts.save_draft(member, key, "Something")
    assert drafts.save_draft(member, key, "   ") is None
    assert _count(db) == 0


def test_a_new_topic_draft_keeps_its_title(db, member, category):  # type: ignore[no-untyped-def]
    draft = drafts.save_draft(member, drafts.topic_key(category.id), "Body", "  A   title ")
    assert draft.title == "A title"


def test_a_draft_for_a_deleted_topic_is_refused_and_nothing_written(db, member, moderator, topic):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    services.delete_post(moderator, first.id)
    with pytest.raises(Invalid) as caught:
        drafts.save_draft(member, drafts.reply_key(topic.id), "Too late")
    assert "deleted" in caught.value.errors["body"]
    assert _count(db) == 0


def test_a_draft_for_a_missing_topic_is_refused(db, member):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        drafts.save_draft(member, drafts.reply_key(999_999), "Hello")
    assert _count(db) == 0


def test_a_draft_for_a_locked_topic_is_refused_except_for_staff(db, member, moderator, topic):  # type: ignore[no-untyped-def]
    services.set_locked(moderator, topic.id, True, "")
    with pytest.raises(Invalid):
        drafts.save_draft(member, drafts.reply_key(topic.id), "Hello")
    assert drafts.save_draft(moderator, drafts.reply_key(topic.id), "Staff note") is not None


def test_a_draft_for_an_unreadable_category_is_404(db, member, gold_category):  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound):
        drafts.save_draft(member, drafts.topic_key(gold_category.id), "Hello")


def test_an_edit_draft_of_someone_elses_post_is_refused(db, other, topic):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    with pytest.raises(PermissionDenied):
        drafts.save_draft(other, drafts.edit_key(first.id), "Hijack")


@pytest.mark.parametrize("key", ["", "topic:", "reply:abc", "post:1", "reply:1;drop", "edit:0"])
def test_a_malformed_key_is_refused(db, member, key):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        drafts.save_draft(member, key, "Hello")


def test_a_too_long_draft_is_refused(db, member, topic):  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        drafts.save_draft(member, drafts.reply_key(topic.id), "x" * (services.BODY_MAX + 1))
    assert _count(db) == 0


def test_a_silenced_member_cannot_save_a_draft(db, app, member, topic):  # type: ignore[no-untyped-def]
    guards = app.extensions.setdefault(GUARDS_KEY, [])

    def silenced(actor, action):  # type: ignore[no-untyped-def]
        return "Silenced." if action == "draft" else None

    guards.append(silenced)
    try:
        with pytest.raises(PermissionDenied):
            drafts.save_draft(member, drafts.reply_key(topic.id), "Hello")
    finally:
        guards.remove(silenced)
    assert _count(db) == 0


def test_replying_deletes_the_reply_draft(db, member, topic):  # type: ignore[no-untyped-def]
    drafts.save_draft(member, drafts.reply_key(topic.id), "Draft of my reply")
    services.reply(member, topic.id, "My reply, posted")
    assert drafts.get_draft(member, drafts.reply_key(topic.id)) is None


def test_a_failed_reply_keeps_the_draft(db, member, topic):  # type: ignore[no-untyped-def]
    drafts.save_draft(member, drafts.reply_key(topic.id), "Draft of my reply")
    with pytest.raises(Invalid):
        services.reply(member, topic.id, "x")
    assert drafts.get_draft(member, drafts.reply_key(topic.id)) is not None


def test_starting_the_topic_deletes_the_new_topic_draft(db, member, category):  # type: ignore[no-untyped-def]
    drafts.save_draft(member, drafts.topic_key(category.id), "Body", "Title here")
    services.create_topic(member, category.id, "Title here", "Body of the topic")
    assert drafts.get_draft(member, drafts.topic_key(category.id)) is None


def test_editing_deletes_the_edit_draft(db, member, topic):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    drafts.save_draft(member, drafts.edit_key(first.id), "Which pegs? (edited)")
    services.edit_post(member, first.id, "Which pegs? (edited)")
    assert drafts.get_draft(member, drafts.edit_key(first.id)) is None


# --- routes ------------------------------------------------------------------------------


def test_the_composer_saves_a_draft_as_json(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    member = login_as()
    response = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Typing..."})
    assert response.status_code == 200
    assert response.get_json()["saved"] is True
    assert drafts.get_draft(member, f"reply:{topic.id}").body == "Typing..."


def test_the_draft_is_offered_back_in_the_box(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    login_as()
    client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Half a thought"})
    html = client.get(f"/t/{topic.id}/reply").get_data(as_text=True)
    assert "We restored your draft" in html
    assert "Half a thought</textarea>" in html
    assert "Discard draft" in html
    # The notice's own form stands before the reply form: forms cannot nest.
    assert html.index("data-draft-notice") < html.index(f'action="/t/{topic.id}/reply"')


def test_a_quote_keeps_the_quote_and_offers_the_draft(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    login_as()
    client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Half a thought"})
    post = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))
    html = client.get(f"/t/{topic.id}/reply?quote={post.id}").get_data(as_text=True)
    assert "You have a draft from" in html
    assert "Use the draft" in html
    assert "The long V-shaped ones." in html.split("<textarea", 1)[1].split("</textarea>")[0]
    restored = client.get(f"/t/{topic.id}/reply?quote={post.id}&draft=restore")
    assert "Half a thought</textarea>" in restored.get_data(as_text=True)


def test_discard_without_javascript_redirects_back(client, login_as, db, topic):  # type: ignore[no-untyped-def]
    member = login_as()
    client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Half a thought"})
    response = client.post(
        "/drafts/discard", data={"key": f"reply:{topic.id}", "next": f"/t/{topic.id}/reply"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/t/{topic.id}/reply")
    assert drafts.get_draft(member, f"reply:{topic.id}") is None
    again = client.post("/drafts/discard", data={"key": f"reply:{topic.id}", "next": "//evil"})
    assert again.headers["Location"] in ("/", "http://club.test/")


def test_a_draft_for_a_deleted_topic_gets_a_clear_message(client, login_as, db, moderator, topic):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    services.delete_post(moderator, first.id)
    login_as()
    response = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Too late"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "This topic was deleted: your draft cannot be kept."
    assert _count(db) == 0


def test_the_same_message_in_french(client, login_as, db, moderator, topic):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    services.delete_post(moderator, first.id)
    login_as(locale="fr")
    response = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "Trop tard"})
    assert "supprimé" in response.get_json()["error"]


def test_visitors_have_no_drafts(client, db, topic):  # type: ignore[no-untyped-def]
    response = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "x"})
    assert response.status_code == 302
    assert _count(db) == 0


def test_saving_drafts_is_rate_limited(client, login_as, db, app, topic):  # type: ignore[no-untyped-def]
    login_as()
    app.config["DRAFT_RATE_LIMIT"] = "3 per minute"
    limiter.enabled = True
    try:
        statuses = [
            client.post("/drafts", data={"key": f"reply:{topic.id}", "body": f"v{i}"}).status_code
            for i in range(5)
        ]
    finally:
        app.config["DRAFT_RATE_LIMIT"] = "30 per minute;1000 per day"
    assert statuses[:3] == [200, 200, 200]
    assert statuses[3:] == [429, 429]


def test_saving_a_draft_needs_the_csrf_token(client, login_as, db, topic, csrf_enabled):  # type: ignore[no-untyped-def]
    login_as()
    response = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": "x"})
    assert response.status_code == 400
    assert _count(db) == 0


@pytest.mark.parametrize("role", ["member", "moderator", "product", "admin"])
def test_every_role_keeps_a_reply_draft_and_gets_it_back(client, login_as, db, topic, role):  # type: ignore[no-untyped-def]
    login_as(role)
    saved = client.post("/drafts", data={"key": f"reply:{topic.id}", "body": f"As {role}"})
    assert saved.status_code == 200
    html = client.get(f"/t/{topic.id}/reply").get_data(as_text=True)
    assert f"As {role}</textarea>" in html


EDIT_RIGHTS = [("member", False), ("moderator", True), ("admin", True)]


@pytest.mark.parametrize(("role", "allowed"), EDIT_RIGHTS)
def test_only_staff_keep_an_edit_draft_of_someone_elses_post(  # type: ignore[no-untyped-def]
    client, login_as, db, topic, role, allowed
):
    from app.community.forums.models import Post

    first = db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))
    login_as(role)
    response = client.post("/drafts", data={"key": f"edit:{first.id}", "body": "Tidied up"})
    assert response.status_code == (200 if allowed else 403)
    assert _count(db) == (1 if allowed else 0)


def test_drafts_left_alone_for_ninety_days_are_purged(db, member, other, topic):  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from app.core.time import utcnow

    old = drafts.save_draft(member, drafts.reply_key(topic.id), "Forgotten")
    drafts.save_draft(other, drafts.reply_key(topic.id), "Fresh")
    old.updated_at = utcnow() - drafts.DRAFT_MAX_AGE - timedelta(minutes=1)
    db.session.commit()
    assert drafts.purge_stale_drafts() == 1
    assert drafts.get_draft(member, drafts.reply_key(topic.id)) is None
    assert drafts.get_draft(other, drafts.reply_key(topic.id)).body == "Fresh"


def test_the_purge_is_a_registered_job(app):  # type: ignore[no-untyped-def]
    from app.core.jobs import registered_jobs

    assert "purge_stale_drafts" in {spec.name for spec in registered_jobs(app)}


def test_erasing_an_account_deletes_its_drafts(db, member, other, topic):  # type: ignore[no-untyped-def]
    from app.members import privacy
    from tests.factories import PASSWORD

    drafts.save_draft(member, drafts.reply_key(topic.id), "Private thoughts")
    drafts.save_draft(other, drafts.reply_key(topic.id), "Someone else's")
    privacy.erase_account(member, PASSWORD, remove_posts=False)
    assert drafts.get_draft(member, drafts.reply_key(topic.id)) is None
    assert drafts.get_draft(other, drafts.reply_key(topic.id)) is not None
