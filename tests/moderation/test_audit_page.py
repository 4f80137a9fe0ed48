"""/mod/audit: filters, pages, the CSV equal to the filtered screen, and no way to change it."""

from __future__ import annotations

import csv
import io
import re

import pytest

from app.community.forums import services
from app.moderation.models import AuditEntry
from tests.factories import MemberFactory
from tests.moderation.modb_helpers import topic_with_reply


@pytest.fixture
def history(db):  # type: ignore[no-untyped-def]
    ana, bob = (
        MemberFactory(role="moderator", username="ana"),
        MemberFactory(role="admin", username="bob"),
    )
    topic, post = topic_with_reply()
    services.set_pinned(ana, topic.id, True)
    services.set_locked(bob, topic.id, True, "Enough said")
    services.edit_post(ana, post.id, "Cleaned up text", reason="Removed a phone number")
    services.delete_post(bob, post.id, "Spam")
    return ana, bob, topic, post


def _screen_ids(html: str) -> list[str]:
    return re.findall(r'data-entry-id="(\d+)"', html)


def test_filters_and_csv_show_the_same_entries(db, client, login_as, history) -> None:  # type: ignore[no-untyped-def]
    _ana, _bob, _topic, post = history
    login_as("moderator")
    for query in (
        "",
        "?actor=ana",
        "?action=topic_locked",
        f"?target_type=post&target_id={post.id}",
    ):
        html = client.get("/mod/audit" + query).get_data(as_text=True)
        body = client.get("/mod/audit.csv" + query).get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(body)))
        assert rows[0][:4] == ["id", "created_at", "actor", "action"]
        assert [r[0] for r in rows[1:]] == _screen_ids(html), query
    by_ana = list(
        csv.reader(io.StringIO(client.get("/mod/audit.csv?actor=ana").get_data(as_text=True)))
    )
    assert {r[3] for r in by_ana[1:]} == {"topic_pinned", "post_edited"}
    edited = next(r for r in by_ana[1:] if r[3] == "post_edited")
    assert edited[6] == "Removed a phone number"
    assert "Cleaned up text" in edited[8]


def test_a_date_range_filters_the_entries(db, client, login_as, history) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    html = client.get("/mod/audit?since=2000-01-01&until=2000-01-31").get_data(as_text=True)
    assert _screen_ids(html) == []
    assert len(_screen_ids(client.get("/mod/audit?since=2000-01-01").get_data(as_text=True))) == 4


def test_the_log_has_no_update_or_delete_path(db, app, client, login_as, history) -> None:  # type: ignore[no-untyped-def]
    login_as("admin")
    entry = db.session.query(AuditEntry).first()
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)("/mod/audit").status_code == 405
    assert client.post("/mod/audit").status_code == 405
    with app.test_request_context():
        rules = [r for r in app.url_map.iter_rules() if "audit" in r.rule]
    assert all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)
    assert db.session.get(AuditEntry, entry.id).details == entry.details


def test_a_csv_cell_cannot_become_a_formula(db, client, login_as) -> None:  # type: ignore[no-untyped-def]
    moderator = MemberFactory(role="moderator")
    topic, _post = topic_with_reply()
    services.set_locked(moderator, topic.id, True, '=HYPERLINK("http://x")')
    login_as("moderator")
    rows = list(csv.reader(io.StringIO(client.get("/mod/audit.csv").get_data(as_text=True))))
    assert rows[1][6].startswith("'=")


def test_the_audit_page_costs_the_same_for_few_and_many_entries(
    db, client, login_as, queries
) -> None:  # type: ignore[no-untyped-def]
    from app.moderation.subscribers import record

    login_as("admin")

    def count() -> int:
        db.session.expunge_all()
        with queries() as q:
            assert client.get("/mod/audit").status_code == 200
        return len(q)

    record(None, "topic_pinned", "topic", 1)
    few = count()
    for n in range(80):
        record(MemberFactory(role="moderator").id, "topic_locked", "topic", n, reason="x")
    db.session.flush()
    assert count() == few <= 6
