"""Ideas: posting, voting once, withdrawing, statuses, merging and their bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums.models import Post, Topic
from app.community.ideas import services, workflow
from app.community.ideas.events import IdeaCreated, IdeaShipped, IdeaVoted
from app.community.ideas.models import Idea, IdeaStatusChange, IdeaVote
from app.core.errors import Invalid, NotFound, PermissionDenied
from app.extensions import db
from app.members.engagement.models import MemberProfile
from tests.factories import MemberFactory


def _votes(idea_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(IdeaVote).where(IdeaVote.idea_id == idea_id)
    )


def _fresh(idea: Idea) -> Idea:
    db.session.expire_all()
    return db.session.get(Idea, idea.id)


def test_posting_an_idea_opens_it_with_a_discussion_topic(board, member, published):
    idea = services.create_idea(
        member,
        board.id,
        "A vestibule for boots",
        "Somewhere dry for boots, **please**.",
        "zips, Rain",
    )
    assert idea.status == "open"
    assert idea.tags == ["zips", "rain"]
    assert "<strong>please</strong>" in idea.body_html
    topic = db.session.get(Topic, idea.topic_id)
    assert topic.category_id == board.category_id
    assert db.session.scalar(select(Post.body).where(Post.topic_id == topic.id)) == idea.body
    assert any(isinstance(e, IdeaCreated) for e in published)
    assert _fresh(idea).follower_count == 1


def test_bad_idea_input_keeps_nothing(board, member):
    before = db.session.scalar(select(func.count()).select_from(Idea))
    with pytest.raises(Invalid) as exc:
        services.create_idea(member, board.id, "short", "tiny", "a,b,c,d,e,f")
    assert set(exc.value.errors) == {"title", "body", "tags"}
    assert db.session.scalar(select(func.count()).select_from(Idea)) == before


def test_hostile_markdown_is_sanitised(board, member):
    idea = services.create_idea(
        member, board.id, "Script in an idea", "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<script" not in idea.body_html
    assert 'href="javascript' not in idea.body_html


def test_a_gold_board_refuses_a_bronze_member(gold_board):
    with pytest.raises(NotFound):
        services.create_idea(
            MemberFactory(tier="bronze"), gold_board.id, "Lounge idea here", "A longer body for it."
        )
    idea = services.create_idea(
        MemberFactory(tier="gold"), gold_board.id, "Lounge idea here", "A longer body for it."
    )
    with pytest.raises(NotFound):
        services.vote(MemberFactory(tier="silver"), idea.id)


def test_one_vote_per_member_with_its_snapshot(idea, published):
    voter = MemberFactory(tier="gold")
    db.session.add(MemberProfile(member_id=voter.id, stage="advocate", monetary_cents=60_000))
    db.session.flush()
    first = services.vote(voter, idea.id, 3)
    second = services.vote(voter, idea.id, 3)
    assert (first.outcome, second.outcome) == ("created", "unchanged")
    assert _votes(idea.id) == 1
    fresh = _fresh(idea)
    assert (fresh.vote_count, fresh.importance_total) == (1, 3)
    row = db.session.scalar(select(IdeaVote).where(IdeaVote.idea_id == idea.id))
    assert (row.tier, row.stage, row.value_band) == ("gold", "advocate", "high")
    assert len([e for e in published if isinstance(e, IdeaVoted)]) == 1


def test_the_snapshot_keeps_who_voted_then(idea):
    voter = MemberFactory(tier="silver")
    services.vote(voter, idea.id)
    voter.tier = "platinum"
    db.session.flush()
    assert (
        db.session.scalar(select(IdeaVote.tier).where(IdeaVote.member_id == voter.id)) == "silver"
    )


def test_changing_importance_moves_the_weight_not_the_count(idea):
    voter = MemberFactory()
    services.vote(voter, idea.id, 1)
    assert services.vote(voter, idea.id, 3).outcome == "changed"
    fresh = _fresh(idea)
    assert (fresh.vote_count, fresh.importance_total) == (1, 3)


def test_withdrawing_removes_the_vote_once(idea):
    voter = MemberFactory()
    services.vote(voter, idea.id, 2)
    assert services.withdraw_vote(voter, idea.id) is True
    assert services.withdraw_vote(voter, idea.id) is False
    fresh = _fresh(idea)
    assert (fresh.vote_count, fresh.importance_total, _votes(idea.id)) == (0, 0, 0)


def test_bad_importance_writes_nothing(idea):
    with pytest.raises(Invalid):
        services.vote(MemberFactory(), idea.id, 7)
    assert _votes(idea.id) == 0


def test_a_closed_idea_refuses_votes(idea, product):
    workflow.change_status(product, idea.id, "declined", "Not for this year.")
    with pytest.raises(Invalid) as exc:
        services.vote(MemberFactory(), idea.id)
    assert "closed" in str(exc.value.errors["vote"])
    assert _votes(idea.id) == 0


def test_a_visitor_cannot_vote(idea):
    from flask_login import AnonymousUserMixin

    with pytest.raises(PermissionDenied):
        services.vote(AnonymousUserMixin(), idea.id)


def test_members_cannot_change_status(idea, member):
    for role in ("member", "moderator"):
        with pytest.raises(PermissionDenied):
            workflow.change_status(MemberFactory(role=role), idea.id, "planned", "")
    assert _fresh(idea).status == "open"


def test_product_and_admins_change_status_with_a_response(idea, product, published):
    change = workflow.change_status(product, idea.id, "planned", "Coming in **spring**.")
    assert "<strong>spring</strong>" in change.response_html
    fresh = _fresh(idea)
    assert fresh.status == "planned" and fresh.first_response_at is not None
    workflow.change_status(MemberFactory(role="admin"), idea.id, "in_progress", "")
    assert [c.new_status for c in workflow.timeline(idea.id)] == ["planned", "in_progress"]


def test_status_change_bad_input(idea, product):
    with pytest.raises(Invalid) as exc:
        workflow.change_status(product, idea.id, "nope", "")
    assert "status" in exc.value.errors
    with pytest.raises(Invalid):
        workflow.change_status(product, idea.id, "open", "")
    assert db.session.scalar(select(func.count()).select_from(IdeaStatusChange)) == 0


def test_shipping_closes_the_loop_once_with_the_voters(idea, product, published):
    voters = [MemberFactory() for _ in range(3)]
    for v in voters:
        services.vote(v, idea.id)
    workflow.change_status(product, idea.id, "shipped", "In the 2027 Trek 2.")
    workflow.change_status(product, idea.id, "shipped", "Now in stores too.")
    shipped = [e for e in published if isinstance(e, IdeaShipped)]
    assert len(shipped) == 1
    assert set(shipped[0].voter_ids) == {v.id for v in voters}
    assert shipped[0].author_id == idea.author_id and shipped[0].product == "Tents"
    assert _fresh(idea).shipped_at is not None


def test_product_cannot_moderate(idea, product):
    from app.community.forums.services.topics import set_locked

    with pytest.raises(PermissionDenied):
        set_locked(product, idea.topic_id, True, "spam")


def test_merge_moves_votes_counted_once_and_unmerge_restores(board, member, product):
    a = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles would be great.")
    b = services.create_idea(member, board.id, "Carbon tent poles", "Carbon to save weight please.")
    both, only_b, only_a = MemberFactory(), MemberFactory(), MemberFactory()
    services.vote(both, a.id, 1)
    services.vote(only_a, a.id, 1)
    services.vote(both, b.id, 3)
    services.vote(only_b, b.id, 2)
    workflow.merge(product, b.id, a.id)
    fa, fb = _fresh(a), _fresh(b)
    assert (fa.vote_count, fa.importance_total) == (3, 4)
    assert fb.merged_into_id == a.id and fb.status == "duplicate"
    with pytest.raises(Invalid):
        services.vote(MemberFactory(), b.id)
    with pytest.raises(Invalid):
        workflow.merge(product, b.id, a.id)
    workflow.unmerge(product, b.id)
    fa, fb = _fresh(a), _fresh(b)
    assert (fa.vote_count, fa.importance_total) == (2, 2)
    assert (fb.vote_count, fb.importance_total, fb.merged_into_id) == (2, 5, None)
    assert fb.status == "open"


def test_a_member_cannot_merge(board, member):
    a = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles would be great.")
    b = services.create_idea(member, board.id, "Carbon tent poles", "Carbon to save weight please.")
    with pytest.raises(PermissionDenied):
        workflow.merge(MemberFactory(), b.id, a.id)


def test_similar_ideas_share_title_words(idea, board, member):
    services.create_idea(member, board.id, "Bigger tent pockets", "Pockets hold phones and lamps.")
    found = services.similar_ideas(member, "carbon tent poles")
    assert found and found[0].id == idea.id


def test_voters_csv_lists_voters_with_their_snapshot(idea, product):
    voter = MemberFactory(tier="gold")
    services.vote(voter, idea.id, 2)
    text = workflow.voters_csv(product, idea.id)
    lines = text.strip().splitlines()
    assert lines[0].startswith("member_id,username,email,importance")
    assert len(lines) == 2 and voter.username in lines[1] and ",gold," in lines[1]
    with pytest.raises(PermissionDenied):
        workflow.voters_csv(MemberFactory(), idea.id)


def test_watched_words_block_or_replace_in_ideas(board, member):
    from app.moderation.rules import add_watched_word

    moderator = MemberFactory(role="moderator")
    add_watched_word(moderator, "cheapskate", "block")
    add_watched_word(moderator, "darn", "replace", "d***")
    with pytest.raises(Invalid) as exc:
        services.create_idea(
            member, board.id, "Cheaper poles", "Only a cheapskate would skip them."
        )
    assert "body" in exc.value.errors
    idea = services.create_idea(member, board.id, "Lighter poles", "These darn poles are heavy.")
    assert "d***" in idea.body and "darn" not in idea.body_html


def test_a_held_verdict_opens_a_review_of_the_idea_discussion(board, member):
    from app.moderation.models import ReviewItem
    from app.moderation.rules import add_watched_word

    add_watched_word(MemberFactory(role="moderator"), "giveaway", "hold")
    idea = services.create_idea(member, board.id, "Lighter tent poles", "A giveaway of poles?")
    assert idea.id is not None  # ideas have no held state: shown, and reviewed
    post_id = db.session.scalar(select(Post.id).where(Post.topic_id == idea.topic_id))
    assert db.session.scalar(select(ReviewItem).where(ReviewItem.post_id == post_id)) is not None


def test_a_double_submit_makes_one_idea(board, member):
    first = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles, please.")
    again = services.create_idea(member, board.id, "Lighter tent poles", "Carbon poles, please.")
    assert again.id == first.id
    assert db.session.scalar(select(func.count()).select_from(Idea)) == 1
