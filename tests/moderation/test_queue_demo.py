"""The demo club's queue (`flask seed demo`): held posts, flags, an expired silence, history."""

from __future__ import annotations

from sqlalchemy import func, select

from app.community.forums.models import Post
from app.moderation.models import Flag, ReviewItem, Sanction
from app.moderation.seed import seed_moderation


def test_the_demo_queue_is_seeded_once(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    from app.community.forums.seed import seed_forums
    from app.members.seed import seed_members

    seed_members()
    seed_forums()
    summary = seed_moderation()
    assert "held posts" in summary
    pending = db.session.scalars(select(ReviewItem).where(ReviewItem.status == "pending")).all()
    assert {i.kind for i in pending} >= {"held", "flagged"}
    held = [i for i in pending if i.kind == "held"]
    assert all(db.session.get(Post, i.post_id).moderation_state == "held" for i in held)
    assert db.session.scalar(select(func.count()).select_from(Flag)) > 10
    [silence] = db.session.scalars(select(Sanction)).all()
    from app.core.time import utcnow

    assert not silence.in_force(utcnow())
    assert seed_moderation() == "already seeded"
    login_as("moderator")
    assert client.get("/mod/").status_code == 200
    assert client.get("/mod/metrics").status_code == 200
