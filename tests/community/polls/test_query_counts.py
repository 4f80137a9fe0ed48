"""Poll pages run a bounded number of SQL statements whatever the number of answers."""

from __future__ import annotations

from app.community.polls import services
from app.extensions import db
from tests.factories import MemberFactory


def _answer_many(poll, n: int) -> None:  # type: ignore[no-untyped-def]
    for i in range(n):
        member = MemberFactory(tier=("bronze", "silver", "gold", "platinum")[i % 4])
        services.answer_poll(member, poll.id, choices=[poll.options[i % 3].id])


def test_the_poll_page_costs_the_same_with_more_answers(
    client, login_as, make_poll, queries
) -> None:
    poll = make_poll(results_visibility="always")
    _answer_many(poll, 3)
    login_as("product")
    client.get(f"/polls/{poll.id}")
    db.session.expire_all()  # as in a fresh request's session
    with queries() as few:
        assert client.get(f"/polls/{poll.id}").status_code == 200
    _answer_many(poll, 40)
    db.session.expire_all()
    with queries() as many:
        assert client.get(f"/polls/{poll.id}").status_code == 200
    assert len(many) == len(few) <= 20


def test_the_list_costs_the_same_with_more_polls(client, login_as, make_poll, queries) -> None:
    for n in range(2):
        make_poll(title_en=f"A first poll number {n}")
    login_as()
    client.get("/polls/")
    db.session.expire_all()
    with queries() as few:
        assert client.get("/polls/").status_code == 200
    for n in range(15):
        make_poll(title_en=f"Another poll number {n}", audience_min_tier="gold")
    db.session.expire_all()
    with queries() as many:
        assert client.get("/polls/").status_code == 200
    assert len(many) == len(few) <= 12
