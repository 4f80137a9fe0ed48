"""Consent, unknown-becomes-known, export, erasure; staff-only customer pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from app.community.forums.services import create_topic, reply
from app.core.db import unit_of_work
from app.core.time import utcnow
from app.extensions import db
from app.members.engagement.identity import CONSENT_COOKIE, VISITOR_COOKIE
from app.members.engagement.models import EngagementEvent, MemberAffinity, MemberProfile
from app.members.engagement.pipeline import Activity, record
from app.members.loyalty.models import LedgerEntry
from app.members.models import Member
from app.members.privacy import erase_account, set_consent
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import PASSWORD, InterestFactory, MemberFactory

VISITOR = "a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6"


def _visitor_rows(visitor_id: str) -> None:
    with unit_of_work():
        from app.members.engagement.pipeline import insert_plain

        insert_plain(
            [
                Activity(
                    "topic_viewed",
                    utcnow() - timedelta(days=2),
                    f"v:{visitor_id}:{i}",
                    visitor_id=visitor_id,
                    object_type="topic",
                    object_id=str(i),
                )
                for i in range(3)
            ]
        )


def _login(client, member: Member):  # type: ignore[no-untyped-def]
    return client.post("/auth/login", data={"email": member.email, "password": PASSWORD})


def test_a_consenting_visitors_events_are_attached_when_they_log_in(client, db) -> None:
    member = MemberFactory()
    _visitor_rows(VISITOR)
    client.set_cookie(CONSENT_COOKIE, "yes", domain="club.test")
    client.set_cookie(VISITOR_COOKIE, VISITOR, domain="club.test")
    assert _login(client, member).status_code == 302
    attached = db.session.scalar(
        select(func.count())
        .select_from(EngagementEvent)
        .where(EngagementEvent.member_id == member.id)
    )
    assert attached == 3
    assert db.session.get(MemberProfile, member.id).counts == {"topic_viewed": 3}


def test_without_consent_nothing_is_attached(client, db) -> None:
    member = MemberFactory()
    _visitor_rows(VISITOR)
    client.set_cookie(CONSENT_COOKIE, "no", domain="club.test")
    client.set_cookie(VISITOR_COOKIE, VISITOR, domain="club.test")
    _login(client, member)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(EngagementEvent)
            .where(EngagementEvent.member_id == member.id)
        )
        == 0
    )


def test_the_cookie_banner_sets_a_visitor_id_only_when_accepted(client) -> None:
    assert b"data-cookie-banner" in client.get("/").data
    refused = client.post("/privacy/cookies", data={"choice": "refuse", "next": "/"})
    assert VISITOR_COOKIE not in " ".join(refused.headers.getlist("Set-Cookie")).split("=")[0:1]
    assert b"data-cookie-banner" not in client.get("/").data
    accepted = client.post("/privacy/cookies", data={"choice": "accept", "next": "/"})
    cookies = " ".join(accepted.headers.getlist("Set-Cookie"))
    assert f"{VISITOR_COOKIE}=" in cookies and f"{CONSENT_COOKIE}=yes" in cookies


def test_without_personalisation_consent_nothing_is_inferred(db) -> None:
    interest = InterestFactory()
    shy, open_ = MemberFactory(), MemberFactory()
    set_consent(open_, personalisation=True, marketing_email=False)
    for m in (shy, open_):
        with unit_of_work():
            record(
                [
                    Activity(
                        "replied", utcnow(), f"i:{m.id}", member_id=m.id, interest_id=interest.id
                    )
                ]
            )
    inferred = dict(
        db.session.execute(select(MemberAffinity.member_id, MemberAffinity.score_base)).all()
    )
    assert shy.id not in inferred and inferred[open_.id] > 0
    set_consent(open_, personalisation=False, marketing_email=True)
    assert db.session.scalar(select(func.count()).select_from(MemberAffinity)) == 0


def test_the_privacy_page_saves_choices(client, login_as) -> None:
    member = login_as("member")
    page = client.get("/settings/privacy")
    assert page.status_code == 200
    saved = client.post("/settings/privacy", data={"personalisation": "y"})
    assert saved.status_code == 302
    from app.members.privacy import consent_of

    assert consent_of(member.id).personalisation is True
    assert consent_of(member.id).marketing_email is False


def test_the_data_export_holds_the_members_activity_and_points(client, login_as) -> None:
    member = login_as("member")
    with unit_of_work():
        record([Activity("purchase", utcnow(), "x:1", member_id=member.id, value_cents=5000)])
    response = client.get("/settings/privacy/export.json")
    assert response.status_code == 200
    data = response.get_json()
    assert data["account"]["email"] == member.email
    assert data["activity"][0]["type"] == "purchase"
    assert data["points"][0]["points"] == 50


def _rows_mentioning(needles: list[str]) -> list[str]:
    """Every (table, row) holding one of the strings, across every table."""
    found = []
    connection = db.session.connection()
    for table in db.metadata.sorted_tables:
        for row in connection.execute(text(f'SELECT * FROM "{table.name}"')):
            blob = " ".join(str(v) for v in row).lower()
            for needle in needles:
                if needle.lower() in blob:
                    found.append(f"{table.name}: {needle}")
    return found


@pytest.mark.parametrize("remove_posts", [False, True])
def test_erasure_leaves_no_personal_data_and_totals_consistent(client, db, remove_posts) -> None:
    from app.members import services

    member = services.register("zelda_erasable", "zelda.erasable@example.com", PASSWORD)
    services.update_profile(member, member, "Zelda Quintessa", "I love quiet lakes.")
    set_consent(member, personalisation=True, marketing_email=True)
    category = CategoryFactory()
    topic = create_topic(
        member, category.id, "My first trip report", "Lakes, lakes and more lakes."
    )
    fan = MemberFactory()
    reply(fan, topic.id, "Lovely report, thanks!")
    with unit_of_work():
        record([Activity("purchase", utcnow(), "e:1", member_id=member.id, value_cents=10_000)])
    drain_events()
    before = db.session.scalar(
        select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == member.id)
    )
    total_before = db.session.scalar(select(func.sum(LedgerEntry.points)))
    needles = ["zelda_erasable", "zelda.erasable@example.com", "Zelda Quintessa"]
    assert _rows_mentioning(needles)  # the scan sees them before

    erase_account(db.session.get(Member, member.id), PASSWORD, remove_posts=remove_posts)
    drain_events()
    assert _rows_mentioning(needles) == []
    after = db.session.scalar(
        select(func.sum(LedgerEntry.points)).where(LedgerEntry.member_id == member.id)
    )
    if remove_posts:
        assert after == before - 20  # the deleted topic's points were taken back, by a ledger entry
    else:
        assert after == before
    assert db.session.scalar(select(func.sum(LedgerEntry.points))) == total_before - (
        before - after
    )
    erased = db.session.get(Member, member.id)
    assert erased.points == after and erased.erased_at is not None


def test_erasure_needs_the_password(db) -> None:
    from app.core.errors import Invalid

    member = MemberFactory()
    with pytest.raises(Invalid):
        erase_account(member, "wrong password", remove_posts=False)
    assert db.session.get(Member, member.id).erased_at is None


@pytest.mark.parametrize(
    "url",
    ["/members/{u}/360", "/customers/", "/customers/dashboard", "/customers/export.csv"],
)
def test_staff_pages_refuse_members(client, login_as, url) -> None:
    target = MemberFactory()
    login_as("member")
    assert client.get(url.format(u=target.username)).status_code == 403


def test_staff_pages_send_visitors_to_log_in(client) -> None:
    target = MemberFactory()
    assert client.get(f"/members/{target.username}/360").status_code == 302


def test_a_community_manager_sees_the_360_directory_dashboard_and_csv(
    client, login_as, queries
) -> None:
    target = MemberFactory(username="hugo360")
    for i in range(40):
        with unit_of_work():
            record(
                [
                    Activity(
                        "replied" if i % 2 else "purchase",
                        utcnow() - timedelta(days=i),
                        f"m:{i}",
                        member_id=target.id,
                        value_cents=2000,
                        object_id=str(i),
                    )
                ]
            )
    login_as("moderator")
    with queries() as q:
        page = client.get("/members/hugo360/360")
    assert page.status_code == 200
    assert len(q) <= 25, q
    text_ = page.get_data(as_text=True)
    assert "hugo360" in text_ and "Purchase" in text_
    assert client.get("/members/hugo360/360?page=2").status_code == 200
    noted = client.post("/members/hugo360/360", data={"body": "Called about the tent."})
    assert noted.status_code == 302
    assert "Called about the tent." in client.get("/members/hugo360/360").get_data(as_text=True)
    directory = client.get("/customers/?tier=silver&score_min=0")
    assert directory.status_code == 200 and "hugo360" in directory.get_data(as_text=True)
    assert "hugo360" not in client.get("/customers/?tier=gold").get_data(as_text=True)
    assert client.get("/customers/?score_min=abc").status_code == 400
    with queries() as q:
        dashboard = client.get("/customers/dashboard")
    assert dashboard.status_code == 200 and len(q) <= 20, q
    assert "hugo360" in dashboard.get_data(as_text=True)
    csv = client.get("/customers/export.csv?tier=silver").get_data(as_text=True)
    assert csv.splitlines()[0].startswith("id,username,email") and "hugo360" in csv
