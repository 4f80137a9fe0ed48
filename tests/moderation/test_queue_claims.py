"""Claims: two moderators never act on one item, in one process or racing in several."""

from __future__ import annotations

import multiprocessing
import os
import traceback
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import Invalid
from app.moderation import actions, queue
from app.moderation.models import ReviewItem
from tests.conftest import make_test_app, scratch_database
from tests.factories import MemberFactory
from tests.moderation.modb_helpers import review_item
from tests.processes import run_together, write_scene

WORKERS = 4


def test_a_claimed_item_refuses_another_moderator_with_their_name(db) -> None:  # type: ignore[no-untyped-def]
    first, second = MemberFactory(role="moderator"), MemberFactory(role="admin")
    item, post = review_item()
    queue.claim(first, item.id)
    with pytest.raises(queue.ClaimedByAnother) as refused:
        actions.decide(second, item.id, "approve")
    assert first.name in refused.value.message
    db.session.expire_all()
    assert db.session.get(ReviewItem, item.id).status == "pending"
    assert post.moderation_state == "held"
    actions.decide(first, item.id, "approve")
    assert db.session.get(ReviewItem, item.id).status == "approved"


def test_a_claim_expires(db, app) -> None:  # type: ignore[no-untyped-def]
    first, second = MemberFactory(role="moderator"), MemberFactory(role="moderator")
    item, _post = review_item()
    queue.claim(first, item.id)
    item = db.session.get(ReviewItem, item.id)
    item.claimed_at = item.claimed_at - timedelta(minutes=queue.CLAIM_MINUTES + 1)
    db.session.commit()
    actions.decide(second, item.id, "hide", "Spam")
    assert db.session.get(ReviewItem, item.id).resolved_by_id == second.id


def test_a_decided_item_cannot_be_decided_again(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    item, _post = review_item()
    actions.decide(moderator, item.id, "approve")
    with pytest.raises(Invalid):
        actions.decide(moderator, item.id, "hide", "changed my mind")
    login_as("moderator")
    response = client.post(
        f"/mod/items/{item.id}/hide", data={"reason": "x"}, follow_redirects=True
    )
    assert "Already handled by" in response.get_data(as_text=True)


def test_releasing_frees_the_item(db) -> None:  # type: ignore[no-untyped-def]
    first, second = MemberFactory(role="moderator"), MemberFactory(role="moderator")
    item, _post = review_item()
    queue.claim(first, item.id)
    queue.release(first, item.id)
    queue.claim(second, item.id)
    assert db.session.get(ReviewItem, item.id).claimed_by_id == second.id


def test_hiding_needs_a_reason_and_writes_nothing_without(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    item, _post = review_item("flagged", "flags")
    with pytest.raises(Invalid) as refused:
        actions.decide(moderator, item.id, "hide", "  ")
    assert "reason" in refused.value.errors
    db.session.expire_all()
    assert db.session.get(ReviewItem, item.id).claimed_by_id is None


# --- racing processes -------------------------------------------------------------------


def _scene_worker(url: str, ids) -> None:  # type: ignore[no-untyped-def]
    app = make_test_app(url)
    with app.test_request_context():
        from app.community.forums import services
        from app.community.forums.models import Category
        from app.community.forums.services import moderation_state
        from app.core.db import unit_of_work
        from app.extensions import db
        from app.members.models import Member
        from app.moderation.review import open_item

        tag = os.urandom(4).hex()

        def member(name: str, role: str = "member") -> Member:
            return Member(
                username=name,
                username_lower=name,
                email=f"{name}@example.com",
                password_hash="x",
                display_name=name,
                role=role,
                trust_level=2,
            )

        with unit_of_work():
            category = Category(slug=f"claim-{tag}", name_en="C", name_fr="C", colour="#2f6f8f")
            author = member(f"author_{tag}")
            mods = [member(f"mod{n}_{tag}", "moderator") for n in range(WORKERS)]
            db.session.add_all([category, author, *mods])
        topic = services.create_topic(author, category.id, "A topic to moderate", "Hello")
        post = services.reply(author, topic.id, "A reply the queue holds")
        with unit_of_work():
            moderation_state.hold_post(post, "new_member")
            item = open_item(post, "held", "new_member", {}, 0)
        ids.update(item=item.id, post=post.id, topic=topic.id, mods=[m.id for m in mods])


def _race_worker(url: str, worker: int, barrier, errors, ids, what: str, won) -> None:  # type: ignore[no-untyped-def]
    try:
        app = make_test_app(url)
        with app.test_request_context():
            from app.core.errors import ServiceError
            from app.extensions import db
            from app.members.models import Member

            actor = db.session.get(Member, ids["mods"][worker])
            barrier.wait(timeout=60)
            try:
                if what == "claim":
                    queue.claim(actor, ids["item"])
                else:
                    actions.decide(actor, ids["item"], "approve")
                won.append(worker)
            except ServiceError:
                pass
    except Exception:
        errors.put(f"worker {worker}: {traceback.format_exc()}")


@pytest.mark.parametrize("what", ["claim", "approve"])
def test_moderators_racing_for_one_item_leave_exactly_one_winner(tmp_path: Path, what: str) -> None:
    url = scratch_database(tmp_path, f"claims_{what}")
    ctx = multiprocessing.get_context("spawn")
    ids = write_scene(_scene_worker, url)
    won = ctx.Manager().list()
    errors = run_together([(_race_worker, (url, ids, what, won)) for _ in range(WORKERS)])
    assert errors == []
    assert len(won) == 1
    from sqlalchemy import create_engine

    from app.community.forums.models import Post, Topic
    from app.moderation.models import AuditEntry

    engine = create_engine(url)
    with engine.connect() as conn:
        item = conn.execute(select(ReviewItem).where(ReviewItem.id == ids["item"])).one()
        assert item.claimed_by_id == ids["mods"][won[0]]
        if what == "approve":
            assert item.status == "approved"
            state = conn.scalar(select(Post.moderation_state).where(Post.id == ids["post"]))
            assert state == "visible"
            # Counted once: the first post and the approved reply.
            count = conn.scalar(select(Topic.post_count).where(Topic.id == ids["topic"]))
            assert count == 2
            entries = conn.execute(
                select(AuditEntry.id).where(AuditEntry.action == "review_approved")
            ).all()
            assert len(entries) == 1
    engine.dispose()


def test_a_held_post_cannot_be_dismissed_into_limbo(db) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    item, _post = review_item()
    with pytest.raises(Invalid):
        actions.decide(moderator, item.id, "dismiss")
    db.session.expire_all()
    assert db.session.get(ReviewItem, item.id).status == "pending"
