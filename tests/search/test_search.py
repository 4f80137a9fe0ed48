"""Search, on every backend: analysis, query language, ranking, permissions, escaping."""

from __future__ import annotations

import pytest

from app.community.forums import services as forums
from app.search import services
from app.search.events import Searched
from app.search.services import Filters, search
from tests.factories import MemberFactory

pytestmark = pytest.mark.usefixtures("backend")


def _find(viewer, q, **filters):  # type: ignore[no-untyped-def]
    return search(viewer, q, Filters(**filters))


def _titles(page) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(r.title.striptags()) for r in page.results]


# --- analysis -----------------------------------------------------------------------------


def test_english_stemming_finds_other_forms_of_the_words(topic, category, index):
    topic(category, "Shoes", "I run in these shoe every weekend.")
    topic(category, "Tents", "A tent for two people.")
    index()
    page = _find(None, "running shoes")
    assert _titles(page) == ["Shoes"]


def test_french_stemming_and_accent_folding_meet_in_both_directions(topic, bikes, index):
    topic(bikes, "Mes velos electriques", "Deux velos electriques pour la ville.")
    topic(bikes, "Un vélo électrique léger", "Pour les côtes.")
    index()
    assert set(_titles(_find(None, "vélo électrique"))) == {
        "Mes velos electriques",
        "Un vélo électrique léger",
    }
    assert len(_find(None, "VELOS ELECTRIQUES").results) == 2


def test_a_quoted_phrase_needs_the_words_together_and_in_order(topic, category, index):
    topic(category, "Pegs in sand", "Good tent pegs hold in sand.")
    topic(category, "Other story", "The pegs of my old tent broke.")
    index()
    assert _titles(_find(None, '"tent pegs"')) == ["Pegs in sand"]
    assert set(_titles(_find(None, "tent pegs"))) == {"Pegs in sand", "Other story"}


def test_a_longer_phrase_needs_every_word_in_a_row(topic, category, index):
    # Whoosh indexes neighbouring pairs: "tent pegs" and "pegs sand" apart are not it.
    topic(category, "In a row", "The tent pegs in sand held all night.")
    topic(category, "Apart", "The tent pegs broke, so we bought pegs in sand colours.")
    topic(category, "Tent pegs sand kit", "Nothing else.")
    index()
    assert set(_titles(_find(None, '"tent pegs in sand"'))) == {"In a row", "Tent pegs sand kit"}
    assert len(_find(None, '"sand pegs tent"').results) == 0


def test_a_minus_excludes_words_and_phrases(topic, category, index):
    topic(category, "Pegs in sand", "Good tent pegs hold in sand.")
    topic(category, "Other story", "The pegs of my old tent broke.")
    index()
    assert _titles(_find(None, "pegs -sand")) == ["Other story"]
    assert _titles(_find(None, 'pegs -"tent pegs"')) == ["Other story"]


def test_a_word_in_the_title_weighs_more_than_in_the_body(topic, category, index):
    topic(category, "Nothing special", "A long story where a stove appears once.")
    topic(category, "Stove advice", "Which one should I buy?")
    index()
    assert _titles(_find(None, "stove"))[0] == "Stove advice"


def test_author_and_in_narrow_the_search(topic, category, bikes, index):
    bruno = MemberFactory(username="bruno")
    topic(category, "Tent by Anna", "A tent.")
    topic(category, "Tent by Bruno", "Another tent.", by=bruno)
    topic(bikes, "Tent on a bike", "A tent on a bike.")
    index()
    assert _titles(_find(None, "tent author:bruno")) == ["Tent by Bruno"]
    assert set(_titles(_find(None, "tent in:tents"))) == {"Tent by Anna", "Tent by Bruno"}
    assert _titles(_find(None, "author:bruno")) == ["Tent by Bruno"]


def test_filters_narrow_results_and_facets_count_per_value(topic, category, bikes, index):
    first = topic(category, "Tent one", "A tent.")
    forums.reply(first.author, first.id, "This tent is great too.")
    topic(bikes, "Tent on a bike", "A tent on a bike.")
    index()
    page = _find(None, "tent")
    assert page.total == 3
    assert {f.value: f.count for f in page.facets["type"]} == {"topic": 2, "reply": 1}
    places = {f.label: f.count for f in page.facets["place"]}
    assert places == {"Tents": 2, "Bikes": 1}
    only_replies = _find(None, "tent", type="reply")
    assert only_replies.total == 1 and only_replies.results[0].type == "reply"
    in_bikes = _find(None, "tent", place=f"category:{bikes.id}")
    assert _titles(in_bikes) == ["Tent on a bike"]
    assert _find(None, "tent", date="week").total == 3


def test_newest_first_sorts_by_date(topic, category, index):
    topic(category, "Old tent", "tent")
    topic(category, "New tent", "tent tent tent tent")
    index()
    assert _titles(_find(None, "tent", sort="newest"))[0] == "New tent"


# --- what a viewer may see -----------------------------------------------------------------


def test_gold_only_topics_are_never_returned_nor_counted_for_a_bronze_member(
    topic, category, gold_category, index
):
    topic(category, "Public tent", "A tent for everyone.")
    topic(gold_category, "Secret tent", "A secret tent prototype.")
    index()
    bronze = MemberFactory(tier="bronze")
    page = _find(bronze, "tent")
    assert _titles(page) == ["Public tent"]
    assert page.total == 1
    assert sum(f.count for f in page.facets["type"]) == 1
    assert all("Gold" not in f.label for f in page.facets["place"])
    assert _find(bronze, "secret prototype").total == 0
    assert _find(None, "secret").total == 0
    gold = MemberFactory(tier="gold")
    assert set(_titles(_find(gold, "tent"))) == {"Public tent", "Secret tent"}


def test_a_category_restricted_later_is_filtered_at_once_without_reindexing(topic, category, index):
    topic(category, "Soon private", "A tent.")
    index()
    assert _find(None, "tent").total == 1
    category.min_tier_rank = 2
    from app.community.forums import access

    access.forget_categories()
    assert _find(None, "tent").total == 0
    assert _find(MemberFactory(tier="gold"), "tent").total == 1


def test_deleted_topics_leave_the_results_and_the_facets_and_come_back_restored(
    topic, category, author, index
):
    doomed = topic(category, "Doomed tent", "A tent.")
    reply = forums.reply(author, doomed.id, "My tent reply.")
    topic(category, "Kept tent", "A tent.")
    index()
    assert _find(None, "tent").total == 3
    forums.delete_post(author, _first(doomed))
    index()
    page = _find(author, "tent")
    assert _titles(page) == ["Kept tent"]
    assert page.total == 1 and sum(f.count for f in page.facets["type"]) == 1
    forums.restore_post(author, _first(doomed))
    index()
    assert _find(None, "tent").total == 3
    forums.delete_post(author, reply.id)
    index()
    assert _find(None, "tent").total == 2


def _first(topic) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from app.community.forums.models import Post
    from app.extensions import db

    return db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
    )


def test_an_edit_is_searchable_and_the_old_words_are_gone(topic, category, author, index):
    made = topic(category, "Stove", "A petrol stove.")
    index()
    forums.edit_post(author, _first(made), "A gas stove now.")
    index()
    assert _find(None, "petrol").total == 0
    assert _find(None, "gas").total == 1


# --- snippets -----------------------------------------------------------------------------


def test_snippets_are_escaped_and_only_the_matches_are_marked(topic, category, index):
    topic(
        category,
        "Hostile <b>title</b>",
        'My tent <script>alert("x")</script> <img src=x onerror=alert(1)> & more tent',
    )
    index()
    result = _find(None, "tent").results[0]
    snippet = str(result.snippet)
    assert "<script" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet
    assert snippet.count("<mark>") == 2
    assert "<b>" not in str(result.title) and "&lt;b&gt;" in str(result.title)


def test_a_long_body_is_cut_around_the_first_match():
    text = "word " * 200 + "tent " + "word " * 200
    snippet = str(services.highlight(text, {"tent"}))
    assert "<mark>tent</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert len(snippet) < 300


# --- bad input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "",
        "   ",
        "tent " * 2000,
        '"unbalanced quote tent',
        "author:",
        "in:",
        "tent AND (stove OR) NOT* ~2 ^3 [a TO z] {x} title:foo \\ ' \" :",
        "-tent",
        "the and of",
        "in:nowhere tent",
        "author:nobody",
        "\x00tent",
    ],
)
def test_bad_queries_give_a_normal_page(client, topic, category, index, q):
    topic(category, "A tent", "A tent.")
    index()
    response = client.get("/search", query_string={"q": q})
    assert response.status_code == 200
    assert b"search-form" in response.data


def test_bad_filters_and_a_page_past_the_end_give_a_normal_page(client, topic, category, index):
    topic(category, "A tent", "A tent.")
    index()
    response = client.get(
        "/search",
        query_string={
            "q": "tent",
            "page": "9999",
            "date_from": "yesterday",
            "type": "<x>",
            "sort": "worst",
            "place": "category:99999",
            "author": "x" * 500,
        },
    )
    assert response.status_code == 200
    assert b"A date such as" in response.data
    response = client.get("/search", query_string={"q": "tent", "page": "50"})
    assert response.status_code == 200
    assert b"past-end" in response.data
    assert client.get("/search", query_string={"q": "tent", "page": "x"}).status_code == 200


# --- the page, the event, the suggestions --------------------------------------------------


def test_the_results_page_shows_title_place_author_and_a_marked_snippet(
    client, topic, category, index
):
    topic(category, "Tent pegs in sand", "Long pegs hold best in sand.")
    index()
    html = client.get("/search?q=sand").get_data(as_text=True)
    assert "<mark>sand</mark>" in html
    assert "Tents" in html and "Anna Alpine" in html
    assert 'href="/t/' in html


def test_each_search_records_a_searched_event_with_its_count(
    client, topic, category, index, published, login_as
):
    topic(category, "A tent", "A tent.")
    index()
    member = login_as("member")
    client.get("/search?q=tent")
    searched = [e for e in published if isinstance(e, Searched)]
    assert searched == [
        Searched(member_id=member.id, visitor_id=None, query="tent", result_count=1)
    ]
    client.get("/search?q=")
    assert len([e for e in published if isinstance(e, Searched)]) == 1


def test_suggest_returns_similar_topics_the_viewer_may_read(
    client, topic, category, gold_category, index
):
    topic(category, "Which tent for windy ridges?", "Wind.")
    topic(gold_category, "Secret windy tent", "Wind.")
    topic(category, "Stoves", "Fire.")
    index()
    data = client.get("/search/suggest?q=best tent for wind").get_json()
    assert [r["title"] for r in data["results"]] == ["Which tent for windy ridges?"]
    assert data["results"][0]["url"].startswith("/t/")
    assert client.get("/search/suggest?q=").get_json() == {"results": []}


def test_the_results_page_runs_a_bounded_number_of_queries(
    client, topic, category, author, index, queries
):
    for n in range(8):
        made = topic(category, f"Tent {n}", f"A tent number {n}.")
        forums.reply(MemberFactory(), made.id, f"Reply about the tent {n}.")
    index()
    client.get("/search?q=tent")
    with queries() as seen:
        response = client.get("/search?q=tent")
    assert response.status_code == 200
    assert len(seen) <= 12, seen


def test_a_misspelt_word_gets_a_did_you_mean(topic, category, index):
    topic(category, "Waterproof jacket for winter", "Which one keeps the rain out?")
    topic(category, "Another waterproof shell", "Light and small.")
    index()
    page = _find(None, "waterprof jacket")
    assert page.suggestion is not None
    assert "waterproof" in page.suggestion
    assert _find(None, "waterproof jacket").suggestion is None  # nothing to correct


def test_an_erased_members_name_leaves_the_index(topic, category, index, db):
    from sqlalchemy import select

    from app.members.models import Member
    from app.members.privacy import erase_account
    from tests.conftest import drain_events
    from tests.factories import PASSWORD

    author = MemberFactory(username="leavingsoon")
    topic(category, "Stove advice", "Which stove for winter?", by=author)
    index()
    assert _titles(_find(None, "author:leavingsoon")) == ["Stove advice"]
    erase_account(db.session.get(Member, author.id), PASSWORD, remove_posts=False)
    drain_events()
    index()
    assert _find(None, "author:leavingsoon").results == []
    renamed = db.session.scalar(select(Member.username).where(Member.id == author.id))
    assert _titles(_find(None, f"author:{renamed}")) == ["Stove advice"]
