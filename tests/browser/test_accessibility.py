"""axe-core (WCAG 2.1 A and AA) finds nothing on the pages every visitor and member sees.

Each page is checked in English and French, for a visitor and for a member, on a desktop
and a phone viewport; a screenshot of each is saved for a human look.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.browser.conftest import (
    DEMO_MEMBER_EMAIL,
    DEMO_PASSWORD,
    assert_no_axe_violations,
    axe_violations,
    log_in,
    shot,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def places(live_server) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A category and its longest readable topic in the demo club."""
    from app.community.forums.models import Category, Topic
    from app.extensions import db

    with live_server.app.app_context():
        topic = db.session.scalars(
            select(Topic)
            .join(Category, Category.id == Topic.category_id)
            .where(Category.allowed_roles.is_(None) | (Category.allowed_roles == ""))
            .where(Category.min_tier_rank == 0)
            .order_by(Topic.post_count.desc())
        ).first()
        assert topic is not None
        category = db.session.get(Category, topic.category_id)
        paths = {
            "topic": f"/t/{topic.id}-{topic.slug}",
            "category": f"/forums/{category.slug}/",
        }
        db.session.remove()
    return paths


PAGES = ["/", "/latest", "{category}", "{topic}", "/auth/login", "/search?q=tent"]


def _log_in_any_language(page, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/auth/login")
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


def _visit(page, path: str, places: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    page.goto(path.format(**places))
    page.wait_for_load_state("load")


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_visitor_pages_have_no_axe_violations(new_context, places, locale) -> None:  # type: ignore[no-untyped-def]
    page = new_context(locale=locale).new_page()
    for path in PAGES:
        _visit(page, path, places)
        assert_no_axe_violations(page)
    shot(page, f"a11y-visitor-search-{locale}")


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_member_pages_have_no_axe_violations(new_context, places, locale) -> None:  # type: ignore[no-untyped-def]
    page = new_context(locale=locale).new_page()
    _log_in_any_language(page, DEMO_MEMBER_EMAIL)
    for path in [p for p in PAGES if p != "/auth/login"]:
        _visit(page, path, places)
        assert_no_axe_violations(page)
    page.locator("details.menu summary").click()  # the open account menu too
    assert_no_axe_violations(page)
    _visit(page, "{topic}", places)
    shot(page, f"a11y-member-topic-{locale}")


def test_phone_viewport_pages_have_no_axe_violations(new_context, places) -> None:  # type: ignore[no-untyped-def]
    context = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    log_in(page, DEMO_MEMBER_EMAIL)
    for path in ["/latest", "{topic}"]:
        _visit(page, path, places)
        assert_no_axe_violations(page)
    shot(page, "a11y-phone-topic")


def test_the_check_fails_on_a_real_violation(page, live_server) -> None:  # type: ignore[no-untyped-def]
    """The helper can fail: an image without alt text and low-contrast text are caught."""
    page.goto("/auth/login")
    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = '/static/img/logo.svg';
            document.querySelector('main').appendChild(img);
            const p = document.createElement('p');
            p.textContent = 'Hard to read';
            p.style.color = '#aaaaaa';
            p.style.background = '#ffffff';
            document.querySelector('main').appendChild(p);
            // issue 13's account menu: a name replacing the visible text (WCAG 2.5.3)
            const menu = document.createElement('button');
            menu.setAttribute('aria-label', 'Your account');
            menu.textContent = 'Hugo Petit';
            document.querySelector('main').appendChild(menu);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page)}
    assert {"image-alt", "color-contrast", "label-content-name-mismatch"} <= ids
    with pytest.raises(AssertionError, match="image-alt"):
        assert_no_axe_violations(page)


@pytest.mark.parametrize("email", ["marc.team@example.com", "claire@example.com"])
def test_staff_pages_have_no_axe_violations(new_context, places, email) -> None:  # type: ignore[no-untyped-def]
    """The community team's and an admin's topic page: staff tools, lock form, deleted posts."""
    page = new_context().new_page()
    _log_in_any_language(page, email)
    for path in ["{topic}", "{category}", "/latest"]:
        _visit(page, path, places)
        assert_no_axe_violations(page)
    _visit(page, "{topic}", places)
    shot(page, f"a11y-staff-topic-{email.split('@')[0]}")
