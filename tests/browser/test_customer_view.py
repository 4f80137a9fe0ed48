"""The single customer view in a browser: a member posts and sees their points and progress
move on /loyalty; a community manager sees that activity on the member's 360 view and on
the dashboard's charts. Screenshots of every page of the area, in English and French.

Two members of its own (no locale: the browser's language decides) keep the shared demo
accounts untouched for the other browser tests.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import DEMO_PASSWORD, log_in, shot

pytestmark = pytest.mark.browser

MEMBER_EMAIL = "cv.member@example.com"
ADMIN_EMAIL = "cv.admin@example.com"


@pytest.fixture(scope="module")
def accounts(live_server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A Bronze member and an admin, and a category the member may post in."""
    from sqlalchemy import select

    from app.community.forums.models import Category
    from app.core.db import unit_of_work
    from app.core.time import utcnow
    from app.extensions import db
    from app.members.models import Member
    from app.members.passwords import hash_password

    with live_server.app.app_context():
        with unit_of_work():
            for username, email, role in (
                ("cv_member", MEMBER_EMAIL, "member"),
                ("cv_admin", ADMIN_EMAIL, "admin"),
            ):
                if db.session.scalar(select(Member.id).where(Member.email == email)) is None:
                    db.session.add(
                        Member(
                            username=username,
                            username_lower=username,
                            email=email,
                            password_hash=hash_password(DEMO_PASSWORD),
                            display_name=username.replace("_", " ").title(),
                            bio="",
                            role=role,
                            tier="bronze",
                            points=0,
                            locale=None,
                            email_verified_at=utcnow(),
                            auth_version=1,
                        )
                    )
        slug = db.session.scalar(
            select(Category.slug)
            .where(Category.allowed_roles.is_(None), Category.min_tier_rank == 0)
            .order_by(Category.id)
            .limit(1)
        )
        db.session.remove()
    return {"slug": slug, "member": "cv_member"}


def _run_worker(app) -> None:  # type: ignore[no-untyped-def]
    """What the embedded worker does after a commit: feed the durable subscribers."""
    from app.core.worker import drain

    with app.app_context():
        drain(time_budget=20)


def _number(text: str) -> int:
    return int(re.sub(r"[^\d]", "", text) or 0)


def test_a_post_moves_points_and_progress_and_staff_see_it(live_server, new_context, accounts):  # type: ignore[no-untyped-def]
    _run_worker(live_server.app)  # whatever the seed left for the subscribers
    member = new_context().new_page()
    log_in(member, MEMBER_EMAIL)
    member.goto("/loyalty")
    balance = _number(member.locator("#points-balance").inner_text())
    progress = float(member.locator("#tier-progress").get_attribute("value"))
    assert "bronze" in member.locator("#standing-title + dl").inner_text().lower()

    member.goto(f"/forums/{accounts['slug']}/new")
    member.get_by_label("Title").fill("Packing list for a first winter night out")
    member.get_by_label("Your message").fill("What would you never leave behind in January?")
    member.get_by_role("button", name="Post topic").click()
    member.wait_for_url(re.compile(r"/t/\d+-"))
    _run_worker(live_server.app)

    member.goto("/loyalty")
    assert _number(member.locator("#points-balance").inner_text()) == balance + 20
    assert float(member.locator("#tier-progress").get_attribute("value")) > progress
    history = member.locator("#points-history")
    assert "Started a topic" in history.inner_text() and "+20" in history.inner_text()
    shot(member, "customer-loyalty-en")

    staff = new_context().new_page()
    log_in(staff, ADMIN_EMAIL)
    staff.goto(f"/members/{accounts['member']}")
    staff.get_by_role("link", name="Customer view").click()
    staff.wait_for_url(re.compile(r"/360$"))
    timeline = staff.locator("#timeline")
    assert "Started a topic" in timeline.inner_text()
    assert "+20" in staff.locator("#ledger").inner_text()
    shot(staff, "customer-360-en")

    staff.locator("details.menu summary").click()  # the staff's account menu
    staff.locator(".menu-panel").get_by_role("link", name="Engagement dashboard").click()
    staff.wait_for_url(re.compile(r"/customers/dashboard"))
    assert _number(staff.locator("#active-stats dd").first.inner_text()) >= 1
    # Today's bar is drawn, and the chart's table (for readers without the picture) says so.
    today = staff.locator("#chart-daily rect.chart-bar").last
    assert float(today.get_attribute("height")) > 0
    staff.locator("#chart-daily summary").click()
    last_row = staff.locator("#chart-daily tbody tr").last
    assert _number(last_row.locator("td.num").inner_text()) >= 1
    assert staff.locator("#chart-tiers").is_visible()
    shot(staff, "customer-dashboard-en")

    staff.locator("main").get_by_role("link", name="Member directory").click()
    staff.wait_for_url(re.compile(r"/customers/"))
    staff.get_by_label("Tier").select_option("bronze")
    staff.get_by_role("button", name="Filter").click()
    staff.get_by_role("link", name="Cv Member").click()
    staff.wait_for_url(re.compile(r"/members/cv_member/360"))


def test_the_pages_of_the_area_in_english_and_french(new_context, accounts):  # type: ignore[no-untyped-def]
    for locale, suffix in (("en-US", "en"), ("fr-FR", "fr")):
        visitor = new_context(locale=locale).new_page()
        visitor.goto("/")
        banner = visitor.locator("[data-cookie-banner]")
        assert banner.is_visible()
        shot(visitor, f"customer-banner-{suffix}")

        member = new_context(locale=locale).new_page()
        log_in_as(member, MEMBER_EMAIL, suffix)
        for path, name in (("/loyalty", "loyalty"), ("/settings/privacy", "privacy")):
            member.goto(path)
            assert member.locator("h1").count() == 1
            shot(member, f"customer-{name}-{suffix}")

        staff = new_context(locale=locale).new_page()
        log_in_as(staff, ADMIN_EMAIL, suffix)
        for path, name in (
            (f"/members/{accounts['member']}/360", "360"),
            ("/customers/", "directory"),
            ("/customers/dashboard", "dashboard"),
            ("/admin/loyalty", "admin-loyalty"),
            ("/admin/api-keys", "admin-api-keys"),
            ("/admin/webhooks", "admin-webhooks"),
        ):
            response = staff.goto(path)
            assert response is not None and response.status == 200, path
            shot(staff, f"customer-{name}-{suffix}")


def log_in_as(page, email: str, suffix: str) -> None:  # type: ignore[no-untyped-def]
    if suffix == "en":
        log_in(page, email)
        return
    page.goto("/auth/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").last.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
