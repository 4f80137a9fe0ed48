"""An answer feeds the member's engagement log (and loyalty, through its earning rule)."""

from __future__ import annotations

from sqlalchemy import select

from app.community.polls import services
from app.members.engagement.models import EngagementEvent
from app.members.loyalty.models import EarningRule
from tests.conftest import drain_events


def test_an_answer_becomes_one_poll_answer_activity(db, make_poll, members) -> None:
    rule = db.session.scalar(select(EarningRule).where(EarningRule.event_type == "poll_answer"))
    rule.points, rule.active, rule.daily_cap = 15, True, None
    db.session.flush()
    poll = make_poll()
    services.answer_poll(members["gold"], poll.id, choices=[poll.options[0].id])
    drain_events()
    drain_events()  # a second delivery adds nothing
    rows = db.session.scalars(
        select(EngagementEvent).where(EngagementEvent.type == "poll_answer")
    ).all()
    assert [(r.member_id, r.object_type, r.object_id) for r in rows] == [
        (members["gold"].id, "poll", str(poll.id))
    ]
    db.session.refresh(members["gold"])
    assert members["gold"].points == 15
    from app.members.engagement.models import MemberProfile

    profile = db.session.get(MemberProfile, members["gold"].id)
    assert profile.counts.get("poll_answer") == 1 and profile.score_base > 0
