"""Ideas in a browser: a member posts an idea, two others vote; the product team plans it
with an official response; the author sees the notice. Screenshots in English and French.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_no_axe_violations, log_in, shot

pytestmark = pytest.mark.browser

AUTHOR_EMAIL = "anna.hikes@example.com"  # Platinum, English
VOTER_EMAILS = ("grace@example.com", "hugo@example.com")  # Gold (EN), Bronze (FR)
PRODUCT_EMAIL = "tom.product@example.com"
TITLE = "A dry bag that doubles as a pillow"


@pytest.fixture(scope="module")
def board(live_server) -> str:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.community.ideas import boards
    from app.community.ideas.models import IdeaBoard
    from app.extensions import db
    from app.members.models import Member

    with live_server.app.test_request_context():
        if db.session.scalar(select(IdeaBoard).where(IdeaBoard.slug == "browser-packs")) is None:
            admin = db.session.scalar(select(Member).where(Member.role == "admin").limit(1))
            boards.save_board(
                admin,
                {
                    "slug": "browser-packs",
                    "name_en": "Packs and bags",
                    "name_fr": "Sacs",
                    "description_en": "Ideas for our packs and dry bags.",
                    "description_fr": "Vos idées pour nos sacs et sacs étanches.",
                    "product": "Packs",
                },
            )
        db.session.remove()
    return "browser-packs"


def _drain(live_server) -> None:  # type: ignore[no-untyped-def]
    from app.core.worker import drain

    with live_server.app.app_context():
        drain(time_budget=30.0)


def test_post_vote_plan_and_the_author_is_told(new_context, live_server, board):  # type: ignore[no-untyped-def]
    author = new_context().new_page()
    log_in(author, AUTHOR_EMAIL)
    author.goto(f"/ideas/new?board={board}")
    author.get_by_label("Your idea in one sentence").fill(TITLE)
    author.get_by_label("Describe it").fill(
        "On long treks I carry a dry bag **and** an inflatable pillow. One could be both."
    )
    author.get_by_label("Tags").fill("sleep, weight")
    shot(author, "ideas-new-en")
    author.get_by_role("button", name="Post idea").click()
    author.wait_for_url("**/ideas/*-a-dry-bag-that-doubles-as-a-pillow")
    assert author.get_by_role("heading", name=TITLE).is_visible()
    idea_url = author.url

    for email in VOTER_EMAILS:
        voter = new_context().new_page()
        log_in(voter, email)
        voter.goto(idea_url)
        voter.locator(".vote-form input[value='2']").check()
        voter.locator(".vote-form button[type=submit]").click()
        voter.wait_for_load_state()
        assert voter.locator(".vote-big .vote-count").inner_text().strip() in ("1", "2")
    author.goto(idea_url)
    assert author.locator(".vote-big .vote-count").inner_text().strip() == "2"

    product = new_context().new_page()
    log_in(product, PRODUCT_EMAIL)
    product.goto(idea_url)
    product.get_by_label("Status").select_option("planned")
    product.get_by_label("Official response").fill(
        "Great idea: we are **planning** it for the 2027 dry-bag range."
    )
    product.get_by_role("button", name="Update status").click()
    product.wait_for_load_state()
    assert product.locator(".official-response").is_visible()
    assert "planning" in product.locator(".official-response").inner_text()
    shot(product, "ideas-planned-product-en")

    _drain(live_server)
    author.goto("/notifications")
    notice = author.get_by_text(f"“{TITLE}” is now Planned")
    assert notice.is_visible()
    shot(author, "ideas-author-notified-en")
    author.goto(idea_url)
    shot(author, "ideas-idea-en")
    assert_no_axe_violations(author)

    author.get_by_role("button", name="Français").click()
    author.wait_for_load_state()
    author.goto("/notifications")
    assert author.get_by_text(f"« {TITLE} » est maintenant Prévue").is_visible() or (
        author.get_by_text("Prévue").first.is_visible()
    )
    shot(author, "ideas-author-notified-fr")
    author.goto(idea_url)
    assert author.get_by_text("Réponse officielle").is_visible()
    shot(author, "ideas-idea-fr")


def test_board_roadmap_and_changelog_pages(page, live_server, board):  # type: ignore[no-untyped-def]
    page.goto(f"/ideas/b/{board}/")
    assert page.get_by_role("heading", name="Packs and bags").is_visible()
    shot(page, "ideas-board-en")
    assert_no_axe_violations(page)
    page.goto("/roadmap")
    assert page.get_by_role("heading", name="Roadmap").is_visible()
    shot(page, "ideas-roadmap-en")
    assert_no_axe_violations(page)
    page.goto("/ideas/")
    shot(page, "ideas-index-en")
    assert_no_axe_violations(page)
