"""Forum fixtures: a category, members of each kind, and a recorder of forum events."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.community.forums import events as forum_events
from app.community.forums.views import view_buffer
from app.core.events import get_bus
from tests.community.factories import CategoryFactory
from tests.factories import MemberFactory

FORUM_EVENTS = (
    forum_events.TopicCreated,
    forum_events.PostCreated,
    forum_events.PostEdited,
    forum_events.PostDeleted,
    forum_events.PostRestored,
    forum_events.PostLiked,
    forum_events.PostUnliked,
    forum_events.TopicFollowed,
)


@pytest.fixture(autouse=True)
def _empty_view_buffer(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Views buffered by an earlier test must not land on this test's rows."""
    with app.app_context():
        view_buffer().drain()
    yield
    with app.app_context():
        view_buffer().drain()


@pytest.fixture
def category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="tents", name_en="Tents", name_fr="Tentes")


@pytest.fixture
def gold_category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="gold-lounge", name_en="Gold lounge", min_tier_rank=2)


@pytest.fixture
def staff_category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="team-room", name_en="Team room", allowed_roles="moderator,admin")


@pytest.fixture
def member(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="anna")


@pytest.fixture
def other(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="bruno")


@pytest.fixture
def moderator(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="marc", role="moderator")


@pytest.fixture
def admin(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="claire", role="admin")


@pytest.fixture
def received(app) -> Iterator[list]:  # type: ignore[no-untyped-def]
    """Every forum event published during the test, in order."""
    seen: list = []
    bus = get_bus()
    for event_type in FORUM_EVENTS:
        bus.subscribe(event_type, seen.append)
    yield seen
    for event_type in FORUM_EVENTS:
        handlers = bus._handlers.get(event_type, [])
        if seen.append in handlers:
            handlers.remove(seen.append)


@pytest.fixture
def page_cache_on(app):  # type: ignore[no-untyped-def]
    """The page cache switched on, empty, its counts at zero (tests run with it off)."""
    from app.core import page_cache

    store = page_cache.cache_of(app)
    saved = store.seconds
    store.seconds = 60
    store.clear()
    store.hits = store.misses = 0
    try:
        yield store
    finally:
        store.seconds = saved
        store.clear()
