"""Every moderation action × every role: members 403, moderators and admins allowed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.community.forums.models import Post, Topic
from app.moderation.models import AuditEntry, ReviewItem
from tests.community.factories import CategoryFactory
from tests.moderation.modb_helpers import review_item, topic_with_reply

ROLES = [("member", 403), ("moderator", 303), ("admin", 303)]


def _audit_count(db) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def _scene(action: str):  # type: ignore[no-untyped-def]
    """(path, form) of one action, on a fresh scene."""
    if action in ("approve", "hide", "delete", "dismiss", "claim"):
        item, _post = review_item("flagged" if action == "dismiss" else "held", "flags")
        return f"/mod/items/{item.id}/{action}", {"reason": "Spam links"}
    if action in ("restore", "restore_deleted"):
        from app.moderation import actions
        from tests.factories import MemberFactory

        item, _post = review_item("flagged", "flags")
        staff = MemberFactory(role="moderator")
        if action == "restore":
            actions.decide(staff, item.id, "hide", "Looked like spam")
        else:
            actions.delete(staff, item.id, "Looked like spam")
        return f"/mod/items/{item.id}/restore", {"reason": "Fine after all"}
    topic, post = topic_with_reply()
    other, _ = topic_with_reply()
    if action == "unlock":
        from app.community.forums import services
        from tests.factories import MemberFactory

        services.set_locked(MemberFactory(role="admin"), topic.id, True, "Closed for now")
    if action == "undo":
        from app.community.forums.services import structure
        from tests.factories import MemberFactory

        change = structure.move_topic(MemberFactory(role="admin"), topic.id, CategoryFactory().id)
        return f"/mod/changes/{change.id}/undo", {}
    forms = {
        "edit": (f"/mod/posts/{post.id}/edit", {"body": "Edited by staff.", "reason": "Tidy"}),
        "move": (
            f"/mod/topics/{topic.id}/move",
            {"category_id": str(CategoryFactory().id), "reason": "Better there"},
        ),
        "lock": (f"/mod/topics/{topic.id}/lock", {"locked": "1", "reason": "Done"}),
        "unlock": (f"/mod/topics/{topic.id}/lock", {"locked": "0"}),
        "pin": (f"/mod/topics/{topic.id}/pin", {"pinned": "1"}),
        "merge": (f"/mod/topics/{topic.id}/merge", {"target": str(other.id)}),
        "split": (
            f"/mod/topics/{topic.id}/split",
            {"post_ids": str(post.id), "title": "A topic of its own"},
        ),
    }
    return forms[action]


ACTIONS = [
    "approve",
    "hide",
    "delete",
    "dismiss",
    "claim",
    "edit",
    "move",
    "lock",
    "pin",
    "merge",
    "split",
    "undo",
]


@pytest.mark.parametrize("role,status", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_for_every_role(db, client, login_as, action, role, status) -> None:  # type: ignore[no-untyped-def]
    path, form = _scene(action)
    login_as(role)
    before = _audit_count(db)
    response = client.post(path, data=form)
    assert response.status_code == status, (action, role, response.status_code)
    if role == "member":
        assert _audit_count(db) == before
    elif action != "claim":
        # Every action leaves exactly one audit entry.
        assert _audit_count(db) == before + 1, action


@pytest.mark.parametrize(
    "path", ["/mod/", "/mod/audit", "/mod/metrics", "/mod/rules", "/mod/audit.csv"]
)
def test_members_get_403_and_visitors_the_login_page(db, client, login_as, path) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login_as("member")
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("role", ["moderator", "admin"])
@pytest.mark.parametrize(
    "path", ["/mod/", "/mod/?status=handled", "/mod/audit", "/mod/metrics", "/mod/rules"]
)
def test_staff_read_every_page(db, client, login_as, role, path) -> None:  # type: ignore[no-untyped-def]
    review_item()
    review_item("flagged", "flags")
    login_as(role)
    assert client.get(path).status_code == 200


def test_the_services_refuse_members_too(db) -> None:  # type: ignore[no-untyped-def]
    from app.core.errors import PermissionDenied
    from app.moderation import actions, queue
    from tests.factories import MemberFactory

    member = MemberFactory()
    item, post = review_item()
    for call in (
        lambda: queue.claim(member, item.id),
        lambda: actions.decide(member, item.id, "approve"),
        lambda: actions.delete(member, item.id, "x"),
        lambda: actions.edit(member, post.id, "new text", "why"),
        lambda: queue.queue_page(member, queue.Filters()),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert db.session.get(ReviewItem, item.id).status == "pending"
    assert db.session.get(Post, post.id).moderation_state == "held"
    assert db.session.scalar(select(func.count()).select_from(Topic)) >= 1


@pytest.mark.parametrize("role,status", ROLES)
def test_watched_words_and_sanctions_for_every_role(db, client, login_as, role, status) -> None:  # type: ignore[no-untyped-def]
    from app.moderation.models import Sanction, WatchedWord
    from tests.factories import MemberFactory

    target = MemberFactory()
    login_as(role)
    before = _audit_count(db)
    steps = [
        ("/mod/rules", {"pattern": "cheap watches", "action": "hold"}),
        (f"/mod/members/{target.id}", {"kind": "warning", "reason": "Be kind"}),
        (f"/mod/members/{target.id}", {"kind": "silence", "reason": "Cool down", "days": "3"}),
    ]
    for path, form in steps:
        assert client.post(path, data=form).status_code == status
    if role == "member":
        assert _audit_count(db) == before
        assert db.session.query(WatchedWord).count() == 0
        return
    assert _audit_count(db) == before + 3
    word = db.session.query(WatchedWord).one()
    silence = db.session.query(Sanction).filter_by(kind="silence").one()
    assert client.post("/mod/rules", data={"remove": str(word.id)}).status_code == 303
    lift = {"lift": str(silence.id), "reason": "Talked it over"}
    assert client.post(f"/mod/members/{target.id}", data=lift).status_code == 303
    assert _audit_count(db) == before + 5
    page = client.get(f"/mod/members/{target.id}").get_data(as_text=True)
    assert "Cool down" in page and "Lifted" in page


def test_a_bad_watched_word_keeps_the_text_and_says_why(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    login_as("moderator")
    response = client.post("/mod/rules", data={"pattern": "**", "action": "hold"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'value="**"' in html and 'class="error"' in html
