"""The foundation in a real browser: join, confirm, log in, interests, language, safety."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.members import services, tokens
from app.members.models import Member
from app.notifications.mail import TOKEN_SLOT
from app.notifications.models import OutboxMessage
from tests.browser.conftest import DEMO_ADMIN_EMAIL, DEMO_MEMBER_EMAIL, log_in, shot

pytestmark = pytest.mark.browser

PASSWORD = "a long walk in the hills"
HOSTILE_BIO = (
    "<script>window.__pwned = 1; alert('script')</script>\n\n"
    "<img src=x onerror=\"window.__pwned = 1; alert('img')\">\n\n"
    "[click me](javascript:alert('link')) <svg onload=alert('svg')>\n\n"
    '<a href="jav&#x09;ascript:alert(1)">obfuscated</a> **still bold**'
)


def make_member(live_server, username: str, bio: str = "") -> Member:  # type: ignore[no-untyped-def]
    """A verified member created through the live app's services."""
    with live_server.app.test_request_context():
        member = services.register(username, f"{username}@example.com", PASSWORD)
        services.verify_email(_latest_link(live_server, member.email, "verify").rsplit("/", 1)[1])
        if bio:
            services.update_profile(member, member, "", bio)
        return member


def _latest_link(live_server, address: str, kind: str) -> str:  # type: ignore[no-untyped-def]
    """The link of the latest `kind` ("verify" or "reset") mail to `address`, as its
    recipient gets it: the outbox keeps only the link's place, and the token is minted
    when the mail is sent, the way this does."""
    purpose = {"verify": tokens.VERIFY, "reset": tokens.RESET}[kind]
    with live_server.app.app_context():
        message = db.session.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.to_address == address, OutboxMessage.secure_purpose == purpose)
            .order_by(OutboxMessage.id.desc())
        )
        assert message is not None, f"no {kind} mail to {address}"
        member = db.session.get(Member, message.secure_subject_id)
        link = message.secure_link_template.replace(TOKEN_SLOT, tokens.make_token(member, purpose))
    assert re.fullmatch(rf"https?://\S+/auth/{kind}/\S+", link), link
    return link


def test_anonymous_home_invites_to_join(page) -> None:
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Join the club").first.is_visible()
    shot(page, "home-anonymous")


def test_visitor_registers_and_confirms_the_email(page, live_server) -> None:
    page.goto("/auth/register")
    page.get_by_label("Username").fill("x!")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create my account").click()
    assert page.locator("#email-error").inner_text() == "Enter a valid email address."
    assert page.locator("#password-error").inner_text() == "Use at least 10 characters."
    assert page.get_by_label("Username").input_value() == "x!"
    shot(page, "register-with-errors")

    page.get_by_label("Username").fill("river_walker")
    page.get_by_label("Email").fill("river.walker@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    page.wait_for_url(re.compile(r"/settings/interests"))
    assert "Welcome to the club, river_walker!" in page.content()
    assert page.get_by_text("Please confirm your email address").is_visible()

    page.goto(_latest_link(live_server, "river.walker@example.com", "verify"))
    assert page.get_by_text("river.walker@example.com is confirmed").is_visible()
    assert page.get_by_text("Please confirm your email address").count() == 0


def test_admin_reads_the_verification_mail_but_not_its_link(new_context, live_server) -> None:
    make_member(live_server, "outbox_reader")
    page = new_context().new_page()
    log_in(page, DEMO_ADMIN_EMAIL)
    page.goto("/admin/outbox")
    page.get_by_role("row").filter(has_text="outbox_reader@example.com").first.get_by_role(
        "link"
    ).click()
    text = page.locator("pre.mail-text").inner_text()
    assert "outbox_reader" in text
    # The label is in the reader's language (the demo admin may have switched to French).
    assert (
        "[security link: only the recipient receives it]" in text
        or "[lien de sécurité : seul le destinataire le reçoit]" in text
    )
    assert "/auth/verify/" not in text
    shot(page, "admin-outbox-message")


def test_member_logs_in_with_remember_me_sets_interests_and_sees_them(page, live_server) -> None:
    make_member(live_server, "interest_picker")
    page.goto("/auth/login")
    shot(page, "login")
    log_in(page, "interest_picker@example.com", PASSWORD, remember=True)
    assert any(c["name"] == "remember_token" for c in page.context.cookies())

    page.goto("/settings/interests")
    page.get_by_role("checkbox", name=re.compile(r"^Ember stove")).check()
    page.get_by_role("checkbox", name=re.compile(r"^Hiking")).check()
    page.get_by_role("button", name="Save my interests").click()
    assert page.get_by_text("Your interests are saved.").is_visible()
    shot(page, "settings-interests")

    page.goto("/members/interest_picker")
    tags = page.locator("li.tag").all_inner_texts()
    assert sorted(tags) == ["Ember stove", "Hiking"]
    shot(page, "profile")


def test_member_logs_out_from_the_account_menu(page, live_server) -> None:
    make_member(live_server, "leaver")
    log_in(page, "leaver@example.com", PASSWORD)
    page.locator("details.menu summary").click()
    page.get_by_role("button", name="Log out").click()
    assert page.get_by_text("You are logged out.").is_visible()
    assert page.goto("/settings/profile").url.split("?")[0].endswith("/auth/login")


def test_footer_switch_turns_the_site_french(page) -> None:
    page.goto("/auth/login")
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.url.endswith("/auth/login")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    shot(page, "home-french")


def test_hostile_bio_runs_nothing_and_injects_nothing(page, live_server) -> None:
    make_member(live_server, "mallory", bio=HOSTILE_BIO)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    response = page.goto("/members/mallory")
    assert response.status == 200
    page.wait_for_load_state("load")
    prose = page.locator(".prose")
    # The bio is on the page (its harmless part rendered), so what follows is about it.
    assert prose.locator("strong").inner_text() == "still bold"
    assert "<script>" in prose.inner_text()
    assert dialogs == []
    assert page.evaluate("window.__pwned") is None
    assert prose.locator("script, img, svg, iframe, [onerror], [onload]").count() == 0
    assert prose.locator("a[href^='javascript']").count() == 0
    shot(page, "profile-hostile-bio")


def test_an_image_from_another_host_is_a_link_and_is_never_fetched(page, live_server) -> None:
    make_member(
        live_server, "pixel_tracker", bio="Hello ![my tent](https://tracker.example.net/p.gif)"
    )
    fetched: list[str] = []
    page.context.route(
        re.compile(r"tracker\.example\.net"),
        lambda route: (fetched.append(route.request.url), route.abort()),
    )
    response = page.goto("/members/pixel_tracker")
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    link = page.locator(".prose a.external-image")
    assert link.inner_text() == "my tent"
    assert link.get_attribute("href") == "https://tracker.example.net/p.gif"
    assert page.locator(".prose img").count() == 0
    assert fetched == []


def test_policy_lets_websockets_reach_this_site_and_no_other(page, live_server) -> None:
    """connect-src 'self' covers ws: to the same host and port (CSP level 3), and blocks
    any other host: what the realtime client needs, and nothing more."""
    response = page.goto("/")
    assert response.status == 200
    port = live_server.url.rsplit(":", 1)[1]
    blocked = page.evaluate(
        """async (port) => {
            const seen = [];
            document.addEventListener("securitypolicyviolation",
                (e) => seen.push([e.effectiveDirective, e.blockedURI]));
            const open = (url) => {
                try { new WebSocket(url); } catch (err) { seen.push(["thrown", url]); }
            };
            open(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
            open(`ws://localhost:${port}/socket.io/?EIO=4&transport=websocket`);
            await new Promise((resolve) => setTimeout(resolve, 1000));
            return seen;
        }""",
        port,
    )
    assert len(blocked) == 1, blocked
    assert "localhost" in blocked[0][1]


def test_member_is_refused_the_admin_area(page) -> None:
    log_in(page, DEMO_MEMBER_EMAIL)
    response = page.goto("/admin/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You do not have access to this page").is_visible()
    shot(page, "forbidden")


def test_admin_sees_the_members_list(page) -> None:
    log_in(page, DEMO_ADMIN_EMAIL)
    page.goto("/admin/members")
    assert page.get_by_role("link", name="anna_hikes").is_visible()
    shot(page, "admin-members")
