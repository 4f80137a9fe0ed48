"""Notices: who hears of a reply, a mention, a quote, a like; grouping; the badge counter;
never about one's own action nor about content the member cannot read."""

from __future__ import annotations

from sqlalchemy import func, select

from app.community.forums import services as forums
from app.extensions import db
from app.members.events import TierChanged
from app.notifications import services
from app.notifications.models import Notification, NotificationState, OutboxMessage
from tests.conftest import drain_events
from tests.factories import MemberFactory


def notices(member) -> list[Notification]:  # type: ignore[no-untyped-def]
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.member_id == member.id)
            .order_by(Notification.id)
        )
    )


def badge(member) -> int:  # type: ignore[no-untyped-def]
    return services.unread_count(member.id)


def test_reply_to_a_post_notifies_its_author_once(category, ana, bob):
    topic = forums.create_topic(ana, category.id, "Which stove for winter?", "I need advice here.")
    first = topic.highest_post_number
    post = forums.reply(
        bob, topic.id, "The Alpine one, for sure.", reply_to_post_id=_post_id(topic, first)
    )
    drain_events()
    [notice] = notices(ana)
    assert notice.type == "reply_to_post"
    assert notice.post_id == post.id
    assert notice.data["post_number"] == 2
    assert badge(ana) == 1
    assert notices(bob) == []


def _post_id(topic, number: int) -> int:  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    return db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == number)
    )


def test_followers_hear_of_replies_grouped_while_unread(category, ana, bob):
    topic = forums.create_topic(ana, category.id, "Trip reports", "Post your trips here please.")
    carl = MemberFactory(username="carl")
    forums.reply(bob, topic.id, "Went up the Dent Blanche.")
    forums.reply(carl, topic.id, "Lovely weekend in the Vercors.")
    drain_events()
    [notice] = notices(ana)  # the topic's author follows it
    assert notice.type == "followed_reply"
    assert notice.actor_count == 2
    assert notice.actor_id == carl.id
    assert badge(ana) == 1
    view = services.describe_many([notice])[0]
    assert view.text == "Carl and 1 other replied in “Trip reports”"


def test_nobody_is_notified_of_their_own_action(category, ana):
    topic = forums.create_topic(ana, category.id, "Talking to myself", "First post of mine.")
    forums.reply(ana, topic.id, "And a reply to @ana myself.")
    drain_events()
    assert notices(ana) == []
    assert badge(ana) == 0


def test_likes_on_one_post_are_grouped(category, ana):
    topic = forums.create_topic(ana, category.id, "My new tent", "Look at my new tent.")
    likers = [MemberFactory(username=f"liker{i}") for i in range(5)]
    for liker in likers:
        forums.set_like(liker, _post_id(topic, 1), True)
    drain_events()
    [notice] = notices(ana)
    assert notice.type == "like"
    assert notice.actor_count == 5
    assert badge(ana) == 1
    text = services.describe_many([notice])[0].text
    assert text == "Liker4 and 4 others liked your post in “My new tent”"


def test_a_like_after_the_group_was_read_starts_a_new_notice(category, ana, bob):
    topic = forums.create_topic(ana, category.id, "Boots review", "My review of the boots.")
    forums.set_like(bob, _post_id(topic, 1), True)
    drain_events()
    services.mark_all_read(ana)
    forums.set_like(MemberFactory(), _post_id(topic, 1), True)
    drain_events()
    assert [n.actor_count for n in notices(ana)] == [1, 1]
    assert badge(ana) == 1


def test_mention_and_quote_notify_the_named_members(category, ana, bob):
    carl = MemberFactory(username="carl")
    topic = forums.create_topic(ana, category.id, "Ropes", "Which rope do you use?")
    body = "> **@ana** [wrote](/t/1/1):\n>\n> Which rope?\n\nAsk @carl, and @nobody_known too."
    forums.reply(bob, topic.id, body)
    drain_events()
    # ana is quoted (and follows the topic): one notice, the most specific.
    assert [n.type for n in notices(ana)] == ["quote"]
    assert [n.type for n in notices(carl)] == ["mention"]


def test_mentions_inside_code_are_not_mentions(category, ana, bob):
    topic = forums.create_topic(bob, category.id, "Code sample", "Here is some code for you.")
    forums.reply(bob, topic.id, "Use `@ana` or\n\n```\n@ana\n```\n")
    drain_events()
    assert notices(ana) == []


def test_a_mention_in_a_restricted_category_is_not_told_to_those_who_cannot_read(
    staff_category, ana
):
    moderator = MemberFactory(role="moderator", username="modo")
    topic = forums.create_topic(moderator, staff_category.id, "Secret plans", "About @ana.")
    forums.reply(moderator, topic.id, "Yes, @ana again, and @modo2.")
    drain_events()
    assert notices(ana) == []
    assert badge(ana) == 0


def test_notices_of_a_category_that_became_restricted_are_hidden(
    category, ana, bob, client, login_as
):
    topic = forums.create_topic(ana, category.id, "Soon private", "This will be private.")
    forums.reply(bob, topic.id, "Private reply text", reply_to_post_id=_post_id(topic, 1))
    drain_events()
    assert services.notifications_page(ana).total == 1
    category.allowed_roles = "admin"
    db.session.flush()
    from app.community.forums import access

    access.forget_categories()
    assert services.notifications_page(ana).total == 0
    login_as(member=ana)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Soon private" not in page
    assert "Private reply text" not in page


def test_fifty_mentions_send_a_capped_number_of_emails(app, category, ana):
    members = [MemberFactory(username=f"fan{i}") for i in range(50)]
    body = "Hello " + " ".join(f"@{m.username}" for m in members)
    forums.create_topic(ana, category.id, "Shout-out to everyone", body)
    drain_events()
    cap = app.config["NOTIFY_MAX_MENTIONS"]
    told = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.type == "mention")
    )
    mails = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == "notification")
    )
    assert told == cap
    assert mails == cap


def test_hourly_email_cap_per_member(app, category, ana):
    app.config["NOTIFY_EMAIL_PER_HOUR"] = 2
    try:
        for i in range(4):
            author = MemberFactory()
            forums.create_topic(
                author, category.id, f"Question {i} for ana", f"Dear @ana, question {i}."
            )
        drain_events()
    finally:
        app.config["NOTIFY_EMAIL_PER_HOUR"] = 6
    assert len(notices(ana)) == 4
    sent = db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.to_address == ana.email)
    )
    assert sent == 2


def test_notification_email_is_in_the_recipients_language_with_one_click_unsubscribe(
    category, bob, mailbox
):
    marie = MemberFactory(username="marie", locale="fr")
    forums.create_topic(bob, category.id, "Bivouac", "Une question pour @marie ici.")
    drain_events()
    [message] = [m for m in mailbox() if m["To"] == marie.email]
    assert message["Subject"] == "Bob vous a mentionné·e dans « Bivouac »"
    assert message["List-Unsubscribe"].startswith("<http://club.test/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    parts = {part.get_content_type() for part in message.walk()}
    assert {"text/plain", "text/html"} <= parts


def test_preference_off_writes_nothing(category, ana, bob):
    services.set_preferences(ana, {"mention": "off"}, "weekly")
    forums.create_topic(bob, category.id, "Hey there", "Hello there @ana, how are you?")
    drain_events()
    assert notices(ana) == []


def test_preference_in_app_only_sends_no_email(category, ana, bob):
    services.set_preferences(ana, {"mention": "app"}, "weekly")
    forums.create_topic(bob, category.id, "Hey again", "Hello there @ana, all good?")
    drain_events()
    assert len(notices(ana)) == 1
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.to_address == ana.email)
        )
        == 0
    )


def test_tier_reached_is_a_notice(ana):
    from app.core.db import unit_of_work
    from app.core.events import emit

    with unit_of_work():
        emit(TierChanged(member_id=ana.id, old_tier="bronze", new_tier="silver", points=500))
    drain_events()
    [notice] = notices(ana)
    assert notice.type == "tier_reached"
    assert services.describe_many([notice])[0].text == "You reached the Silver tier."


def test_mark_read_and_mark_all_read_keep_the_stored_counter(category, ana):
    for i in range(3):
        forums.create_topic(MemberFactory(), category.id, f"Topic {i} here", f"Ping @ana {i}.")
    drain_events()
    assert badge(ana) == 3
    first = notices(ana)[0]
    assert services.mark_read(ana, [first.id]) == 1
    assert services.mark_read(ana, [first.id]) == 0  # twice: once
    assert badge(ana) == 2
    services.mark_all_read(ana)
    assert badge(ana) == 0
    assert db.session.get(NotificationState, ana.id).unread_count == 0


def test_a_member_cannot_mark_someone_elses_notice(category, ana, bob):
    forums.create_topic(bob, category.id, "For ana", "Ping @ana about this.")
    drain_events()
    [notice] = notices(ana)
    assert services.mark_read(bob, [notice.id]) == 0
    assert notices(ana)[0].read_at is None


def test_running_the_subscriber_twice_writes_once(category, ana, bob):
    forums.create_topic(bob, category.id, "Once only", "Ping @ana once.")
    drain_events()
    drain_events()
    assert len(notices(ana)) == 1
    assert badge(ana) == 1
