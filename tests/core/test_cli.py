"""The cross-area commands: each area plugs its part in; core imports none of them."""

from __future__ import annotations

import ast
from pathlib import Path

from sqlalchemy import update

from app.members.models import Member
from tests.conftest import drain_events
from tests.factories import MemberFactory

CORE = Path(__file__).resolve().parents[2] / "app" / "core"


def test_counters_recount_repairs_and_reports_a_wrong_counter(app, db) -> None:  # type: ignore[no-untyped-def]
    member = MemberFactory()
    db.session.execute(update(Member).where(Member.id == member.id).values(post_count=42))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["counters", "recount"])
    assert result.exit_code == 0, result.output
    assert f"member {member.id} post_count: 42 → 0" in result.output
    assert db.session.get(Member, member.id, populate_existing=True).post_count == 0
    again = runner.invoke(args=["counters", "recount"])
    assert again.exit_code == 0
    assert "Every counter was right." in again.output


def test_events_status_lists_the_durable_subscribers(app, db) -> None:  # type: ignore[no-untyped-def]
    drain_events()
    result = app.test_cli_runner().invoke(args=["events", "status"])
    assert result.exit_code == 0, result.output
    assert "member_counters" in result.output and "parked: 0" in result.output


def test_jobs_run_due_runs_the_worker_jobs(app, db) -> None:  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
    assert result.exit_code == 0, result.output
    assert "drain_events:" in result.output and "deliver_mail:" in result.output


def test_seed_demo_if_empty_leaves_a_database_with_members(app, db) -> None:  # type: ignore[no-untyped-def]
    MemberFactory()
    result = app.test_cli_runner().invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "not empty" in result.output


def test_core_imports_no_area() -> None:
    areas = (
        "app.members",
        "app.community",
        "app.moderation",
        "app.notifications",
        "app.personalisation",
        "app.admin",
        "app.search",
        "app.realtime",
        "app.api",
    )
    offenders = []
    for path in CORE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offenders += [f"{path.name}: {n}" for n in names if n.startswith(areas)]
    assert offenders == []


def test_a_recount_then_the_worker_never_counts_twice(app, db) -> None:  # type: ignore[no-untyped-def]
    from app.community.forums import services
    from tests.community.factories import CategoryFactory

    author = MemberFactory()
    services.create_topic(author, CategoryFactory().id, "Counted once", "Only once, please.")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["counters", "recount"]).exit_code == 0  # before the worker
    drain_events()
    stored = db.session.get(Member, author.id, populate_existing=True)
    assert (stored.topic_count, stored.post_count) == (1, 1)
    again = runner.invoke(args=["counters", "recount"])
    assert "Every counter was right." in again.output
