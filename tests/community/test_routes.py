"""Every forum page and action, for each kind of visitor: statuses and what they see."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.community.forums import services
from app.community.forums.models import Post, Topic, TopicReadState
from app.community.forums.views import flush_views
from app.extensions import db
from tests.community.factories import topic_with_posts


@pytest.fixture
def topic(member, other, category):  # type: ignore[no-untyped-def]
    topic = services.create_topic(member, category.id, "Pegs for sandy ground", "Which pegs?")
    services.reply(other, topic.id, "The long V-shaped ones.")
    return topic


def first_post(topic) -> Post:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 1))


def reply_post(topic) -> Post:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(Post).where(Post.topic_id == topic.id, Post.post_number == 2))


def url(topic) -> str:  # type: ignore[no-untyped-def]
    return f"/t/{topic.id}-{topic.slug}"


def page(response, status: int = 200) -> str:  # type: ignore[no-untyped-def]
    """The response's text, once its status is the expected one: a test that asserts an
    absence must first show that it got the page it looks into."""
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


# --- /forums/ ---------------------------------------------------------------------------


def test_forums_index_lists_categories_with_counts(client, topic):
    response = client.get("/forums/")
    assert response.status_code == 200
    assert "Tents" in page(response)
    assert "Pegs for sandy ground" in page(response)


def test_forums_index_hides_a_gold_category_from_visitors(client, category, gold_category):
    assert "Gold lounge" not in page(client.get("/forums/"))


def test_forums_index_shows_a_gold_category_to_gold_members(
    client, login_as, category, gold_category
):
    login_as("member", tier="gold")
    assert "Gold lounge" in page(client.get("/forums/"))


# --- category pages ---------------------------------------------------------------------


def test_category_page_lists_its_topics(client, topic):
    response = client.get("/forums/tents/")
    assert response.status_code == 200
    assert "Pegs for sandy ground" in page(response)


def test_unknown_category_is_404(client, category):
    assert client.get("/forums/nope/").status_code == 404


def test_gold_category_is_404_for_a_bronze_member(client, login_as, gold_category):
    login_as("member", tier="bronze")
    assert client.get("/forums/gold-lounge/").status_code == 404


def test_gold_category_is_open_to_a_gold_member(client, login_as, gold_category):
    login_as("member", tier="gold")
    assert client.get("/forums/gold-lounge/").status_code == 200


def test_category_page_past_the_last_is_404(client, topic):
    assert client.get("/forums/tents/?page=2").status_code == 404


def test_malformed_page_number_is_404(client, topic):
    assert client.get("/forums/tents/?page=abc").status_code == 404


def test_pinned_topic_comes_first_in_its_category(client, moderator, member, category, topic):
    older = services.create_topic(member, category.id, "An older pinned one", "Read me first")
    services.reply(member, topic.id, "Bump to make it the most recent")
    services.set_pinned(moderator, older.id, True)
    html = page(client.get("/forums/tents/"))
    assert html.index("An older pinned one") < html.index("Pegs for sandy ground")


def test_category_page_asks_visitors_to_log_in_to_start_a_topic(client, category):
    assert "Log in to start a topic" in page(client.get("/forums/tents/"))


def test_category_page_offers_members_a_new_topic_button(client, login_as, category):
    login_as("member")
    html = page(client.get("/forums/tents/"))
    assert "Log in to start a topic" not in html
    assert 'href="/forums/tents/new"' in html


# --- /latest ----------------------------------------------------------------------------


def test_latest_lists_readable_topics_by_activity(client, topic, member, category):
    services.create_topic(member, category.id, "A newer topic here", "Fresh")
    html = page(client.get("/latest"))
    assert html.index("A newer topic here") < html.index("Pegs for sandy ground")


def test_latest_never_shows_gold_topics_to_bronze_members(client, login_as, topic, gold_category):
    topic_with_posts(1, category=gold_category, title="Secret prototype")
    login_as("member", tier="bronze")
    html = page(client.get("/latest"))
    assert "Secret prototype" not in html
    assert "Pegs for sandy ground" in html


def test_latest_shows_how_many_posts_are_new_for_a_member(client, login_as, member, topic):
    login_as(member=member)  # read up to post 1 when creating the topic
    assert "1 new" in page(client.get("/latest"))


def test_latest_is_paged_by_thirty(client, category):
    for _ in range(31):
        topic_with_posts(1, category=category)
    assert client.get("/latest?page=2").status_code == 200
    assert client.get("/latest?page=3").status_code == 404


# --- topic pages ------------------------------------------------------------------------


def test_visitor_reads_a_topic(client, topic):
    response = client.get(url(topic))
    assert response.status_code == 200
    html = page(response)
    assert "The long V-shaped ones." in html
    assert "Log in to reply" in html


def test_topic_id_alone_redirects_permanently_to_the_canonical_url(client, topic):
    response = client.get(f"/t/{topic.id}")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(url(topic))


def test_wrong_slug_redirects_permanently_keeping_the_page(client, category):
    topic = topic_with_posts(25, category=category)
    response = client.get(f"/t/{topic.id}-old-title?page=2")
    assert response.status_code == 301
    assert response.headers["Location"].endswith(f"{url(topic)}?page=2")


def test_unknown_topic_is_404(client, category):
    assert client.get("/t/999-nothing").status_code == 404


def test_topic_in_a_gold_category_is_404_for_a_bronze_member(client, login_as, gold_category):
    topic = topic_with_posts(1, category=gold_category)
    login_as("member", tier="bronze")
    assert client.get(url(topic)).status_code == 404
    assert client.get(f"/t/{topic.id}").status_code == 404


def test_topic_pages_hold_twenty_posts(client, category):
    topic = topic_with_posts(25, category=category)
    html = page(client.get(f"{url(topic)}?page=2"))
    assert 'id="post-21"' in html and 'id="post-25"' in html
    assert 'id="post-20"' not in html


def test_topic_page_past_the_last_is_404(client, category):
    topic = topic_with_posts(3, category=category)
    assert client.get(f"{url(topic)}?page=2").status_code == 404


def test_permalink_redirects_to_the_posts_page_and_anchor(client, category):
    topic = topic_with_posts(25, category=category)
    response = client.get(f"{url(topic)}/22")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url(topic)}?page=2#post-22")


def test_permalink_to_a_missing_post_number_is_404(client, topic):
    assert client.get(f"{url(topic)}/9").status_code == 404


def test_locked_topic_says_why_and_offers_no_reply_form(client, login_as, moderator, topic):
    services.set_locked(moderator, topic.id, True, "Solved in post 2.")
    login_as("member")
    html = page(client.get(url(topic)))
    assert "Solved in post 2." in html
    assert 'name="body"' not in html


def test_members_see_the_reply_form_on_the_last_page(client, login_as, topic):
    login_as("member")
    assert 'name="body"' in page(client.get(url(topic)))


def test_jump_to_first_unread_links_the_next_post(client, login_as, member, topic):
    login_as(member=member)
    html = page(client.get(url(topic)))
    assert "Jump to first unread" in html
    assert f"{url(topic)}/2" in html


def test_viewing_a_topic_records_read_state_once_flushed(client, login_as, other, topic):
    login_as(member=other)
    client.get(url(topic))
    flush_views()
    state = db.session.scalar(
        select(TopicReadState).where(
            TopicReadState.member_id == other.id, TopicReadState.topic_id == topic.id
        )
    )
    assert state.last_read_post_number == 2


def test_viewing_a_topic_counts_a_view_once_flushed(client, topic):
    client.get(url(topic))
    flush_views()
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).view_count == 1


def test_reply_shows_which_post_it_answers(client, member, other, topic):
    services.reply(member, topic.id, "Thanks!", reply_to_post_id=reply_post(topic).id)
    assert "in reply to #2" in page(client.get(url(topic)))


# --- new topic --------------------------------------------------------------------------


def test_visitor_is_sent_to_log_in_before_starting_a_topic(client, category):
    response = client.get("/forums/tents/new")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_member_starts_a_topic(client, login_as, category):
    login_as("member")
    response = client.post("/forums/tents/new", data={"title": "Hello club!", "body": "Hi all"})
    assert response.status_code == 302
    topic = db.session.scalar(select(Topic))
    assert response.headers["Location"].endswith(url(topic))


def test_bad_topic_is_shown_again_with_the_text_and_a_message(client, login_as, category):
    login_as("member")
    response = client.post("/forums/tents/new", data={"title": "Hey", "body": "My long story"})
    html = page(response, 400)
    assert "My long story" in html
    assert "at least 5 characters" in html
    assert db.session.scalar(select(Topic)) is None


def test_double_submitted_topic_redirects_to_the_first_one(client, login_as, category):
    login_as("member")
    data = {"title": "Hello club!", "body": "Hi all"}
    client.post("/forums/tents/new", data=data)
    response = client.post("/forums/tents/new", data=data, follow_redirects=True)
    assert "You already posted this" in page(response)
    assert len(db.session.scalars(select(Topic)).all()) == 1


def test_new_topic_in_a_gold_category_is_404_for_a_bronze_member(client, login_as, gold_category):
    login_as("member", tier="bronze")
    assert client.get("/forums/gold-lounge/new").status_code == 404


# --- replies ----------------------------------------------------------------------------


def test_visitor_is_sent_to_log_in_before_replying(client, topic):
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Hi"})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_member_replies_and_lands_on_the_new_post(client, login_as, topic):
    login_as("member")
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Count me in"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url(topic)}/3")


def test_empty_reply_is_refused_with_a_message(client, login_as, topic):
    login_as("member")
    response = client.post(f"/t/{topic.id}/reply", data={"body": " "})
    assert "Write at least 2 characters" in page(response, 400)


def test_oversized_reply_keeps_the_text(client, login_as, topic):
    login_as("member")
    body = "word " * 7000
    response = client.post(f"/t/{topic.id}/reply", data={"body": body})
    assert "at most 32,000 characters" in page(response, 400)
    assert "word word word" in page(response, 400)


def test_reply_to_a_locked_topic_is_refused_with_the_reason(client, login_as, moderator, topic):
    services.set_locked(moderator, topic.id, True, "Cooling off.")
    login_as("member")
    response = client.post(f"/t/{topic.id}/reply", data={"body": "But wait"})
    assert "Cooling off." in page(response, 400)
    assert "But wait" in page(response, 400)


def test_quote_prefills_the_reply_with_an_attributed_blockquote(client, login_as, other, topic):
    login_as("member")
    post = reply_post(topic)
    response = client.get(f"/t/{topic.id}/reply?quote={post.id}")
    assert response.status_code == 200
    html = page(response)
    assert f"&gt; **@{other.username}** [wrote]({url(topic)}/2):\n&gt;\n" in html
    assert "&gt; The long V-shaped ones." in html
    assert f'value="{post.id}"' in html


def test_double_submitted_reply_redirects_to_the_first(client, login_as, topic):
    login_as("member")
    client.post(f"/t/{topic.id}/reply", data={"body": "Same again"})
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Same again"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url(topic)}/3")
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 3


# --- edit and history -------------------------------------------------------------------


def test_author_opens_the_edit_form(client, login_as, member, topic):
    login_as(member=member)
    response = client.get(f"/posts/{first_post(topic).id}/edit")
    assert response.status_code == 200
    assert "Pegs for sandy ground" in page(response)


def test_other_member_cannot_edit_a_post(client, login_as, topic):
    login_as("member")
    assert client.get(f"/posts/{first_post(topic).id}/edit").status_code == 403
    response = client.post(f"/posts/{first_post(topic).id}/edit", data={"body": "Mine now"})
    assert response.status_code == 403


def test_author_edits_the_title_and_the_text(client, login_as, member, topic):
    login_as(member=member)
    response = client.post(
        f"/posts/{first_post(topic).id}/edit",
        data={"title": "Pegs for sand and snow", "body": "Which pegs, really?"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).title == "Pegs for sand and snow"


def test_bad_edit_is_shown_again_with_the_text(client, login_as, member, topic):
    login_as(member=member)
    response = client.post(
        f"/posts/{first_post(topic).id}/edit", data={"title": "No", "body": "Kept text"}
    )
    assert "Kept text" in page(response, 400)


def test_history_shows_what_changed(client, member, topic):
    services.edit_post(member, first_post(topic).id, "Which pegs for sand?")
    response = client.get(f"/posts/{first_post(topic).id}/history")
    assert response.status_code == 200
    html = page(response)
    assert "<ins>" in html and "<del>" in html
    assert "for sand?" in html


def test_edited_post_links_to_its_history(client, member, topic):
    services.edit_post(member, first_post(topic).id, "Which pegs for sand?")
    assert f"/posts/{first_post(topic).id}/history" in page(client.get(url(topic)))


# --- delete and restore -----------------------------------------------------------------


def test_author_deletes_their_reply(client, login_as, other, topic):
    login_as(member=other)
    assert client.post(f"/posts/{reply_post(topic).id}/delete").status_code == 302
    db.session.expire_all()
    assert reply_post(topic).deleted_at is not None


def test_members_see_a_placeholder_for_a_deleted_post(client, login_as, other, topic):
    services.delete_post(other, reply_post(topic).id)
    login_as("member")
    html = page(client.get(url(topic)))
    assert "(post deleted)" in html
    assert "The long V-shaped ones." not in html


def test_staff_see_a_deleted_posts_text_with_a_restore_button(client, login_as, other, topic):
    services.delete_post(other, reply_post(topic).id)
    login_as("moderator")
    html = page(client.get(url(topic)))
    assert "The long V-shaped ones." in html
    assert f"/posts/{reply_post(topic).id}/restore" in html


def test_member_cannot_delete_another_members_post(client, login_as, topic):
    login_as("member")
    assert client.post(f"/posts/{reply_post(topic).id}/delete").status_code == 403


def test_visitor_cannot_delete(client, topic):
    response = client.post(f"/posts/{reply_post(topic).id}/delete")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_deleting_the_first_post_sends_the_author_back_to_the_category(
    client, login_as, member, topic
):
    login_as(member=member)
    response = client.post(f"/posts/{first_post(topic).id}/delete")
    assert response.headers["Location"].endswith("/forums/tents/")
    assert client.get(url(topic)).status_code == 404


def test_moderator_sees_and_restores_a_deleted_topic(client, login_as, member, topic):
    services.delete_post(member, first_post(topic).id)
    login_as("moderator")
    assert client.get(url(topic)).status_code == 200
    assert client.post(f"/posts/{first_post(topic).id}/restore").status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).deleted_at is None


def test_member_cannot_restore(client, login_as, other, topic):
    services.delete_post(other, reply_post(topic).id)
    login_as(member=other)
    assert client.post(f"/posts/{reply_post(topic).id}/restore").status_code == 403


def test_admin_deletes_any_post(client, login_as, topic):
    login_as("admin")
    assert client.post(f"/posts/{reply_post(topic).id}/delete").status_code == 302
    db.session.expire_all()
    assert reply_post(topic).deleted_at is not None


# --- likes ------------------------------------------------------------------------------


JSON = {"Accept": "application/json"}


def test_like_answers_json_when_asked(client, login_as, topic):
    login_as("member")
    like = f"/posts/{reply_post(topic).id}/like"
    response = client.post(like, data={"state": "on"}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json() == {"liked": True, "like_count": 1}
    response = client.post(like, data={"state": "off"}, headers=JSON)
    assert response.status_code == 200
    assert response.get_json() == {"liked": False, "like_count": 0}


def test_a_double_clicked_like_stays_a_like(client, login_as, topic):
    login_as("member")
    like = f"/posts/{reply_post(topic).id}/like"
    for _ in range(2):
        response = client.post(like, data={"state": "on"}, headers=JSON)
        assert response.status_code == 200
        assert response.get_json() == {"liked": True, "like_count": 1}
    db.session.expire_all()
    assert reply_post(topic).like_count == 1


def test_a_repeated_unlike_stays_an_unlike(client, login_as, topic):
    me = login_as("member")
    services.set_like(me, reply_post(topic).id, True)
    like = f"/posts/{reply_post(topic).id}/like"
    for _ in range(2):
        response = client.post(like, data={"state": "off"}, headers=JSON)
        assert response.status_code == 200
        assert response.get_json() == {"liked": False, "like_count": 0}


def test_like_without_a_state_is_refused(client, login_as, topic):
    login_as("member")
    response = client.post(f"/posts/{reply_post(topic).id}/like", headers=JSON)
    assert response.status_code == 400
    db.session.expire_all()
    assert reply_post(topic).like_count == 0


def test_like_without_js_redirects_to_the_post(client, login_as, topic):
    login_as("member")
    response = client.post(f"/posts/{reply_post(topic).id}/like", data={"state": "on"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"{url(topic)}/2")
    db.session.expire_all()
    assert reply_post(topic).like_count == 1


def test_liking_your_own_post_is_refused_with_a_message(client, login_as, other, topic):
    login_as(member=other)
    response = client.post(
        f"/posts/{reply_post(topic).id}/like", data={"state": "on"}, headers=JSON
    )
    assert response.status_code == 400
    assert "own post" in response.get_json()["error"]


def test_liking_a_deleted_post_is_refused_with_a_message(client, login_as, other, topic):
    services.delete_post(other, reply_post(topic).id)
    login_as("member")
    response = client.post(
        f"/posts/{reply_post(topic).id}/like", data={"state": "on"}, follow_redirects=True
    )
    assert "You cannot like a deleted post." in page(response)


def test_visitor_is_sent_to_log_in_before_liking(client, topic):
    response = client.post(f"/posts/{reply_post(topic).id}/like", data={"state": "on"})
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_the_topic_page_shows_which_posts_the_member_liked(client, login_as, topic):
    me = login_as("member")
    services.set_like(me, reply_post(topic).id, True)
    html = page(client.get(url(topic)))
    assert 'aria-pressed="true"' in html
    assert 'name="state" value="off"' in html  # pressing it again asks for the unlike


# --- follow, pin, lock ------------------------------------------------------------------


def test_member_follows_then_unfollows_a_topic(client, login_as, topic):
    login_as("member")
    assert client.post(f"/t/{topic.id}/follow", data={"state": "on"}).status_code == 302
    assert "Following" in page(client.get(url(topic)))
    assert client.post(f"/t/{topic.id}/follow", data={"state": "off"}).status_code == 302
    assert "Following" not in page(client.get(url(topic)))


def test_a_repeated_follow_keeps_following(client, login_as, topic):
    login_as("member")
    for _ in range(2):
        assert client.post(f"/t/{topic.id}/follow", data={"state": "on"}).status_code == 302
    assert "Following" in page(client.get(url(topic)))


def test_follow_without_a_state_is_refused(client, login_as, topic):
    login_as("member")
    assert client.post(f"/t/{topic.id}/follow").status_code == 400
    assert "Following" not in page(client.get(url(topic)))


def test_member_cannot_pin(client, login_as, topic):
    login_as("member")
    assert client.post(f"/t/{topic.id}/pin", data={"pinned": "1"}).status_code == 403


def test_moderator_pins_a_topic(client, login_as, topic):
    login_as("moderator")
    assert client.post(f"/t/{topic.id}/pin", data={"pinned": "1"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).pinned is True


def test_member_cannot_lock(client, login_as, topic):
    login_as("member")
    assert client.post(f"/t/{topic.id}/lock", data={"locked": "1"}).status_code == 403


def test_admin_locks_a_topic_with_a_reason(client, login_as, topic):
    login_as("admin")
    client.post(f"/t/{topic.id}/lock", data={"locked": "1", "reason": "Answered."})
    db.session.expire_all()
    locked = db.session.get(Topic, topic.id)
    assert (locked.locked, locked.lock_reason) == (True, "Answered.")


def test_staff_tools_are_hidden_from_members(client, login_as, topic):
    login_as("member")
    assert f"/t/{topic.id}/pin" not in page(client.get(url(topic)))


def test_staff_tools_are_shown_to_moderators(client, login_as, topic):
    login_as("moderator")
    assert f"/t/{topic.id}/pin" in page(client.get(url(topic)))


# --- CSRF -------------------------------------------------------------------------------


def test_reply_without_a_csrf_token_is_refused(client, login_as, topic, csrf_enabled):
    login_as("member")
    response = client.post(f"/t/{topic.id}/reply", data={"body": "Forged"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Topic, topic.id).post_count == 2


def test_like_without_a_csrf_token_is_refused(client, login_as, topic, csrf_enabled):
    login_as("member")
    response = client.post(f"/posts/{reply_post(topic).id}/like", data={"state": "on"})
    assert response.status_code == 400
    db.session.expire_all()
    assert reply_post(topic).like_count == 0


# --- admin ------------------------------------------------------------------------------


def test_admin_lists_categories(client, login_as, category, gold_category):
    login_as("admin")
    response = client.get("/admin/categories")
    assert response.status_code == 200
    assert "Gold lounge" in page(response) and "Gold and above" in page(response)


def test_member_cannot_open_the_category_admin(client, login_as, category):
    login_as("member")
    assert client.get("/admin/categories").status_code == 403


def test_admin_creates_a_category(client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/categories/new",
        data={
            "slug": "trips",
            "name_en": "Trips",
            "name_fr": "Sorties",
            "colour": "#3d7a4f",
            "min_tier_rank": "1",
            "interest_id": "None",
            "allowed_roles": ["member", "product"],
        },
    )
    assert response.status_code == 302
    assert "Trips" in page(client.get("/admin/categories"))


def test_admin_category_form_shows_errors_with_status_400(client, login_as, category):
    login_as("admin")
    response = client.post(
        "/admin/categories/new",
        data={"slug": "tents", "name_en": "Dup", "name_fr": "Dup", "colour": "#ffffff",
              "min_tier_rank": "0", "interest_id": "None"},
    )  # fmt: skip
    assert "already uses this slug" in page(response, 400)


def test_admin_edits_a_category(client, login_as, category):
    login_as("admin")
    assert client.get(f"/admin/categories/{category.id}").status_code == 200
    response = client.post(
        f"/admin/categories/{category.id}",
        data={"slug": "tents", "name_en": "Tents and tarps", "name_fr": "Tentes",
              "colour": "#2f6f8f", "position": "5", "min_tier_rank": "2", "interest_id": "None"},
    )  # fmt: skip
    assert response.status_code == 302
    db.session.expire_all()
    assert (category.name_en, category.min_tier_rank) == ("Tents and tarps", 2)


def test_unknown_category_edit_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/categories/999").status_code == 404


def test_member_page_profile_lists_recent_posts(client, other, topic):
    response = client.get(f"/members/{other.username}")
    assert "The long V-shaped ones." in page(response)


def test_home_page_lists_latest_topics(client, topic):
    assert "Pegs for sandy ground" in page(client.get("/"))
