"""Poll pages: the list, a poll's page and its answer form, the editor, the answers list;
bad input keeps what was typed and writes nothing; CSRF and permissions."""

from __future__ import annotations

from sqlalchemy import func, select

from app.community.polls import services
from app.community.polls.models import Poll, PollAnswer
from app.extensions import db
from tests.community.polls.conftest import poll_data
from tests.html import parse


def test_the_list_shows_open_polls_and_marks_gold_ones(client, login_as, make_poll) -> None:
    open_poll = make_poll()
    gold = make_poll(title_en="Gold members: the next expedition tent", audience_min_tier="gold")
    hidden = make_poll(
        title_en="Hidden from the others", audience_min_tier="gold", outsiders="hidden"
    )
    login_as(tier="bronze")
    doc = parse(client.get("/polls/").get_data(as_text=True))
    titles = {
        a.text for a in doc.find("a") if a.attrs.get("href", "").startswith("/polls/") and a.text
    }
    assert open_poll.title_en in titles and gold.title_en in titles
    assert hidden.title_en not in titles
    assert "Gold and above" in doc.text and "Read only" in doc.text


def test_a_member_answers_from_the_poll_page(client, login_as, make_poll) -> None:
    poll = make_poll(results_visibility="after_vote")
    member = login_as(tier="silver")
    page = parse(client.get(f"/polls/{poll.id}").get_data(as_text=True))
    assert page.field("choice") and "The results are shown once you have answered" in page.text
    response = client.post(f"/polls/{poll.id}/answer", data={"choice": str(poll.options[1].id)})
    assert response.status_code == 302
    page = parse(client.get(f"/polls/{poll.id}").get_data(as_text=True))
    assert "You answered this poll" in page.text and "Moss green" in page.text
    assert page.has_id(f"poll-{poll.id}-results")
    assert services.answer_of(member, poll.id) is not None


def test_a_bad_number_keeps_the_text_and_writes_nothing(client, login_as, make_poll) -> None:
    poll = make_poll(kind="number", number_min="1", number_max="100", number_step="1")
    login_as()
    response = client.post(f"/polls/{poll.id}/answer", data={"number": "120"})
    assert response.status_code == 400
    doc = parse(response.get_data(as_text=True))
    assert "Enter a number from 1 to 100" in doc.by_id(f"poll-{poll.id}-error").text
    assert doc.field("number").attrs["value"] == "120"
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 0


def test_a_short_scale_is_a_row_of_choices(client, login_as, make_poll) -> None:
    poll = make_poll(
        kind="number",
        number_min="0",
        number_max="10",
        number_step="1",
        min_label_en="Not at all",
        max_label_en="Without a doubt",
    )
    login_as()
    doc = parse(client.get(f"/polls/{poll.id}").get_data(as_text=True))
    values = [i.attrs["value"] for i in doc.find("input", name="number")]
    assert values == [str(n) for n in range(11)]
    assert "Not at all" in doc.text and "Without a doubt" in doc.text
    response = client.post(f"/polls/{poll.id}/answer", data={"number": "8"})
    assert response.status_code == 302
    assert db.session.scalar(select(PollAnswer.number_value)) == 8.0


def test_a_bronze_member_is_refused_a_gold_poll(client, login_as, make_poll) -> None:
    poll = make_poll(audience_min_tier="gold")
    login_as(tier="bronze")
    doc = parse(client.get(f"/polls/{poll.id}").get_data(as_text=True))
    assert "you can read it, not answer it" in doc.text
    assert not doc.find("input", name="choice")
    assert (
        client.post(
            f"/polls/{poll.id}/answer", data={"choice": str(poll.options[0].id)}
        ).status_code
        == 403
    )
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 0


def test_answering_needs_the_csrf_token(client, login_as, make_poll, csrf_enabled) -> None:
    poll = make_poll()
    login_as()
    assert (
        client.post(
            f"/polls/{poll.id}/answer", data={"choice": str(poll.options[0].id)}
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(PollAnswer)) == 0


def test_product_creates_a_poll_from_the_editor(client, login_as) -> None:
    login_as("product")
    assert client.get("/polls/new").status_code == 200
    form = {
        "title_en": "How many nights do you camp a year?",
        "title_fr": "Combien de nuits campez-vous par an ?",
        "kind": "number",
        "number_min": "0",
        "number_max": "60",
        "number_step": "1",
        "results_visibility": "after_close",
        "outsiders": "read_only",
        "weight_attribute": "stage",
        "quota_attribute": "tier",
        "quota-gold": "200",
        "quota-silver": "300",
    }
    response = client.post("/polls/new", data=form)
    assert response.status_code == 302
    poll = db.session.scalar(select(Poll))
    assert (poll.kind, poll.number_max, poll.weight_attribute, poll.quota_attribute) == (
        "number",
        60.0,
        "stage",
        "tier",
    )


def test_the_editor_keeps_the_text_on_errors(client, login_as) -> None:
    login_as("admin")
    response = client.post(
        "/polls/new", data={"title_en": "Colour?", "kind": "single", "option-0-label_en": "Red"}
    )
    assert response.status_code == 400
    doc = parse(response.get_data(as_text=True))
    assert doc.field("title_en").attrs["value"] == "Colour?"
    assert doc.field("option-0-label_en").attrs["value"] == "Red"
    assert "Give at least two options" in doc.text
    assert db.session.scalar(select(func.count()).select_from(Poll)) == 0


def test_members_cannot_open_the_editor_or_the_answers(client, login_as, make_poll) -> None:
    poll = make_poll()
    login_as("moderator")
    assert client.get("/polls/new").status_code == 403
    assert client.get(f"/polls/{poll.id}/edit").status_code == 403
    assert client.get(f"/polls/{poll.id}/answers").status_code == 403
    assert client.post(f"/polls/{poll.id}/close").status_code == 403


def test_the_answers_page_filters_by_tier_and_hides_names_when_anonymous(
    client, login_as, make_poll, members
) -> None:
    poll = make_poll()
    named = make_poll(title_en="Named poll about boots", anonymous="")
    for tier in ("gold", "silver"):
        services.answer_poll(members[tier], poll.id, choices=[poll.options[0].id])
        services.answer_poll(members[tier], named.id, choices=[named.options[0].id])
    login_as("product")
    doc = parse(client.get(f"/polls/{poll.id}/answers?tier=gold").get_data(as_text=True))
    rows = doc.find("tr")
    assert len(rows) == 2  # header + one gold answer
    assert "M_Gold" not in doc.text and "anonymous" in doc.text
    doc = parse(client.get(f"/polls/{named.id}/answers").get_data(as_text=True))
    assert "M_Gold" in doc.text and "M_Silver" in doc.text


def test_edit_page_renders_for_a_poll_with_answers(client, login_as, make_poll, members) -> None:
    poll = make_poll()
    services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    login_as("product")
    doc = parse(client.get(f"/polls/{poll.id}/edit").get_data(as_text=True))
    assert "Members have answered" in doc.text
    response = client.post(
        f"/polls/{poll.id}/edit",
        data={
            **{k: v for k, v in poll_data().items() if isinstance(v, str)},
            "title_en": "Which colour for the Summit jacket, finally?",
        },
    )
    assert response.status_code == 302
    db.session.refresh(poll)
    assert (
        poll.title_en == "Which colour for the Summit jacket, finally?" and len(poll.options) == 3
    )


def test_the_poll_page_in_french(client, login_as, make_poll) -> None:
    poll = make_poll(results_visibility="always")
    login_as(locale="fr")
    doc = parse(client.get(f"/polls/{poll.id}").get_data(as_text=True))
    assert "Quelle couleur pour la nouvelle veste Summit" in doc.text


def test_a_poll_is_embedded_in_its_topic(client, login_as, make_poll) -> None:
    from app.community.forums import services as forum_services
    from tests.community.factories import CategoryFactory
    from tests.factories import MemberFactory

    category = CategoryFactory(slug="jackets", name_en="Jackets", name_fr="Vestes")
    topic = forum_services.create_topic(
        MemberFactory(), category.id, "Summit jacket colours", "Vote below!"
    )
    poll = make_poll(topic_id=str(topic.id))
    login_as()
    page = client.get(f"/t/{topic.id}-{topic.slug}")
    doc = parse(page.get_data(as_text=True))
    assert doc.has_id(f"poll-{poll.id}")
    form = next(f for f in doc.find("form") if f.attrs.get("action") == f"/polls/{poll.id}/answer")
    assert form
    assert doc.field("next").attrs["value"] == f"/t/{topic.id}-{topic.slug}"
    response = client.post(
        f"/polls/{poll.id}/answer",
        data={"choice": str(poll.options[0].id), "next": f"/t/{topic.id}-{topic.slug}"},
    )
    assert response.headers["Location"].endswith(f"/t/{topic.id}-{topic.slug}#poll-{poll.id}")


def test_a_poll_is_embedded_in_its_idea(client, login_as, make_poll) -> None:
    from app.community.ideas import services as idea_services
    from tests.community.ideas.conftest import make_board
    from tests.factories import MemberFactory

    board = make_board("jackets-board")
    idea = idea_services.create_idea(
        MemberFactory(),
        board.id,
        "A hood that fits a helmet",
        "Climbers need a hood that fits over a helmet.",
    )
    poll = make_poll(idea_id=str(idea.id))
    login_as()
    doc = parse(client.get(f"/ideas/{idea.id}-{idea.slug}").get_data(as_text=True))
    assert doc.has_id(f"poll-{poll.id}")
