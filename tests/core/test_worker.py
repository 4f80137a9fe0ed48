"""Durable subscribers fed by the worker: in order, once, retried, parked, replayed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select

from app.core.db import unit_of_work
from app.core.event_store import ParkedEvent, SubscriberPosition
from app.core.events import DomainEvent, emit, get_bus
from app.core.worker import drain, event_lag, replay_parked
from tests.factories import MemberFactory


@dataclass(frozen=True)
class Counted(DomainEvent):
    n: int


@dataclass(frozen=True)
class Ignored(DomainEvent):
    n: int


@pytest.fixture
def subscribe(app):  # type: ignore[no-untyped-def]
    """`subscribe(name, handler)`: a durable subscriber of `Counted` for this test."""
    bus = get_bus()
    names: list[str] = []

    def _subscribe(name, handler, event_type=Counted):  # type: ignore[no-untyped-def]
        bus.subscribe_durable(name, {event_type: handler})
        names.append(name)

    yield _subscribe
    for name in names:
        bus._durable.pop(name, None)


@pytest.fixture
def quick_retries(app):  # type: ignore[no-untyped-def]
    before = app.config["EVENT_RETRY_BASE_SECONDS"], app.config["EVENT_MAX_ATTEMPTS"]
    app.config["EVENT_RETRY_BASE_SECONDS"] = 0
    app.config["EVENT_MAX_ATTEMPTS"] = 3
    yield
    app.config["EVENT_RETRY_BASE_SECONDS"], app.config["EVENT_MAX_ATTEMPTS"] = before


def emit_counted(*values: int) -> None:
    with unit_of_work():
        for value in values:
            emit(Counted(value))


def position(db, name: str) -> SubscriberPosition:  # type: ignore[no-untyped-def]
    return db.session.scalar(
        select(SubscriberPosition)
        .where(SubscriberPosition.name == name)
        .execution_options(populate_existing=True)
    )


def test_durable_subscriber_gets_every_event_in_order_once(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    subscribe("probe", lambda evt: seen.append(evt.n))
    emit_counted(1, 2, 3)
    emit_counted(4)
    assert seen == []  # nothing in the request: only the worker feeds it
    drain(names=["probe"])
    assert seen == [1, 2, 3, 4]
    drain(names=["probe"])
    assert seen == [1, 2, 3, 4]


def test_durable_subscriber_receives_the_event_id_and_time(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    received: list[Counted] = []
    subscribe("probe", received.append)
    emit_counted(5)
    drain(names=["probe"])
    [evt] = received
    assert evt.event_id is not None and evt.occurred_at is not None
    assert position(db, "probe").position == evt.event_id


def test_events_a_subscriber_does_not_handle_still_move_it_on(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    subscribe("probe", lambda evt: seen.append(evt.n))
    with unit_of_work():
        emit(Ignored(1))
        emit(Counted(2))
        emit(Ignored(3))
    drain(names=["probe"])
    assert seen == [2]
    assert position(db, "probe").position == event_lag().head


def test_small_batches_hand_over_everything(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    seen: list[int] = []
    subscribe("probe", lambda evt: seen.append(evt.n))
    emit_counted(*range(25))
    drain(names=["probe"], batch_size=4)
    assert seen == list(range(25))


def test_a_handlers_writes_commit_with_its_position(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    def create_member(evt: Counted) -> None:
        db.session.add(MemberFactory.build(username=f"from_event_{evt.n}"))

    subscribe("probe", create_member)
    emit_counted(1, 2)
    drain(names=["probe"])
    from app.members.models import Member

    names = db.session.scalars(
        select(Member.username).where(Member.username.like("from_event_%"))
    ).all()
    assert sorted(names) == ["from_event_1", "from_event_2"]


def write_probe(evt: Counted) -> None:
    """A handler's visible effect: one audit row per event it handled."""
    from app.extensions import db
    from app.moderation.models import AuditEntry

    db.session.add(
        AuditEntry(actor_id=None, action="probe", target_type="event", target_id=evt.n, details={})
    )


def probe_rows(db) -> list[int]:  # type: ignore[no-untyped-def]
    from app.moderation.models import AuditEntry

    return sorted(
        db.session.scalars(select(AuditEntry.target_id).where(AuditEntry.action == "probe"))
    )


def test_failing_subscriber_is_retried_then_handles_the_event_once(
    db, subscribe, quick_retries, app
) -> None:  # type: ignore[no-untyped-def]
    app.config["EVENT_MAX_ATTEMPTS"] = 10
    failures = {"left": 4}

    def flaky(evt: Counted) -> None:
        write_probe(evt)  # written, then undone when the handler fails
        if evt.n == 2 and failures["left"]:
            failures["left"] -= 1
            raise ConnectionError("index server down")

    subscribe("flaky", flaky)
    emit_counted(1, 2, 3)
    drain(names=["flaky"])
    state = position(db, "flaky")
    assert probe_rows(db) == [1]  # the event before the failure is kept, once
    assert state.attempts >= 1 and "index server down" in state.last_error
    for _ in range(5):
        drain(names=["flaky"])
    assert failures["left"] == 0
    assert probe_rows(db) == [1, 2, 3]  # each handled once, whatever the retries
    assert position(db, "flaky").attempts == 0
    assert position(db, "flaky").last_error == ""


def test_a_failing_subscriber_waits_for_its_backoff(db, subscribe, app) -> None:  # type: ignore[no-untyped-def]
    def broken(_evt: Counted) -> None:
        raise RuntimeError("bug")

    subscribe("broken", broken)
    emit_counted(1)
    drain(names=["broken"])
    state = position(db, "broken")
    assert state.attempts == 1 and state.retry_at is not None
    drain(names=["broken"])  # too early: not tried again
    assert position(db, "broken").attempts == 1


def test_failing_subscriber_never_blocks_the_others(db, subscribe, quick_retries) -> None:  # type: ignore[no-untyped-def]
    healthy: list[int] = []

    def broken(_evt: Counted) -> None:
        raise RuntimeError("bug")

    subscribe("broken", broken)
    subscribe("healthy", lambda evt: healthy.append(evt.n))
    emit_counted(1, 2, 3)
    drain()
    assert healthy == [1, 2, 3]
    assert position(db, "broken").attempts >= 1


def test_event_that_keeps_failing_is_parked_and_the_subscriber_moves_on(
    db, subscribe, quick_retries
) -> None:  # type: ignore[no-untyped-def]
    def poison(evt: Counted) -> None:
        write_probe(evt)
        if evt.n == 2:
            raise ValueError("cannot handle 2")

    subscribe("poisoned", poison)
    emit_counted(1, 2, 3)
    for _ in range(3):
        drain(names=["poisoned"])
    assert probe_rows(db) == [1, 3]
    [parked] = db.session.scalars(select(ParkedEvent)).all()
    assert parked.subscriber == "poisoned" and "cannot handle 2" in parked.error
    assert parked.resolved_at is None
    lag = event_lag()
    assert lag.parked == 1


def test_replaying_a_parked_event_after_a_fix_resolves_it(db, subscribe, quick_retries) -> None:  # type: ignore[no-untyped-def]
    fixed = {"yet": False}
    handled: list[int] = []

    def poison(evt: Counted) -> None:
        if not fixed["yet"]:
            raise ValueError("bug")
        handled.append(evt.n)

    subscribe("poisoned", poison)
    emit_counted(7)
    for _ in range(3):
        drain(names=["poisoned"])
    parked = db.session.scalar(select(ParkedEvent))
    admin = MemberFactory(role="admin")
    assert replay_parked(admin, parked.id) is False  # still broken: stays parked
    assert db.session.get(ParkedEvent, parked.id).resolved_at is None
    fixed["yet"] = True
    assert replay_parked(admin, parked.id) is True
    assert handled == [7]
    stored = db.session.get(ParkedEvent, parked.id)
    assert stored.resolved_at is not None and stored.resolved_by == admin.id
    assert event_lag().parked == 0


def test_only_admins_replay(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    from app.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        replay_parked(MemberFactory(role="moderator"), 1)


def test_lag_names_the_oldest_unhandled_event(db, subscribe) -> None:  # type: ignore[no-untyped-def]
    subscribe("probe", lambda evt: None)
    drain(names=["probe"])
    emit_counted(1)
    lag = event_lag()
    assert lag.oldest_unhandled_at is not None
    assert any(s.name == "probe" and s.behind >= 1 for s in lag.subscribers)
    drain()
    assert event_lag().oldest_unhandled_at is None


def test_member_counters_are_a_durable_subscriber(app) -> None:  # type: ignore[no-untyped-def]
    assert get_bus().durable_subscriber("member_counters") is not None


def test_healthz_reports_event_lag_and_mail(client, db) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body["events"]) == {"oldest_unhandled_at", "lag_seconds", "parked", "retrying"}
    assert set(body["mail"]) == {"waiting", "failed", "oldest_waiting_seconds"}


def test_admin_sees_parked_events_with_their_error_and_replays_them(
    client, login_as, db, subscribe, quick_retries
) -> None:  # type: ignore[no-untyped-def]
    def poison(_evt: Counted) -> None:
        raise ValueError("the <b>payload</b> was wrong")

    subscribe("poisoned", poison)
    emit_counted(3)
    for _ in range(3):
        drain(names=["poisoned"])
    login_as("admin")
    page = client.get("/admin/events")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "poisoned" in html
    assert "the &lt;b&gt;payload&lt;/b&gt; was wrong" in html  # shown, escaped
    parked = db.session.scalar(select(ParkedEvent))
    response = client.post(f"/admin/events/parked/{parked.id}/replay")
    assert response.status_code == 302
    assert db.session.get(ParkedEvent, parked.id).attempts == 4  # replayed (failed again)
    dashboard = client.get("/admin/")
    assert dashboard.status_code == 200
    assert "1 parked event" in dashboard.get_data(as_text=True)


def test_members_cannot_see_the_events_page(client, login_as, db) -> None:  # type: ignore[no-untyped-def]
    login_as("moderator")
    assert client.get("/admin/events").status_code == 403


def test_a_write_that_fails_at_flush_is_retried_and_the_others_go_on(
    db, subscribe, quick_retries
) -> None:  # type: ignore[no-untyped-def]
    from app.moderation.models import AuditEntry

    healthy: list[int] = []

    def bad_row(evt: Counted) -> None:
        # Fails only when flushed (a NOT NULL column left empty), not in the handler.
        db.session.add(AuditEntry(action=None, target_type="event", target_id=evt.n))

    subscribe("bad_row", bad_row)
    subscribe("healthy", lambda evt: healthy.append(evt.n))
    emit_counted(1, 2)
    drain()
    assert sorted(set(healthy)) == [1, 2]
    assert position(db, "bad_row").attempts >= 1
    for _ in range(3):
        drain()
    parked = db.session.scalars(select(ParkedEvent)).all()
    assert {p.subscriber for p in parked} == {"bad_row"}
    assert len(parked) == 2  # each failing event parked in turn, none lost
