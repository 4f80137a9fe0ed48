"""Poll services: who manages polls, who answers, what a valid answer is, nothing written
on bad input, one answer per member, quotas per cell."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.polls import services
from app.community.polls.events import PollAnswered
from app.community.polls.models import Poll, PollAnswer, PollChoice, PollQuotaCell
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import pending_events
from app.extensions import db
from tests.community.polls.conftest import future, past, poll_data
from tests.factories import MemberFactory


def _answers(poll: Poll) -> int:
    return db.session.scalar(select(func.count()).where(PollAnswer.poll_id == poll.id))


def _choices(poll: Poll) -> int:
    return db.session.scalar(select(func.count()).where(PollChoice.poll_id == poll.id))


# --- managing ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["member", "moderator"])
def test_only_product_and_admins_create_polls(db, role) -> None:
    actor = MemberFactory(role=role)
    with pytest.raises(PermissionDenied):
        services.create_poll(actor, poll_data())
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_admin_creates_a_poll_with_its_options(db) -> None:
    admin = MemberFactory(role="admin")
    poll = services.create_poll(admin, poll_data())
    assert [o.label_en for o in poll.options] == ["Glacier blue", "Moss green", "Ember orange"]
    assert poll.title("fr") == "Quelle couleur pour la nouvelle veste Summit ?"
    assert poll.state() == "open"


def test_poll_form_errors_are_per_field_and_nothing_is_written(db, product) -> None:
    bad = poll_data(
        title_en="Hm",
        options=[{"label_en": "Only one"}],
        closes_at=past(120),
        opens_at=past(60),
        results_visibility="sometimes",
        audience_min_tier="diamond",
    )
    with pytest.raises(Invalid) as caught:
        services.create_poll(product, bad)
    assert set(caught.value.errors) >= {
        "title_en",
        "options",
        "closes_at",
        "results_visibility",
        "audience_min_tier",
    }
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_number_poll_needs_a_whole_number_of_steps(db, product) -> None:
    with pytest.raises(Invalid) as caught:
        services.create_poll(
            product, poll_data(kind="number", number_min="0", number_max="10", number_step="3")
        )
    assert "number_step" in caught.value.errors


def test_option_images_must_be_uploaded_to_the_club(db, product) -> None:
    options = [
        {"label_en": "A", "image_url": "https://tracker.example/x.png"},
        {"label_en": "B", "image_url": "/uploads/ab/cd.webp"},
    ]
    with pytest.raises(Invalid) as caught:
        services.create_poll(product, poll_data(options=options))
    assert "option-0" in caught.value.errors and "option-1" not in caught.value.errors


def test_options_are_kept_once_answers_exist(db, make_poll, members) -> None:
    poll = make_poll()
    services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    actor = db.session.get(type(members["gold"]), poll.author_id)
    services.update_poll(
        actor,
        poll.id,
        poll_data(title_en="Which colour, really?", kind="multiple", options=[{"label_en": "X"}]),
    )
    db.session.expire_all()
    poll = db.session.get(Poll, poll.id)
    assert poll.title_en == "Which colour, really?"
    assert poll.kind == "single"
    assert len(poll.options) == 3


def test_closing_twice_is_harmless(db, make_poll, product) -> None:
    poll = make_poll()
    services.close_poll(product, poll.id)
    first = poll.closes_at
    services.close_poll(product, poll.id)
    assert poll.closes_at == first
    assert poll.state() == "closed"


def test_members_cannot_close_a_poll(db, make_poll, members) -> None:
    poll = make_poll()
    with pytest.raises(PermissionDenied):
        services.close_poll(members["gold"], poll.id)
    assert poll.state() == "open"


# --- answering -----------------------------------------------------------------------------


def test_a_member_answers_once_with_a_snapshot(db, make_poll, members) -> None:
    poll = make_poll()
    answer = services.answer_poll(members["gold"], poll.id, choices=[poll.options[1].id])
    assert (answer.tier, answer.stage, answer.value_band) == ("gold", "new", "none")
    db.session.refresh(poll)
    assert poll.answer_count == 1
    with pytest.raises(Invalid, match="already answered"):
        services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    assert _answers(poll) == 1 and _choices(poll) == 1


def test_answering_emits_poll_answered(db, make_poll, members, published) -> None:
    poll = make_poll()
    answer = services.answer_poll(members["silver"], poll.id, choices=[poll.options[0].id])
    events = [e for e in published if isinstance(e, PollAnswered)]
    assert events == [
        PollAnswered(
            poll_id=poll.id,
            answer_id=answer.id,
            member_id=members["silver"].id,
            tier="silver",
            topic_id=None,
            idea_id=None,
        )
    ]


def test_a_refused_answer_emits_nothing(db, make_poll, members) -> None:
    poll = make_poll()
    with pytest.raises(Invalid):
        services.answer_poll(members["silver"], poll.id, choices=["999999"])
    assert list(pending_events(db.session)) == []


@pytest.mark.parametrize(
    ("kind", "extra", "answer", "message"),
    [
        ("single", {}, {"choices": ["999999"]}, "Choose among"),
        ("single", {}, {"choices": []}, "Choose an option"),
        ("single", {}, {"choices": ["first", "second"]}, "exactly 1"),
        ("multiple", {"min_choices": "2", "max_choices": "2"}, {"choices": ["first"]}, "exactly 2"),
        (
            "multiple",
            {"min_choices": "1", "max_choices": "3"},
            {"choices": ["first", "first"]},
            "once",
        ),
        (
            "number",
            {"number_min": "1", "number_max": "10", "number_step": "1"},
            {"number": "11"},
            "from 1 to 10",
        ),
        (
            "number",
            {"number_min": "1", "number_max": "10", "number_step": "1"},
            {"number": "2.5"},
            "steps of 1",
        ),
        (
            "number",
            {"number_min": "1", "number_max": "10", "number_step": "1"},
            {"number": "lots"},
            "Enter a number",
        ),
        ("ranked", {}, {"ranking": {"first": "1", "second": "1", "third": "2"}}, "one option only"),
        (
            "ranked",
            {},
            {"ranking": {"first": "1", "second": "3", "third": "4"}},
            "place from 1 to 3",
        ),
        (
            "ranked",
            {"min_choices": "2", "max_choices": "3"},
            {"ranking": {"first": "1", "third": "3"}},
            "without a gap",
        ),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_written(
    db, make_poll, members, kind, extra, answer, message
) -> None:
    poll = make_poll(kind=kind, **extra)
    ids = {
        name: str(o.id) for name, o in zip(("first", "second", "third"), poll.options, strict=False)
    }
    kwargs = {}
    if "choices" in answer:
        kwargs["choices"] = [ids.get(c, c) for c in answer["choices"]]
    if "ranking" in answer:
        kwargs["ranking"] = {ids[k]: v for k, v in answer["ranking"].items()}
    if "number" in answer:
        kwargs["number"] = answer["number"]
    with pytest.raises(Invalid, match=message):
        services.answer_poll(members["gold"], poll.id, **kwargs)
    assert _answers(poll) == 0 and _choices(poll) == 0
    db.session.refresh(poll)
    assert poll.answer_count == 0


def test_a_ranked_answer_stores_the_places(db, make_poll, members) -> None:
    poll = make_poll(kind="ranked")
    a, b, c = poll.options
    services.answer_poll(
        members["gold"], poll.id, ranking={str(c.id): "1", str(a.id): "2", str(b.id): "3"}
    )
    ranks = dict(db.session.execute(select(PollChoice.option_id, PollChoice.rank)).all())
    assert ranks == {c.id: 1, a.id: 2, b.id: 3}


def test_a_number_answer_is_stored(db, make_poll, members) -> None:
    poll = make_poll(kind="number", number_min="0", number_max="1", number_step="0.25")
    answer = services.answer_poll(members["gold"], poll.id, number="0,75")
    assert answer.number_value == 0.75


def test_no_answer_after_the_close(db, make_poll, members) -> None:
    poll = make_poll(opens_at=past(120), closes_at=past(1))
    with pytest.raises(Invalid, match="closed"):
        services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    assert _answers(poll) == 0


def test_a_scheduled_poll_is_hidden_from_members(db, make_poll, members) -> None:
    poll = make_poll(opens_at=future(60))
    with pytest.raises(NotFound):
        services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    with pytest.raises(NotFound):
        services.get_poll(members["gold"], poll.id)


def test_visitors_cannot_answer(db, make_poll) -> None:
    from flask_login import AnonymousUserMixin

    poll = make_poll()
    with pytest.raises(PermissionDenied):
        services.answer_poll(AnonymousUserMixin(), poll.id, choices=[poll.options[0].id])


# --- audience ------------------------------------------------------------------------------


def test_a_gold_poll_is_answered_by_gold_and_refused_to_bronze(db, make_poll, members) -> None:
    poll = make_poll(audience_min_tier="gold")
    services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    services.answer_poll(members["platinum"], poll.id, choices=[poll.options[0].id])
    with pytest.raises(PermissionDenied, match="Gold and above"):
        services.answer_poll(members["bronze"], poll.id, choices=[poll.options[0].id])
    assert _answers(poll) == 2


def test_outsiders_see_a_read_only_poll_or_nothing(db, make_poll, members) -> None:
    read_only = make_poll(audience_min_tier="gold", outsiders="read_only")
    hidden = make_poll(audience_min_tier="gold", outsiders="hidden")
    bronze = members["bronze"]
    assert services.get_poll(bronze, read_only.id) is read_only
    standing = services.standing(bronze, read_only, answered=False)
    assert not standing.can_answer and "Gold and above" in standing.reason
    with pytest.raises(NotFound):
        services.get_poll(bronze, hidden.id)
    assert services.get_poll(members["gold"], hidden.id) is hidden


def test_interest_audience_uses_the_one_rule(db, make_poll) -> None:
    from app.members.models import MemberInterest
    from tests.factories import InterestFactory

    trail = InterestFactory(slug="trail-running")
    fan, other = MemberFactory(), MemberFactory()
    db.session.add(MemberInterest(member_id=fan.id, interest_id=trail.id))
    db.session.flush()
    poll = make_poll(audience_interests=["trail-running"])
    services.answer_poll(fan, poll.id, choices=[poll.options[0].id])
    with pytest.raises(PermissionDenied):
        services.answer_poll(other, poll.id, choices=[poll.options[0].id])
    assert db.session.scalar(select(PollAnswer.interests)) == ["trail-running"]


def test_a_write_guard_refuses_the_answer(app, db, make_poll, members) -> None:
    from app.core.guards import _KEY

    poll = make_poll()
    guards = app.extensions.setdefault(_KEY, [])
    guard = lambda actor, action: "You are silenced." if action == "answer" else None  # noqa: E731
    guards.append(guard)
    try:
        with pytest.raises(PermissionDenied, match="silenced"):
            services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    finally:
        guards.remove(guard)
    assert _answers(poll) == 0


# --- results visibility --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("visibility", "answered", "closed", "seen"),
    [
        ("always", False, False, True),
        ("after_vote", False, False, False),
        ("after_vote", True, False, True),
        ("after_vote", False, True, True),
        ("after_close", True, False, False),
        ("after_close", False, True, True),
        ("staff", True, True, False),
    ],
)
def test_results_visibility(db, make_poll, members, visibility, answered, closed, seen) -> None:
    poll = make_poll(
        results_visibility=visibility, opens_at=past(120), closes_at=past(1) if closed else ""
    )
    assert services.results_visible(members["gold"], poll, answered) is seen
    assert services.results_visible(poll_author(poll), poll, False) is True


def poll_author(poll: Poll):  # type: ignore[no-untyped-def]
    from app.members.models import Member

    return db.session.get(Member, poll.author_id)


# --- quotas --------------------------------------------------------------------------------


def test_a_full_quota_cell_refuses_its_group_only(db, make_poll) -> None:
    poll = make_poll(quota_attribute="tier", quotas={"gold": "2", "silver": ""})
    golds = [MemberFactory(tier="gold") for _ in range(3)]
    for member in golds[:2]:
        services.answer_poll(member, poll.id, choices=[poll.options[0].id])
    with pytest.raises(Invalid, match="all the answers it needs from Gold"):
        services.answer_poll(golds[2], poll.id, choices=[poll.options[0].id])
    services.answer_poll(MemberFactory(tier="silver"), poll.id, choices=[poll.options[0].id])
    cell = db.session.get(PollQuotaCell, (poll.id, "gold"))
    assert (cell.filled, cell.capacity) == (2, 2)
    assert _answers(poll) == 3
    assert services.standing(golds[2], poll, answered=False).can_answer is False


def test_a_quota_cannot_drop_below_its_answers(db, make_poll, product) -> None:
    poll = make_poll(quota_attribute="tier", quotas={"gold": "5"})
    services.answer_poll(MemberFactory(tier="gold"), poll.id, choices=[poll.options[0].id])
    services.answer_poll(MemberFactory(tier="gold"), poll.id, choices=[poll.options[0].id])
    with pytest.raises(Invalid):
        services.update_poll(
            product, poll.id, poll_data(quota_attribute="tier", quotas={"gold": "1"})
        )
    assert db.session.get(PollQuotaCell, (poll.id, "gold")).capacity == 5
