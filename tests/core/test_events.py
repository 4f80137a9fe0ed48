"""The event bus: recorded in the writing transaction, published after commit, savepoints
respected, in-transaction subscribers part of the action."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from app.core.db import unit_of_work
from app.core.event_store import DomainEventRecord
from app.core.events import EVENT_TYPES, DomainEvent, emit, get_bus
from app.members.models import Member
from tests.factories import MemberFactory


@dataclass(frozen=True)
class Pinged(DomainEvent):
    value: int


@dataclass(frozen=True)
class Echoed(DomainEvent):
    value: int


@dataclass(frozen=True)
class Tagged(DomainEvent):
    tags: tuple[str, ...]


@pytest.fixture
def received(app):  # type: ignore[no-untyped-def]
    seen: list[Pinged] = []
    bus = get_bus()
    bus.subscribe(Pinged, seen.append)
    yield seen
    bus._handlers.pop(Pinged, None)


def recorded(db, kind: str = "pinged") -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        row.payload
        for row in db.session.scalars(
            select(DomainEventRecord)
            .where(DomainEventRecord.type == kind)
            .order_by(DomainEventRecord.id)
        )
    ]


def test_event_names_are_the_snake_case_class_names() -> None:
    assert Pinged.name == "pinged"
    assert EVENT_TYPES["pinged"] is Pinged
    from app.community.forums.events import PostCreated

    assert PostCreated.name == "post_created"


def test_payload_round_trips_through_the_record() -> None:
    evt = Tagged(tags=("a", "b"))
    assert evt.payload() == {"tags": ["a", "b"]}
    rebuilt = Tagged.from_record(evt.payload(), 7, evt.occurred_at)
    assert rebuilt == evt and rebuilt.event_id == 7 and rebuilt.occurred_at == evt.occurred_at


def test_only_domain_events_can_be_emitted(db) -> None:  # type: ignore[no-untyped-def]
    @dataclass(frozen=True)
    class Plain:
        value: int

    with pytest.raises(TypeError), unit_of_work():
        emit(Plain(1))  # type: ignore[arg-type]


def test_event_is_recorded_in_the_transaction_and_published_after_commit(received, db):  # type: ignore[no-untyped-def]
    with unit_of_work():
        emit(Pinged(1))
        assert received == []
        assert recorded(db) == []
    assert received == [Pinged(1)]
    assert recorded(db) == [{"value": 1}]


def test_rolled_back_change_records_and_publishes_nothing(received, db):  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(MemberFactory.build(username="ghost", username_lower="ghost"))
        emit(Pinged(2))
        raise RuntimeError("boom")
    with unit_of_work():
        pass
    assert received == []
    assert recorded(db) == []
    assert db.session.query(Member).filter_by(username="ghost").count() == 0


def test_failed_commit_records_and_publishes_nothing(received, db):  # type: ignore[no-untyped-def]
    MemberFactory(username="taken")
    with pytest.raises(Exception), unit_of_work():  # noqa: B017 - any integrity error
        db.session.add(MemberFactory.build(username="Taken2", username_lower="taken"))
        emit(Pinged(3))
    assert received == []
    assert recorded(db) == []


def test_rolled_back_savepoint_drops_only_its_own_events(received, db):  # type: ignore[no-untyped-def]
    with unit_of_work():
        emit(Pinged(1))
        with pytest.raises(RuntimeError), db.session.begin_nested():
            emit(Pinged(2))
            raise RuntimeError("inner step failed")
        with db.session.begin_nested():
            emit(Pinged(3))
        emit(Pinged(4))
    assert received == [Pinged(1), Pinged(3), Pinged(4)]
    assert recorded(db) == [{"value": 1}, {"value": 3}, {"value": 4}]


def test_rolling_back_an_outer_savepoint_drops_the_events_of_released_inner_ones(received, db):  # type: ignore[no-untyped-def]
    with unit_of_work():
        emit(Pinged(1))
        with pytest.raises(RuntimeError), db.session.begin_nested():
            with db.session.begin_nested():
                emit(Pinged(2))  # released into the outer savepoint...
            raise RuntimeError("...which is then rolled back")
    assert recorded(db) == [{"value": 1}]


def test_events_keep_their_emission_order_in_the_table(db):  # type: ignore[no-untyped-def]
    with unit_of_work():
        for n in range(5):
            emit(Pinged(n))
    with unit_of_work():
        emit(Pinged(5))
    assert [p["value"] for p in recorded(db)] == [0, 1, 2, 3, 4, 5]


def test_the_actor_of_a_request_is_recorded(app, client, login_as, db):  # type: ignore[no-untyped-def]
    member = login_as("member")
    response = client.post("/settings/profile", data={"display_name": "Ana B.", "bio": ""})
    assert response.status_code in (200, 302)
    row = db.session.scalar(
        select(DomainEventRecord)
        .where(DomainEventRecord.type == "profile_updated")
        .order_by(DomainEventRecord.id.desc())
    )
    assert row is not None
    assert row.actor_id == member.id


def test_failing_ephemeral_subscriber_does_not_stop_the_others(received, db, caplog):  # type: ignore[no-untyped-def]
    def broken(_evt):  # type: ignore[no-untyped-def]
        raise ValueError("subscriber bug")

    bus = get_bus()
    bus._handlers[Pinged].insert(0, broken)
    with unit_of_work():
        emit(Pinged(4))
    assert received == [Pinged(4)]
    assert "subscriber" in caplog.text and "failed" in caplog.text


def test_in_transaction_subscriber_writes_with_the_action(db):  # type: ignore[no-untyped-def]
    bus = get_bus()

    def rename(evt: Pinged) -> None:
        db.session.add(MemberFactory.build(username=f"echo{evt.value}"))

    bus.subscribe_in_transaction(Pinged, rename)
    try:
        with unit_of_work():
            emit(Pinged(8))
        assert db.session.scalar(select(func.count()).where(Member.username == "echo8")) == 1
    finally:
        bus._in_transaction.pop(Pinged, None)


def test_failing_in_transaction_subscriber_aborts_the_action(db):  # type: ignore[no-untyped-def]
    bus = get_bus()

    def refuse(_evt: Pinged) -> None:
        raise RuntimeError("audit log unavailable")

    bus.subscribe_in_transaction(Pinged, refuse)
    try:
        with pytest.raises(RuntimeError), unit_of_work():
            db.session.add(MemberFactory.build(username="halfdone", username_lower="halfdone"))
            emit(Pinged(9))
    finally:
        bus._in_transaction.pop(Pinged, None)
    assert db.session.query(Member).filter_by(username="halfdone").count() == 0
    assert recorded(db) == []


def test_events_of_a_subscribers_own_unit_of_work_come_after_the_outer_ones(app, db):  # type: ignore[no-untyped-def]
    order: list[object] = []
    bus = get_bus()

    def first(evt: Pinged) -> None:
        order.append(evt)
        with unit_of_work():
            emit(Echoed(evt.value))

    bus.subscribe(Pinged, first)
    bus.subscribe(Echoed, order.append)
    try:
        with unit_of_work():
            emit(Pinged(1))
            emit(Pinged(2))
    finally:
        bus._handlers.pop(Pinged, None)
        bus._handlers.pop(Echoed, None)
    assert order == [Pinged(1), Pinged(2), Echoed(1), Echoed(2)]


def test_a_unit_of_work_refuses_to_nest(db):  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError, match="does not nest"), unit_of_work(), unit_of_work():
        pass
