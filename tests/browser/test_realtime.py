"""Two windows on one topic: a reply appears in the other without reloading, and the
header badge counts the notice; the French interface shows French notification texts."""

from __future__ import annotations

import time

import pytest

from tests.browser.conftest import log_in, shot
from tests.factories import PASSWORD


@pytest.fixture
def live_socketio(live_server):  # type: ignore[no-untyped-def]
    """Flask-SocketIO serves the last app bound in a process: make it the live server's."""
    from app.extensions import socketio
    from app.realtime.sockets import SERVER_KEY

    previous, socketio.server = socketio.server, live_server.app.extensions[SERVER_KEY]
    yield
    socketio.server = previous


def _members_and_topic(app):  # type: ignore[no-untyped-def]
    from app.community.forums import services as forums
    from app.community.forums.models import Category
    from app.extensions import db
    from tests.factories import MemberFactory

    with app.app_context():
        stamp = str(int(time.time() * 1000))[-7:]
        reader = MemberFactory(username=f"reader{stamp}", display_name="Rita Reader")
        writer = MemberFactory(username=f"writer{stamp}", display_name="Walt Writer")
        db.session.commit()
        category = db.session.query(Category).filter(Category.allowed_roles.is_(None)).first()
        topic = forums.create_topic(
            reader, category.id, f"Live topic {stamp}", "Who wants to see replies live?"
        )
        result = (reader.email, writer.email, f"/t/{topic.id}")
        db.session.remove()
    return result


def _run_worker(app) -> None:  # type: ignore[no-untyped-def]
    """What the embedded worker does after a commit: feed the durable subscribers."""
    from app.core.worker import drain

    with app.app_context():
        drain(time_budget=10)


def test_a_reply_appears_live_and_the_badge_counts_it(live_server, live_socketio, new_context):
    reader_email, writer_email, topic_path = _members_and_topic(live_server.app)
    reader = new_context().new_page()
    log_in(reader, reader_email, PASSWORD)
    reader.goto(topic_path)
    reader.wait_for_selector("html[data-realtime=on]")
    assert reader.locator("[data-unread]").is_hidden()
    assert reader.locator("[data-last-reply]").inner_text() == "No replies yet"
    lister = new_context().new_page()  # a visitor on the topic list
    lister.goto("/latest")
    lister.wait_for_selector("html[data-realtime=on]")
    topic_id = topic_path.rsplit("/", 1)[-1]
    row = lister.locator(f'[data-topic-row="{topic_id}"]')
    assert row.locator("[data-topic-replies]").inner_text() == "0"

    writer = new_context().new_page()
    log_in(writer, writer_email, PASSWORD)
    writer.goto(topic_path)
    writer.wait_for_selector("html[data-realtime=on]")
    box = writer.get_by_label("Your reply")
    box.fill("Seen live from the other window, @nobody. Hi ")
    box.press_sequentially("@read")  # the @name autocomplete
    suggestion = writer.locator(".mention-list [role=option]").first
    suggestion.wait_for(timeout=3000)
    assert suggestion.inner_text().startswith("@reader")
    shot(writer, "realtime-mention-autocomplete")
    box.press("Enter")
    assert "Hi @reader" in box.input_value() and box.input_value().endswith(" ")
    writer.get_by_role("button", name="Post reply").click()
    writer.wait_for_url(lambda url: "#post-2" in url or url.endswith("/2"))

    started = time.monotonic()
    reader.locator("#post-2").get_by_text("Seen live from the other window").wait_for(timeout=2000)
    assert time.monotonic() - started < 2
    assert reader.locator("[data-reply-count]").inner_text() == "1"
    assert reader.locator("[data-last-reply]").inner_text() == "Last reply just now"
    row.locator("[data-topic-replies]").get_by_text("1").wait_for(timeout=2000)
    assert row.locator("[data-topic-activity]").inner_text() == "just now"
    shot(lister, "realtime-topic-list-updated")
    # The mention is a link to the reader's profile.
    assert (
        reader.locator("#post-2 a.mention")
        .first.get_attribute("href")
        .startswith("/members/reader")
    )
    reader.locator("[data-presence]").get_by_text("2 reading now").wait_for(timeout=3000)

    _run_worker(live_server.app)
    badge = reader.locator("[data-unread]")
    badge.wait_for(state="visible", timeout=2000)
    assert badge.inner_text().split()[0] == "1"
    shot(reader, "realtime-live-reply")

    reader.get_by_role("button", name="Français").click()
    reader.goto("/notifications")
    text = reader.locator(".notif-text").first.inner_text()
    assert text.startswith("Walt Writer vous a mentionné·e dans « Live topic")
    assert reader.get_by_role("heading", name="Notifications").is_visible()
    shot(reader, "notifications-french")
