"""Search fixtures: a fresh index per test, on each backend the database allows.

`backend` runs a test on Whoosh, and on PostgreSQL full-text too when the suite runs
against PostgreSQL: both backends pass the same tests. `index()` runs the durable
subscribers then drains the queue into the index, as the worker would.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest

from app.community.forums import services
from app.community.forums.views import view_buffer
from app.extensions import db
from tests.community.factories import CategoryFactory
from tests.conftest import drain_events
from tests.factories import MemberFactory


def _reset_backend(app) -> None:  # type: ignore[no-untyped-def]
    app.extensions.pop("cercle_search_backend", None)


@pytest.fixture(autouse=True)
def search_index(app, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Each test writes its own index directory (Whoosh), and views never leak between."""
    original = app.config["SEARCH_INDEX_DIR"], app.config.get("SEARCH_BACKEND", "whoosh")
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "index")
    _reset_backend(app)
    with app.app_context():
        view_buffer().drain()
    yield app.config["SEARCH_INDEX_DIR"]
    app.config["SEARCH_INDEX_DIR"], app.config["SEARCH_BACKEND"] = original
    _reset_backend(app)


@pytest.fixture(params=["whoosh", "postgres"])
def backend(request, app, db) -> str:  # type: ignore[no-untyped-def]
    if request.param == "postgres" and db.engine.dialect.name != "postgresql":
        pytest.skip("the PostgreSQL backend runs in the PostgreSQL test run")
    app.config["SEARCH_BACKEND"] = request.param
    _reset_backend(app)
    return request.param


@pytest.fixture
def index() -> Callable[[], int]:
    def _index() -> int:
        from app.search.jobs import drain_index

        drain_events()
        return drain_index()

    return _index


@pytest.fixture
def category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="tents", name_en="Tents", name_fr="Tentes")


@pytest.fixture
def bikes(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="bikes", name_en="Bikes", name_fr="Vélos")


@pytest.fixture
def gold_category(db):  # type: ignore[no-untyped-def]
    return CategoryFactory(slug="gold-lounge", name_en="Gold lounge", min_tier_rank=2)


@pytest.fixture
def author(db):  # type: ignore[no-untyped-def]
    return MemberFactory(username="anna", display_name="Anna Alpine", role="moderator")


@pytest.fixture
def topic(author):  # type: ignore[no-untyped-def]
    """`topic(category, title, body)`: a topic made through the forum service."""

    counter = itertools.count(1)

    def _topic(category, title, body=None, by=None):  # type: ignore[no-untyped-def]
        body = body or f"Posted as number {next(counter)}."
        made = services.create_topic(by or author, category.id, title, body)
        db.session.expire_all()
        return made

    return _topic
