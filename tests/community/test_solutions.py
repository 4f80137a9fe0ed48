"""Solved answers: in a Q&A category the asker or staff marks one reply as the solution;
one per topic, a second mark replaces it, unmarking is idempotent; anyone else, or any
other category, gets a clear refusal and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums import queries, services
from app.community.forums.events import SolutionMarked, SolutionUnmarked
from app.community.forums.models import Post, Topic
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.core.events import get_bus
from app.extensions import db
from app.notifications.models import Notification
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import MemberFactory

FR = {"Accept-Language": "fr-FR,fr;q=0.9"}


@pytest.fixture
def qa(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="support", name_en="Support", name_fr="Assistance", qa=True)


@pytest.fixture
def asker(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="asker")


@pytest.fixture
def helper(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="helper")


@pytest.fixture
def question(qa, asker):  # type: ignore[no-untyped-def]
    return services.create_topic(asker, qa.id, "My stove will not light", "It clicks, no flame.")


def _reply(topic, member, body="Clean the jet with the needle."):  # type: ignore[no-untyped-def]
    return services.reply(member, topic.id, body)


def _fresh_topic(topic_id: int) -> Topic:
    db.session.expire_all()
    return db.session.get(Topic, topic_id)


@pytest.fixture
def events(app):  # type: ignore[no-untyped-def]
    seen: list = []
    bus = get_bus()
    for kind in (SolutionMarked, SolutionUnmarked):
        bus.subscribe(kind, seen.append)
    yield seen
    for kind in (SolutionMarked, SolutionUnmarked):
        handlers = bus._handlers.get(kind, [])
        if seen.append in handlers:
            handlers.remove(seen.append)


# --- the service ------------------------------------------------------------------------


def test_asker_marks_a_reply_as_the_solution(question, asker, helper, events):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    topic = _fresh_topic(question.id)
    assert topic.solution_post_id == answer.id
    assert topic.solved is True
    assert events == [
        SolutionMarked(
            topic_id=topic.id,
            category_id=topic.category_id,
            post_id=answer.id,
            actor_id=asker.id,
            post_author_id=helper.id,
            replaced_post_id=None,
        )
    ]


def test_marking_the_same_reply_twice_emits_once(question, asker, helper, events):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    services.mark_solution(asker, answer.id)
    assert len(events) == 1


def test_a_second_mark_replaces_the_first(question, asker, helper, events):
    first = _reply(question, helper)
    second = _reply(question, MemberFactory(), "Or change the cartridge, it may be empty.")
    services.mark_solution(asker, first.id)
    services.mark_solution(asker, second.id)
    topic = _fresh_topic(question.id)
    assert topic.solution_post_id == second.id
    assert events[-1].replaced_post_id == first.id


def test_unmarking_makes_the_topic_unsolved_and_is_idempotent(question, asker, helper, events):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    services.unmark_solution(asker, answer.id)
    services.unmark_solution(asker, answer.id)
    topic = _fresh_topic(question.id)
    assert topic.solution_post_id is None and topic.solved is False
    assert [type(e) for e in events] == [SolutionMarked, SolutionUnmarked]


def test_unmarking_a_reply_that_is_not_the_solution_keeps_the_solution(question, asker, helper):
    answer = _reply(question, helper)
    other = _reply(question, MemberFactory(), "Try a lighter, the piezo may be dead.")
    services.mark_solution(asker, answer.id)
    services.unmark_solution(asker, other.id)
    assert _fresh_topic(question.id).solution_post_id == answer.id


@pytest.mark.parametrize("role", ["moderator", "admin"])
def test_staff_may_mark_the_solution(question, helper, role):
    answer = _reply(question, helper)
    services.mark_solution(MemberFactory(role=role), answer.id)
    assert _fresh_topic(question.id).solved is True


def test_another_member_cannot_mark_and_nothing_is_written(question, helper, events):
    answer = _reply(question, helper)
    with pytest.raises(PermissionDenied) as caught:
        services.mark_solution(helper, answer.id)
    assert "Only the member who asked" in caught.value.message
    assert _fresh_topic(question.id).solution_post_id is None
    assert events == []


def test_no_solution_outside_a_qa_category(category, member, other, events):
    topic = services.create_topic(member, category.id, "Best tent for two?", "Looking around.")
    answer = services.reply(other, topic.id, "The Dome 2, easily.")
    with pytest.raises(Invalid) as caught:
        services.mark_solution(member, answer.id)
    assert "only in Q&A categories" in str(caught.value)
    assert _fresh_topic(topic.id).solved is False
    assert events == []


def test_the_question_cannot_be_its_own_solution(question, asker):
    first = db.session.scalar(select(Post).where(Post.topic_id == question.id))
    with pytest.raises(Invalid):
        services.mark_solution(asker, first.id)
    assert _fresh_topic(question.id).solved is False


def test_a_deleted_reply_cannot_be_the_solution(question, asker, helper):
    answer = _reply(question, helper)
    services.delete_post(helper, answer.id)
    with pytest.raises(Invalid):
        services.mark_solution(asker, answer.id)


def test_visitor_cannot_mark(question, helper):
    from flask_login import AnonymousUserMixin

    answer = _reply(question, helper)
    with pytest.raises(PermissionDenied):
        services.mark_solution(AnonymousUserMixin(), answer.id)


def test_a_hidden_category_stays_hidden(db, asker, helper):
    gold = CategoryFactory(qa=True, min_tier_rank=2)
    staff = MemberFactory(role="moderator")
    topic = services.create_topic(staff, gold.id, "Gold members only question", "Hello there.")
    answer = services.reply(staff, topic.id, "An answer for gold members.")
    with pytest.raises(NotFound):
        services.mark_solution(asker, answer.id)


def test_may_mark_solution_says_who(question, asker, helper):
    assert services.may_mark_solution(asker, question)
    assert not services.may_mark_solution(helper, question)
    assert services.may_mark_solution(MemberFactory(role="moderator"), question)


def test_the_answers_author_is_notified(question, asker, helper):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    drain_events()
    [notice] = db.session.scalars(select(Notification).where(Notification.member_id == helper.id))
    assert notice.type == "solution"
    assert notice.post_id == answer.id
    mine = db.session.scalar(
        select(func.count()).select_from(Notification).where(Notification.member_id == asker.id)
    )
    assert mine == 1  # only the reply notice the asker got, none for their own mark


# --- pages ------------------------------------------------------------------------------


def _login(client, member):  # type: ignore[no-untyped-def]
    with client.session_transaction() as sess:
        sess["_user_id"] = member.get_id()
        sess["_fresh"] = True


def test_asker_sees_mark_buttons_and_the_solution_under_the_question(
    client, question, asker, helper
):
    answer = _reply(question, helper, "Clean the jet with the little needle.")
    _login(client, asker)
    page = client.get(queries.topic_url(question)).get_data(as_text=True)
    assert "Mark as solution" in page
    response = client.post(f"/posts/{answer.id}/solution", data={"state": "on"})
    assert response.status_code == 302
    page = client.get(queries.topic_url(question)).get_data(as_text=True)
    assert 'class="solution-box"' in page
    assert "Clean the jet with the little needle." in page
    assert "Unmark solution" in page


@pytest.mark.parametrize("who", ["visitor", "member"])
def test_others_see_the_solution_but_no_mark_button(client, question, asker, helper, who):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    if who == "member":
        _login(client, MemberFactory())
    page = client.get(queries.topic_url(question)).get_data(as_text=True)
    assert 'class="solution-box"' in page
    assert "Mark as solution" not in page and "Unmark solution" not in page


def test_another_member_posting_a_mark_is_refused_with_a_message(client, question, helper):
    answer = _reply(question, helper)
    _login(client, helper)
    response = client.post(
        f"/posts/{answer.id}/solution", data={"state": "on"}, follow_redirects=True
    )
    assert "Only the member who asked" in response.get_data(as_text=True)
    assert _fresh_topic(question.id).solved is False


def test_solution_route_without_state_is_a_bad_request(client, question, asker, helper):
    answer = _reply(question, helper)
    _login(client, asker)
    assert client.post(f"/posts/{answer.id}/solution", data={}).status_code == 400


def test_solution_route_answers_json(client, question, asker, helper):
    answer = _reply(question, helper)
    _login(client, asker)
    response = client.post(
        f"/posts/{answer.id}/solution",
        data={"state": "on"},
        headers={"Accept": "application/json"},
    )
    assert response.get_json() == {"solution": True}


def test_lists_show_solved_and_filter_by_status(client, qa, question, asker, helper):
    open_one = services.create_topic(asker, qa.id, "Pump leaks at the seal", "Any fix for it?")
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    page = client.get("/forums/support/").get_data(as_text=True)
    assert "pill-solved" in page
    solved = client.get("/forums/support/?status=solved").get_data(as_text=True)
    assert question.title in solved and open_one.title not in solved
    unsolved = client.get("/latest?status=unsolved").get_data(as_text=True)
    assert open_one.title in unsolved and question.title not in unsolved
    assert 'aria-current="page">Unsolved' in unsolved


def test_unsolved_leaves_out_topics_of_other_categories(client, category, member, qa, asker):
    services.create_topic(member, category.id, "Best tent for two people", "Ideas welcome.")
    services.create_topic(asker, qa.id, "Pump leaks at the seal", "Any fix for it?")
    page = client.get("/latest?status=unsolved").get_data(as_text=True)
    assert "Pump leaks at the seal" in page
    assert "Best tent for two people" not in page


def test_solution_in_french(client, question, asker, helper):
    answer = _reply(question, helper)
    _login(client, asker)
    page = client.get(queries.topic_url(question), headers=FR).get_data(as_text=True)
    assert "Marquer comme solution" in page
    services.mark_solution(asker, answer.id)
    page = client.get(queries.topic_url(question), headers=FR).get_data(as_text=True)
    assert "Résolu" in page
    listing = client.get("/forums/support/", headers=FR).get_data(as_text=True)
    assert "Non résolus" in listing


def test_admin_category_form_sets_and_clears_the_qa_flag(client, login_as, category):
    login_as("admin")
    page = client.get(f"/admin/categories/{category.id}").get_data(as_text=True)
    assert 'name="qa"' in page and "Questions and answers" in page
    data = {"slug": "tents", "name_en": "Tents", "name_fr": "Tentes", "colour": "#2f6f8f",
            "min_tier_rank": "0", "interest_id": "None"}  # fmt: skip
    assert (
        client.post(f"/admin/categories/{category.id}", data={**data, "qa": "y"}).status_code == 302
    )
    db.session.expire_all()
    assert category.qa is True
    assert ">Q&A<" in client.get("/admin/categories").get_data(as_text=True)
    client.post(f"/admin/categories/{category.id}", data=data)
    db.session.expire_all()
    assert category.qa is False


def test_only_admins_set_the_qa_flag(category, moderator):
    with pytest.raises(PermissionDenied):
        services.save_category(moderator, {"slug": "tents", "qa": True}, category_id=category.id)


def test_deleting_the_solution_makes_the_topic_unsolved(question, asker, helper):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    services.delete_post(helper, answer.id)
    topic = _fresh_topic(question.id)
    assert topic.solution_post_id is None and topic.solved is False


def test_deleting_another_reply_keeps_the_solution(question, asker, helper):
    answer = _reply(question, helper)
    other = _reply(question, MemberFactory(), "Unrelated musing about stoves.")
    services.mark_solution(asker, answer.id)
    services.delete_post(other.author, other.id)
    assert _fresh_topic(question.id).solution_post_id == answer.id


def test_the_notice_reads_well_in_the_centre(client, question, asker, helper):
    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    drain_events()
    _login(client, helper)
    page = client.get("/notifications").get_data(as_text=True)
    assert "marked your reply as the solution in “My stove will not light”" in page
    page = client.get("/notifications", headers=FR).get_data(as_text=True)
    assert "a marqué votre réponse comme solution" in page


def test_a_solution_hidden_by_moderation_is_not_quoted_to_others(client, question, asker, helper):
    answer = _reply(question, helper, "Clean the jet with the little needle.")
    services.mark_solution(asker, answer.id)
    db.session.get(Post, answer.id).moderation_state = "hidden"
    db.session.flush()
    page = client.get(queries.topic_url(question)).get_data(as_text=True)
    assert 'class="solution-box"' not in page
    _login(client, helper)  # its author still sees it
    page = client.get(queries.topic_url(question)).get_data(as_text=True)
    assert 'class="solution-box"' in page


def test_a_held_reply_cannot_be_marked(question, asker, helper):
    answer = _reply(question, helper)
    db.session.get(Post, answer.id).moderation_state = "held"
    db.session.flush()
    with pytest.raises(NotFound):  # the asker does not see a held reply
        services.mark_solution(asker, answer.id)
    with pytest.raises(Invalid) as caught:  # staff see it, and cannot mark it either
        services.mark_solution(MemberFactory(role="moderator"), answer.id)
    assert "awaiting review" in str(caught.value)
    assert _fresh_topic(question.id).solved is False


def test_the_answers_author_gains_an_engagement_activity(question, asker, helper):
    from app.members.engagement.models import EngagementEvent

    answer = _reply(question, helper)
    services.mark_solution(asker, answer.id)
    services.set_reaction(asker, answer.id, "🙏", True)
    drain_events()
    kinds = set(
        db.session.scalars(
            select(EngagementEvent.type).where(EngagementEvent.member_id.in_([asker.id, helper.id]))
        )
    )
    assert {"solution_received", "reacted"} <= kinds
    received = db.session.scalar(
        select(EngagementEvent).where(EngagementEvent.type == "solution_received")
    )
    assert received.member_id == helper.id
