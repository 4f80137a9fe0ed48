"""Moderation end to end: a new member's link is held, a moderator sees it arrive in the
queue without reloading and approves it, it appears in the topic; three trusted members'
flags hide a post until review. Screenshots of /mod/, /mod/audit and /mod/metrics, EN and FR.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import assert_no_axe_violations, log_in, shot
from tests.factories import PASSWORD

# The demo club's moderators: Sam reads English, Marc French (app/members/seed.py).
MODERATORS = {"en": "sam.mod@example.com", "fr": "marc.team@example.com"}
MODERATOR_PASSWORD = "club-demo-2026"


@pytest.fixture
def live_socketio(live_server):  # type: ignore[no-untyped-def]
    """Flask-SocketIO serves the last app bound in a process: make it the live server's."""
    from app.extensions import socketio
    from app.realtime.sockets import SERVER_KEY

    previous, socketio.server = socketio.server, live_server.app.extensions[SERVER_KEY]
    yield
    socketio.server = previous


def _scene(app):  # type: ignore[no-untyped-def]
    """A new member (trust level 0), three trusted members and a topic to post in."""
    from app.community.forums import services as forums
    from app.community.forums.models import Category
    from app.extensions import db
    from tests.factories import MemberFactory

    with app.app_context():
        stamp = str(int(time.time() * 1000))[-7:]
        newcomer = MemberFactory(
            username=f"newbie{stamp}", display_name="Nora Newbie", trust_level=0
        )
        trusted = [MemberFactory(username=f"trusted{n}_{stamp}", trust_level=2) for n in range(3)]
        starter = MemberFactory(username=f"starter{stamp}", trust_level=2)
        db.session.commit()
        category = db.session.query(Category).filter(Category.allowed_roles.is_(None)).first()
        topic = forums.create_topic(
            starter, category.id, f"Moderated topic {stamp}", "Which headlamp for winter?"
        )
        target = forums.reply(starter, topic.id, f"Buy cheap lamps at my shop {stamp}!")
        result = {
            "newcomer": newcomer.email,
            "trusted": [m.email for m in trusted],
            "topic": f"/t/{topic.id}",
            "target_post": target.id,
            "target_text": f"Buy cheap lamps at my shop {stamp}!",
            "stamp": stamp,
        }
        db.session.remove()
    return result


def test_held_link_arrives_live_is_approved_and_flags_hide_a_post(
    live_server, live_socketio, new_context
) -> None:  # type: ignore[no-untyped-def]
    scene = _scene(live_server.app)
    moderator = new_context().new_page()
    log_in(moderator, MODERATORS["en"], MODERATOR_PASSWORD)
    moderator.goto("/mod/")
    moderator.wait_for_selector("html[data-realtime=on]")
    before = moderator.locator("li.queue-item").count()

    # A new member posts a link: it is held, and they are told.
    newcomer = new_context().new_page()
    log_in(newcomer, scene["newcomer"], PASSWORD)
    newcomer.goto(scene["topic"] + "/reply")
    text = f"My favourite lamp review: https://lamps.example/review-{scene['stamp']}"
    newcomer.locator("textarea[name=body]").fill(text)
    newcomer.get_by_role("button", name="Post reply").click()
    newcomer.wait_for_load_state()

    # The moderator's queue shows it without a reload.
    row = moderator.locator("li.queue-item", has_text=f"review-{scene['stamp']}")
    row.wait_for(timeout=15_000)
    assert moderator.locator("li.queue-item").count() == before + 1
    assert moderator.locator("[data-queue-arrived]").is_visible()
    shot(moderator, "moderation-queue-live-arrival")

    # A visitor does not see the held reply yet.
    visitor = new_context().new_page()
    visitor.goto(scene["topic"])
    assert f"review-{scene['stamp']}" not in visitor.content()

    # Approve: the row leaves the queue and the reply is in the topic for everyone.
    row.get_by_role("button", name="Approve").click()
    moderator.wait_for_url(re.compile(r"/mod/"))
    assert moderator.locator(".flash-success").is_visible()
    assert moderator.locator("li.queue-item", has_text=f"review-{scene['stamp']}").count() == 0
    visitor.goto(scene["topic"])
    assert visitor.locator("article.post", has_text=f"review-{scene['stamp']}").count() == 1

    # Three trusted members flag a post: it is hidden until review.
    for email in scene["trusted"]:
        flagger = new_context().new_page()
        log_in(flagger, email, PASSWORD)
        flagger.goto(f"/posts/{scene['target_post']}/flag")
        flagger.locator("input[name=reason][value=spam]").check()
        flagger.get_by_role("button", name="Flag this post").click()
        flagger.wait_for_load_state()
    visitor.goto(scene["topic"])
    assert scene["target_text"] not in visitor.content()
    moderator.goto("/mod/?reason=flags")
    flagged = moderator.locator("li.queue-item", has_text=scene["target_text"])
    assert flagged.count() == 1
    shot(moderator, "moderation-queue-flagged")


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_staff_pages_screenshots(live_server, new_context, locale) -> None:  # type: ignore[no-untyped-def]
    with live_server.app.app_context():
        from app.moderation.seed import seed_moderation

        seed_moderation()  # the demo queue, flags and history (once)
    # Marc's account is in French: the pages follow the member's language after login.
    page = new_context().new_page()
    log_in(page, MODERATORS[locale], MODERATOR_PASSWORD)
    titles = {
        "en": ("Review queue", "Audit log", "Moderation metrics"),
        "fr": ("File de modération", "Journal d’audit", "Indicateurs de modération"),
    }
    for (path, name), title in zip(
        (("/mod/", "queue"), ("/mod/audit", "audit"), ("/mod/metrics", "metrics")),
        titles[locale],
        strict=True,
    ):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == locale
        assert page.locator("h1").inner_text() == title
        shot(page, f"moderation-{name}-{locale}")
        assert_no_axe_violations(page)
    # The other staff pages: topic tools, a member's standing, watched words.
    page.goto("/mod/")
    tools = (
        page.locator("li.queue-item").first.locator("a[href*='/mod/topics/']").get_attribute("href")
    )
    member = (
        page.locator("li.queue-item")
        .first.locator("a[href*='/mod/members/']")
        .get_attribute("href")
    )
    for path, name in ((tools, "topic-tools"), (member, "member"), ("/mod/rules", "rules")):
        page.goto(path)
        assert page.locator("h1").count() == 1
        shot(page, f"moderation-{name}-{locale}")
        assert_no_axe_violations(page)
