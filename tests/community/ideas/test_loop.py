"""Who hears of a status change, and the loop closing: notices, points, comment counts."""

from __future__ import annotations

from sqlalchemy import select

from app.community.forums import services as forums
from app.community.ideas import services, workflow
from app.community.ideas.models import Idea
from app.extensions import db
from app.members.loyalty.models import LedgerEntry
from app.notifications.models import Notification
from tests.conftest import drain_events
from tests.factories import MemberFactory


def _notified(type_key: str) -> dict[int, int]:
    rows = db.session.scalars(select(Notification).where(Notification.type == type_key))
    out: dict[int, int] = {}
    for notice in rows:
        out[notice.member_id] = out.get(notice.member_id, 0) + 1
    return out


def test_a_status_change_notifies_exactly_voters_and_followers(idea, member, product):
    voters = [MemberFactory() for _ in range(2)]
    follower = MemberFactory()
    bystander = MemberFactory()
    withdrawn = MemberFactory()
    for v in voters:
        services.vote(v, idea.id)
    services.set_follow(follower, idea.id, True)
    services.vote(withdrawn, idea.id)
    services.withdraw_vote(withdrawn, idea.id)
    services.set_follow(MemberFactory(), idea.id, False)
    workflow.change_status(product, idea.id, "planned", "Next spring.")
    drain_events()
    got = _notified("idea_status")
    # The author follows their own idea; voters hear as voters.
    assert got == {member.id: 1, voters[0].id: 1, voters[1].id: 1, follower.id: 1}
    assert bystander.id not in got and product.id not in got
    notice = db.session.scalar(select(Notification).where(Notification.member_id == member.id))
    assert notice.data["url"].startswith(f"/ideas/{idea.id}-")


def test_a_member_who_unfollows_after_voting_still_hears_as_a_voter(idea, product):
    voter = MemberFactory()
    services.vote(voter, idea.id)
    services.set_follow(voter, idea.id, False)
    workflow.change_status(product, idea.id, "under_review", "")
    drain_events()
    assert voter.id in _notified("idea_status")


def test_shipping_tells_author_and_voters_once_and_awards_points(idea, member, product):
    voters = [MemberFactory() for _ in range(2)]
    for v in voters:
        services.vote(v, idea.id)
    workflow.change_status(product, idea.id, "shipped", "In the 2027 range.")
    drain_events()
    drain_events()
    assert _notified("idea_shipped") == {member.id: 1, voters[0].id: 1, voters[1].id: 1}
    assert _notified("idea_status") == {}
    entries = {
        (e.member_id, e.source_type): e.points
        for e in db.session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.source_type.in_(("idea_shipped", "idea_shipped_vote"))
            )
        )
    }
    assert entries == {
        (member.id, "idea_shipped"): 100,
        (voters[0].id, "idea_shipped_vote"): 20,
        (voters[1].id, "idea_shipped_vote"): 20,
    }


def test_posting_an_idea_earns_the_idea_rule(idea, member):
    drain_events()
    points = db.session.scalar(
        select(LedgerEntry.points).where(
            LedgerEntry.member_id == member.id, LedgerEntry.source_type == "idea"
        )
    )
    assert points == 25


def test_comment_count_follows_the_discussion(idea):
    commenter = MemberFactory()
    post = forums.reply(commenter, idea.topic_id, "Yes please, lighter is better.")
    forums.reply(MemberFactory(), idea.topic_id, "And cheaper too if possible.")
    drain_events()
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 2
    forums.delete_post(commenter, post.id)
    drain_events()
    db.session.expire_all()
    assert db.session.get(Idea, idea.id).comment_count == 1


def test_recount_repairs_idea_counters(idea):
    from sqlalchemy import update

    from app.community.ideas.recount import recount_ideas

    services.vote(MemberFactory(), idea.id, 3)
    db.session.execute(update(Idea).where(Idea.id == idea.id).values(vote_count=9))
    report = recount_ideas()
    assert f"idea {idea.id} vote_count: 9 → 1" in report
    assert db.session.get(Idea, idea.id).vote_count == 1
    assert recount_ideas() == []


def test_the_notice_quotes_the_response_as_plain_text(idea, product):
    voter = MemberFactory()
    services.vote(voter, idea.id)
    workflow.change_status(product, idea.id, "planned", "We are **planning** it <b>now</b>.")
    drain_events()
    notice = db.session.scalar(select(Notification).where(Notification.member_id == voter.id))
    # Markdown rendered to text; raw HTML stays text (the templates escape it).
    assert notice.data["excerpt"] == "We are planning it <b>now</b>."
