"""Staff pages of the customer view: the 360 timeline names the topics (one query), the
profile links to the 360 for staff only, and the staff menu reaches the directory and the
dashboard."""

from __future__ import annotations

from app.community.forums.services import create_topic
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import MemberFactory


def test_the_timeline_names_the_topics(client, login_as, queries) -> None:  # type: ignore[no-untyped-def]
    author = MemberFactory(username="titled")
    create_topic(author, CategoryFactory().id, "Resoling trail boots", "Who did it well?")
    drain_events()
    login_as("moderator")
    with queries() as q:
        page = client.get("/members/titled/360")
    assert page.status_code == 200 and len(q) <= 25, q
    assert "Resoling trail boots" in page.get_data(as_text=True)


def test_staff_reach_the_360_from_a_profile_and_the_menu(client, login_as) -> None:  # type: ignore[no-untyped-def]
    MemberFactory(username="profiled")
    login_as("member")
    text = client.get("/members/profiled").get_data(as_text=True)
    assert "/members/profiled/360" not in text and "/customers/dashboard" not in text
    client.post("/auth/logout")
    login_as("moderator")
    text = client.get("/members/profiled").get_data(as_text=True)
    assert "/members/profiled/360" in text
    assert "/customers/dashboard" in text and 'href="/customers/"' in text
