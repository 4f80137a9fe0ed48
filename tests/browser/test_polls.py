"""Polls and the feedback report in a browser: a Gold member answers the Gold-only poll, a
Bronze member is refused it (read-only, in French); the product team reads votes by tier
on the report. Screenshots in English and French."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.browser.conftest import log_in, shot

pytestmark = pytest.mark.browser

GOLD_EMAIL = "grace@example.com"  # Gold, English; the demo leaves her the Gold poll
BRONZE_EMAIL = "hugo@example.com"  # Bronze, French
PRODUCT_EN_EMAIL = "tom.product@example.com"
PRODUCT_FR_EMAIL = "ines.product@example.com"
VOTES_BY_TIER = {"bronze": 3, "silver": 2, "gold": 4, "platinum": 1}


@pytest.fixture(scope="module")
def club(live_server) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """The demo polls, and a board with an idea voted on by members of every tier."""
    from sqlalchemy import select

    from app.community.ideas.models import Idea, IdeaBoard, IdeaVote
    from app.community.polls.models import Poll
    from app.community.polls.seed import seed_polls
    from app.core.db import unit_of_work
    from app.core.time import utcnow
    from app.extensions import db
    from app.members.models import Member

    with live_server.app.test_request_context():
        seed_polls()
        tent = db.session.scalar(select(Poll.id).where(Poll.title_en.like("Gold members%")))
        board = db.session.scalar(select(IdeaBoard).where(IdeaBoard.slug == "polls-report"))
        if board is None:
            now = utcnow()
            with unit_of_work():
                board = IdeaBoard(
                    slug="polls-report",
                    name_en="Stoves",
                    name_fr="Réchauds",
                    product="Stoves",
                    audience={},
                )
                db.session.add(board)
                db.session.flush()
                author = db.session.scalar(
                    select(Member).where(Member.username_lower == "anna_hikes")
                )
                idea = Idea(
                    board_id=board.id,
                    author_id=author.id,
                    title="A simmer ring for the Ember stove",
                    slug="a-simmer-ring-for-the-ember-stove",
                    body="Simmering is hard.",
                    body_html="<p>Simmering is hard.</p>",
                    status="open",
                    created_at=now - timedelta(days=3),
                    last_activity_at=now,
                )
                db.session.add(idea)
                db.session.flush()
                for tier, count in VOTES_BY_TIER.items():
                    voters = db.session.scalars(
                        select(Member)
                        .where(Member.tier == tier, Member.role == "member")
                        .order_by(Member.id)
                        .limit(count)
                    ).all()
                    assert len(voters) == count
                    for voter in voters:
                        db.session.add(
                            IdeaVote(
                                idea_id=idea.id,
                                member_id=voter.id,
                                importance=2,
                                created_at=now - timedelta(days=1),
                                tier=voter.tier,
                                stage="active",
                                value_band="low",
                                interests=["hiking"],
                            )
                        )
        return {"tent": tent}


def test_a_gold_member_answers_the_gold_poll(new_context, club) -> None:
    page = new_context().new_page()
    log_in(page, GOLD_EMAIL)
    page.goto("/polls/")
    shot(page, "polls-list-en")
    page.get_by_role(
        "link", name="Gold members: what matters most in our next expedition tent?"
    ).first.click()
    page.get_by_label("Storm stability").select_option("1")
    page.get_by_label("Weight under 2 kg").select_option("2")
    page.get_by_label("Two vestibules").select_option("3")
    page.get_by_role("button", name="Send my answer").click()
    page.get_by_text("Thank you: your answer is recorded.").wait_for()
    assert page.get_by_text("You answered this poll").is_visible()
    assert page.locator(f"#poll-{club['tent']}-results").is_visible()
    shot(page, "polls-gold-answered-en")


def test_a_bronze_member_is_refused_the_gold_poll(new_context, club) -> None:
    page = new_context().new_page()  # the member's own language (French) applies once logged in
    log_in(page, BRONZE_EMAIL)
    page.goto(f"/polls/{club['tent']}")
    assert page.get_by_role(
        "heading",
        name="Membres Or et Platine : qu'est-ce qui compte le plus pour notre prochaine "
        "tente d'expédition ?",
    ).is_visible()
    notice = page.locator(".poll-standing")
    assert "vous pouvez le lire, pas y répondre" in notice.inner_text()
    assert page.get_by_role("button", name="Envoyer ma réponse").count() == 0
    shot(page, "polls-gold-refused-fr")
    # A forged answer is refused by the service too (the form's CSRF token is on any page).
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    response = page.request.post(
        f"/polls/{club['tent']}/answer", form={"csrf_token": token, "rank-1": "1"}
    )
    assert response.status == 403


def _votes_by_tier(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    rows = page.locator("table[data-export=who-tier] tbody tr")
    return {
        rows.nth(i).locator("th").text_content().strip(): rows.nth(i)
        .locator("td")
        .first.text_content()
        .strip()
        for i in range(rows.count())
    }


def test_the_report_shows_votes_by_tier(new_context, club) -> None:
    page = new_context().new_page()
    log_in(page, PRODUCT_EN_EMAIL)
    page.goto("/reports/feedback?board=polls-report&period=30d")
    assert _votes_by_tier(page) == {"Bronze": "3", "Silver": "2", "Gold": "4", "Platinum": "1"}
    assert page.get_by_role("link", name="A simmer ring for the Ember stove").first.is_visible()
    shot(page, "reports-feedback-en")

    page_fr = new_context().new_page()  # the member's own language (French) applies once logged in
    log_in(page_fr, PRODUCT_FR_EMAIL)
    page_fr.goto("/reports/feedback?board=polls-report&period=30d")
    assert page_fr.get_by_role("heading", name="Rapport des retours").is_visible()
    assert _votes_by_tier(page_fr) == {"Bronze": "3", "Argent": "2", "Or": "4", "Platine": "1"}
    shot(page_fr, "reports-feedback-fr")


def test_the_product_team_edits_a_poll(new_context, club) -> None:
    page = new_context().new_page()
    log_in(page, PRODUCT_EN_EMAIL)
    page.goto("/polls/new")
    shot(page, "polls-editor-en")
    page.goto(f"/polls/{club['tent']}")
    shot(page, "polls-results-staff-en")


def test_the_colour_poll_sits_under_its_topic(new_context, club, live_server) -> None:
    from sqlalchemy import select

    from app.community.forums.models import Topic
    from app.community.polls.models import Poll
    from app.extensions import db

    with live_server.app.app_context():
        topic_id = db.session.scalar(
            select(Poll.topic_id).where(Poll.title_en.like("Which colour%"))
        )
        if topic_id is None:
            pytest.skip("the demo forums have no Nordwand topic")
        slug = db.session.scalar(select(Topic.slug).where(Topic.id == topic_id))
    page = new_context().new_page()
    log_in(page, BRONZE_EMAIL)  # Hugo (French) may answer the colour poll: it is for everyone
    page.goto(f"/t/{topic_id}-{slug}")
    page.get_by_label("Orange braise").check()
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.get_by_text("Merci : votre réponse est enregistrée.").wait_for()
    assert f"/t/{topic_id}-{slug}" in page.url
    # Waited for, not read at once: the notice must show (a missed one times out).
    page.get_by_text("Vous avez répondu à ce sondage. Merci !").wait_for(state="visible")
    shot(page, "polls-embedded-in-topic-fr")
