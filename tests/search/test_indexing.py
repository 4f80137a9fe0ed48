"""Keeping the index right: the queue, repeated events, rebuild, verify, a damaged index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from app.extensions import db
from app.search import indexing
from app.search.backends import get_backend
from app.search.models import SearchQueueItem
from app.search.services import Filters, search
from tests.conftest import drain_events

pytestmark = pytest.mark.usefixtures("backend")


def _total(q: str) -> int:
    return search(None, q, Filters()).total


def _queued() -> list[tuple[str, int]]:
    return list(db.session.execute(select(SearchQueueItem.doc_key, SearchQueueItem.version)))


def test_the_subscriber_only_queues_and_a_repeated_event_queues_once(topic, category, index):
    made = topic(category, "Queued tent", "A tent.")
    drain_events()
    assert [key for key, _v in _queued()] == [f"post:{_first_post(made)}"]
    indexing.enqueue([f"post:{_first_post(made)}"])
    assert len(_queued()) == 1
    assert _total("tent") == 0 or get_backend().name == "postgres"  # not yet drained
    index()
    assert _queued() == []
    assert _total("tent") == 1


def test_a_row_queued_again_while_draining_stays_for_the_next_drain(topic, category, index):
    made = topic(category, "Busy tent", "A tent.")
    drain_events()
    items = indexing.pending(10)
    indexing.enqueue([f"post:{_first_post(made)}"])  # an edit arrives meanwhile
    indexing.settle(items)
    assert _queued() == [(f"post:{_first_post(made)}", items[0].version + 1)]


def test_rebuild_from_the_cli_indexes_everything_with_a_progress_bar(app, topic, category, index):
    for n in range(3):
        topic(category, f"Rebuilt tent {n}", f"A tent {n}.")
    index()
    result = CliRunner().invoke(app.cli, ["search", "rebuild"], catch_exceptions=False)
    assert "3 document(s) indexed" in result.output
    assert "Indexing" in result.output
    assert _total("tent") == 3


def test_verify_reports_and_repairs_missing_stale_and_extra_documents(
    app, topic, category, author, index
):
    from app.community.forums import services as forums
    from app.search.documents import build_documents

    kept = topic(category, "Kept tent", "A tent.")
    edited = topic(category, "Edited stove", "A petrol stove.")
    gone = topic(category, "Gone tent", "A tent.")
    index()
    backend = get_backend()
    # Damage on purpose: one document lost, one out of date, one that should not be there.
    backend.repair([], [f"post:{_first_post(kept)}"])
    forums.edit_post(author, _first_post(edited), "A gas stove.")
    forums.delete_post(author, _first_post(gone))
    db.session.execute(SearchQueueItem.__table__.delete())
    ghost = build_documents([f"post:{_first_post(gone)}"])
    assert ghost == {f"post:{_first_post(gone)}": None}
    result = CliRunner().invoke(app.cli, ["search", "verify", "--no-repair"])
    assert result.exit_code == 1
    assert "1 missing, 1 out of date, 1 extra" in result.output
    result = CliRunner().invoke(app.cli, ["search", "verify"], catch_exceptions=False)
    assert "repaired" in result.output
    assert indexing.verify(repair=False)["missing"] == 0
    assert _total("tent") == 1 and _total("gas") == 1 and _total("petrol") == 0


def _first_post(topic) -> int:  # type: ignore[no-untyped-def]
    from app.community.forums.models import Post

    return db.session.scalar(
        select(Post.id).where(Post.topic_id == topic.id, Post.post_number == 1)
    )


def test_drain_is_idempotent_when_repeated(topic, category, index):
    made = topic(category, "Twice tent", "A tent.")
    index()
    indexing.enqueue(indexing.keys_for("post", [_first_post(made), _first_post(made)]))
    index()
    index()
    assert _total("tent") == 1
    assert db.session.scalar(select(func.count(SearchQueueItem.id))) == 0


# --- Whoosh: a missing or damaged index ----------------------------------------------------


@pytest.fixture
def whoosh_only(backend):  # type: ignore[no-untyped-def]
    if backend != "whoosh":
        pytest.skip("the index directory is Whoosh's")


def _damage(directory: str) -> None:
    for path in Path(directory).iterdir():
        if path.suffix in (".toc", ".seg") or path.name.endswith(".trm"):
            path.write_bytes(b"\x00garbage\x00" * 10)


def test_a_missing_index_is_built_by_the_first_drain(whoosh_only, topic, category, index):
    topic(category, "First start tent", "A tent.")
    assert get_backend().status()["state"] == "missing"
    index()
    assert get_backend().status()["state"] == "ok"
    assert _total("tent") == 1


def test_a_damaged_index_is_reported_the_page_explains_and_rebuild_repairs(
    whoosh_only, app, client, topic, category, index, search_index
):
    topic(category, "Damaged tent", "A tent.")
    index()
    app.extensions.pop("cercle_search_backend", None)
    _damage(search_index)
    assert os.listdir(search_index)
    health = client.get("/healthz").get_json()
    assert health["search"]["state"] == "damaged"
    response = client.get("/search?q=tent")
    assert response.status_code == 503
    assert b"Search is unavailable for a moment" in response.data
    assert client.get("/forums/").status_code == 200
    result = CliRunner().invoke(app.cli, ["search", "rebuild"], catch_exceptions=False)
    assert "1 document(s) indexed" in result.output
    assert client.get("/healthz").get_json()["search"]["state"] == "ok"
    assert _total("tent") == 1


def test_verify_rebuilds_an_index_it_cannot_read(whoosh_only, app, topic, category, index):
    topic(category, "Verified tent", "A tent.")
    index()
    _damage(app.config["SEARCH_INDEX_DIR"])
    app.extensions.pop("cercle_search_backend", None)
    result = CliRunner().invoke(app.cli, ["search", "verify"], catch_exceptions=False)
    assert "rebuilt with 1 document(s)" in result.output
    assert _total("tent") == 1


def test_healthz_reports_the_index_and_the_queue(client, topic, category, index):
    topic(category, "Health tent", "A tent.")
    drain_events()
    report = client.get("/healthz").get_json()["search"]
    assert report["queued"] == 1
    index()
    report = client.get("/healthz").get_json()["search"]
    assert report["queued"] == 0 and report["state"] == "ok" and report["documents"] == 1
