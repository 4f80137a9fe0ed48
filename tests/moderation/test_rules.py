"""Watched words: block, hold, flag and replace; `*` wildcards with a matcher that no
pattern can make slow (a timed property test); compiled once per rules version."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from app.community.forums import services
from app.core.errors import Invalid, PermissionDenied
from app.extensions import db
from app.moderation import rules
from app.moderation.models import AuditEntry, ReviewItem, WatchedWord
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory


def _compiled(*words: tuple[str, str, str]):  # type: ignore[no-untyped-def]
    return rules.compile_rules([(i, p, a, r) for i, (p, a, r) in enumerate(words, 1)])


@pytest.fixture
def moderator(db):  # type: ignore[no-untyped-def]
    return MemberFactory(role="moderator")


@pytest.fixture
def category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory()


def test_exact_prefix_suffix_and_inner_wildcards_match_whole_words() -> None:
    compiled = _compiled(
        ("scam", "flag", ""), ("crypto*", "hold", ""), ("*coin", "hold", ""), ("f*k", "block", "")
    )
    assert compiled.check("A scam!").words("flag") == ["scam"]
    assert compiled.check("scampi is food").matches == []
    assert compiled.check("CryptoBros unite").words("hold") == ["crypto*"]
    assert compiled.check("buy dogecoin now").words("hold") == ["*coin"]
    assert compiled.check("what the fork").words("block") == ["f*k"]
    assert compiled.check("frame").matches == []


def test_phrases_match_consecutive_words_whatever_the_spacing_and_case() -> None:
    compiled = _compiled(("free money", "block", ""))
    assert compiled.check("Get FREE\n  money today").words("block") == ["free money"]
    assert compiled.check("free of money").matches == []


def test_accents_and_case_are_folded() -> None:
    assert _compiled(("spam", "flag", "")).check("Späm here").words("flag") == ["spam"]


def test_replace_rewrites_only_the_matched_words() -> None:
    result = _compiled(("darn*", "replace", "gosh")).check("Darned pegs, darn it.")
    assert result.text == "gosh pegs, gosh it."


def test_regex_syntax_in_a_pattern_is_only_text() -> None:
    compiled = _compiled(("a.b", "flag", ""), ("(x+)+y", "flag", ""))
    assert compiled.check("axb").matches == []
    assert compiled.check("a b").words("flag") == ["a.b"]  # punctuation separates words


_hostile_pattern = st.lists(
    st.sampled_from(["a", "aa", "*", "b", "ab"]), min_size=1, max_size=12
).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    patterns=st.lists(_hostile_pattern, min_size=1, max_size=40),
    text=st.one_of(
        st.just("a" * 30_000 + "b"),
        st.just(("a" * 99 + " ") * 300),
        st.text(alphabet="ab *", max_size=5_000),
    ),
)
def test_no_pattern_makes_a_check_slow(patterns: list[str], text: str) -> None:
    """Many `*` against long runs of the same letter: catastrophic for a backtracking
    regex; here each check stays well under the bound."""
    compiled = _compiled(*[(p, "flag", "") for p in patterns])
    started = time.perf_counter()
    compiled.check(text)
    assert time.perf_counter() - started < 0.5


def test_a_thousand_watched_words_check_a_post_quickly() -> None:
    words = [(f"word{i}*" if i % 3 else f"*ing{i}", "flag", "") for i in range(1000)]
    compiled = _compiled(*words)
    body = "Which tent pegs hold best in sand and snow? " * 40
    started = time.perf_counter()
    for _ in range(50):
        compiled.check(body)
    assert (time.perf_counter() - started) / 50 < 0.01


def test_block_refuses_the_post_with_a_clear_message_and_writes_nothing(db, moderator, category):  # type: ignore[no-untyped-def]
    rules.add_watched_word(moderator, "cheap pills", "block")
    author = MemberFactory()
    with pytest.raises(Invalid) as refused:
        services.create_topic(author, category.id, "Hello there", "Buy cheap pills here")
    assert "cheap pills" in refused.value.errors["body"]
    assert db.session.get(type(category), category.id).topic_count == 0


def test_hold_holds_the_post_with_a_review_item(db, moderator, category):  # type: ignore[no-untyped-def]
    rules.add_watched_word(moderator, "casino", "hold")
    topic = services.create_topic(MemberFactory(), category.id, "Hello there", "Nice day.")
    post = services.reply(MemberFactory(), topic.id, "Visit my casino tonight")
    assert post.moderation_state == "held"
    item = db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post.id))
    assert (item.kind, item.reason, item.details["words"]) == ("rule", "watched_word", ["casino"])


def test_flag_keeps_the_post_visible_and_opens_review(db, moderator, category):  # type: ignore[no-untyped-def]
    rules.add_watched_word(moderator, "refund*", "flag")
    topic = services.create_topic(MemberFactory(), category.id, "Order problem", "Refunds?")
    assert topic.moderation_state == "visible"
    item = db.session.scalar(select(ReviewItem))
    assert (item.kind, item.reason, item.status) == ("rule", "watched_word", "pending")


def test_replace_changes_the_stored_body(db, moderator, category):  # type: ignore[no-untyped-def]
    rules.add_watched_word(moderator, "darn", "replace", "gosh")
    topic = services.create_topic(MemberFactory(), category.id, "Pegs again", "Darn pegs.")
    post = topic_first_post(topic.id)
    assert post.body == "gosh pegs."
    assert "gosh" in post.body_html


def test_an_edit_that_adds_a_hold_word_flags_instead_of_hiding(db, moderator, category):  # type: ignore[no-untyped-def]
    author = MemberFactory()
    topic = services.create_topic(author, category.id, "Stoves", "Gas or petrol?")
    rules.add_watched_word(moderator, "casino", "hold")
    post = services.edit_post(author, topic_first_post(topic.id).id, "Gas, petrol or casino?")
    assert post.moderation_state == "visible"
    assert db.session.scalar(select(ReviewItem.kind)) == "rule"


def test_rules_are_recompiled_when_a_word_is_added_or_removed(db, moderator):  # type: ignore[no-untyped-def]
    first = rules.current_rules()
    assert rules.current_rules() is first
    word = rules.add_watched_word(moderator, "tarp*", "flag")
    assert rules.check("tarps").words("flag") == ["tarp*"]
    rules.remove_watched_word(moderator, word.id)
    assert rules.check("tarps").matches == []


def test_watched_words_are_staff_only_validated_and_audited(db, moderator):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        rules.add_watched_word(MemberFactory(), "spam", "block")
    with pytest.raises(Invalid) as bad:
        rules.add_watched_word(moderator, "**", "block")
    assert "pattern" in bad.value.errors
    with pytest.raises(Invalid) as bad:
        rules.add_watched_word(moderator, "heck", "replace")
    assert "replacement" in bad.value.errors
    word = rules.add_watched_word(moderator, "Spam", "block")
    assert rules.add_watched_word(moderator, "spam", "block").id == word.id
    assert db.session.scalar(select(WatchedWord.pattern)) == "spam"
    rules.remove_watched_word(moderator, word.id)
    assert [
        a for (a,) in db.session.execute(select(AuditEntry.action).order_by(AuditEntry.id))
    ] == [
        "watched_word_added",
        "watched_word_removed",
    ]


def topic_first_post(topic_id: int):  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    return db.session.scalar(select(Post).where(Post.topic_id == topic_id, Post.post_number == 1))


def test_hostile_watched_words_cannot_make_posting_hang(db, moderator, category):  # type: ignore[no-untyped-def]
    for n in range(1, 31):
        rules.add_watched_word(moderator, "a*" * n + "b", "hold")
    topic = services.create_topic(MemberFactory(), category.id, "Long words", "Hello.")
    started = time.perf_counter()
    post = services.reply(MemberFactory(), topic.id, ("a" * 20_000 + " ") * 1 + "the end")
    assert time.perf_counter() - started < 2.0
    assert post.moderation_state == "visible"  # no "b": nothing matched
