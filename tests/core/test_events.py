"""The event bus: after commit only, each subscriber isolated."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from app.core.db import unit_of_work
from app.core.events import emit, get_bus
from app.members.models import Member
from tests.factories import MemberFactory


@dataclass(frozen=True)
class Pinged:
    value: int


@pytest.fixture
def received(app):  # type: ignore[no-untyped-def]
    seen: list[Pinged] = []
    bus = get_bus()
    bus.subscribe(Pinged, seen.append)
    yield seen
    bus._handlers.pop(Pinged, None)


def test_event_is_dispatched_after_commit(received, db):  # type: ignore[no-untyped-def]
    with unit_of_work():
        emit(Pinged(1))
        assert received == []
    assert received == [Pinged(1)]


def test_rolled_back_change_emits_nothing(received, db):  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(MemberFactory.build(username="ghost", username_lower="ghost"))
        emit(Pinged(2))
        raise RuntimeError("boom")
    with unit_of_work():
        pass
    assert received == []
    assert db.session.query(Member).filter_by(username="ghost").count() == 0


def test_failed_commit_emits_nothing(received, db):  # type: ignore[no-untyped-def]
    MemberFactory(username="taken")
    with pytest.raises(Exception), unit_of_work():  # noqa: B017 - any integrity error
        db.session.add(MemberFactory.build(username="Taken2", username_lower="taken"))
        emit(Pinged(3))
    assert received == []


def test_failing_subscriber_does_not_stop_the_others(received, db, caplog):  # type: ignore[no-untyped-def]
    def broken(_evt):  # type: ignore[no-untyped-def]
        raise ValueError("subscriber bug")

    bus = get_bus()
    bus._handlers[Pinged].insert(0, broken)
    with unit_of_work():
        emit(Pinged(4))
    assert received == [Pinged(4)]
    assert "subscriber" in caplog.text and "failed" in caplog.text


@dataclass(frozen=True)
class Echoed:
    value: int


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
