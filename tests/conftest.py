"""Shared fixtures: one app per session, the database rolled back after every test.

The schema is made by the migrations (never `create_all`). Tests run on SQLite by default;
with `CERCLE_TEST_BACKEND=postgres` they run on `TEST_DATABASE_URL` instead (make test does
both when that variable is set).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from flask_sqlalchemy.session import Session as FlaskSQLAlchemySession
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from app import create_app
from app.extensions import db as _db
from app.extensions import limiter
from tests import factories


def _test_database_url(tmp_dir: str) -> str:
    if os.environ.get("CERCLE_TEST_BACKEND") == "postgres":
        url = os.environ.get("TEST_DATABASE_URL")
        if not url:
            pytest.exit("CERCLE_TEST_BACKEND=postgres needs TEST_DATABASE_URL", returncode=2)
        url = url.replace("postgresql://", "postgresql+psycopg://", 1)
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        if worker:  # parallel runs (pytest -n): one database per worker, beside the given one
            url = _ensure_postgres_database(url, f"{make_url(url).database}_{worker}")
        return url
    return f"sqlite:///{tmp_dir}/test.db"


def _ensure_postgres_database(url: str, name: str) -> str:
    base = make_url(url)
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def reset_postgres(url: str) -> None:
    """Empty the test database (the suite owns it) so the migrations start from nothing."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def make_test_app(database_url: str, **overrides) -> Flask:  # type: ignore[no-untyped-def]
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "FAST_PASSWORD_HASH": True,
        "SERVER_NAME": "club.test",
        "RATELIMIT_STORAGE_URI": "memory://",
        "MAIL_SERVER": None,
        # Without a mail server the worker writes mail to files: never into the repo.
        "MAIL_FILE_DIR": tempfile.mkdtemp(prefix="cercle-mail-"),
    }
    config.update(overrides)
    return create_app(config)


def upgrade_schema(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    url = _test_database_url(str(tmp_path_factory.mktemp("db")))
    if make_url(url).get_backend_name() == "postgresql":
        reset_postgres(url)
    application = make_test_app(url)
    upgrade_schema(application)

    # Test requests run inside the `db` fixture's app context instead of one of their own,
    # so `g` would outlive a request: the member Flask-Login loaded (and anything else
    # cached there) would leak into the next request, even from another client.
    @application.teardown_request
    def _fresh_g_per_request(_exc: BaseException | None) -> None:
        g.__dict__.clear()

    yield application


class _ConnectionBoundSession(FlaskSQLAlchemySession):
    """Flask-SQLAlchemy's session picks the engine for every model, ignoring `bind`: a
    service's commit would then really commit. This one always uses the test's connection,
    so commits are savepoints that the outer rollback undoes."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[no-untyped-def]
        return self.bind


@pytest.fixture(autouse=True)
def db(request: pytest.FixtureRequest) -> Iterator:
    """A session whose every commit is a savepoint inside one transaction rolled back after.

    Browser tests talk to their own live server, which shares the SQLAlchemy extension
    object: swapping the global session would hand the server this test's connection, so
    for them this fixture does nothing (and the session app is not even built).
    """
    if request.node.get_closest_marker("browser"):
        yield None
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        connection = _db.engine.connect()
        outer = connection.begin()
        session = _db._make_scoped_session(
            {
                "class_": _ConnectionBoundSession,
                "bind": connection,
                "join_transaction_mode": "create_savepoint",
            }
        )
        original = _db.session
        _db.session = session
        limiter.reset()
        try:
            yield _db
        finally:
            session.remove()
            _db.session = original
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[..., object]:
    """Log the test client in as a new member of the given role (and tier)."""

    def _login(role: str = "member", **fields):  # type: ignore[no-untyped-def]
        member = fields.pop("member", None) or factories.MemberFactory(role=role, **fields)
        with client.session_transaction() as sess:
            sess["_user_id"] = member.get_id()
            sess["_fresh"] = True
        return member

    return _login


@pytest.fixture
def csrf_enabled(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        yield
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


@contextmanager
def count_queries(engine) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """Collect the SQL statements run on `engine` inside the block."""
    statements: list[str] = []

    def _before(conn, cursor, statement, params, context, executemany):  # type: ignore[no-untyped-def]
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _before)


@pytest.fixture
def queries(app: Flask):  # type: ignore[no-untyped-def]
    """`with queries() as q: ...; assert len(q) <= N`"""
    return lambda: count_queries(_db.engine)


@pytest.fixture
def published(app: Flask, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every domain event published (after commit) during the test, in order."""
    from app.core.events import EventBus

    seen: list[object] = []
    original = EventBus.publish

    def _publish(self, evt):  # type: ignore[no-untyped-def]
        seen.append(evt)
        original(self, evt)

    monkeypatch.setattr(EventBus, "publish", _publish)
    return seen


def drain_events() -> int:
    """Run the worker's durable subscribers now, in the test's transaction."""
    from app.core.worker import drain

    return drain(time_budget=60.0)


@pytest.fixture
def mailbox(app: Flask, tmp_path) -> Callable[[], list]:  # type: ignore[no-untyped-def]
    """`mailbox()` runs the mail worker and returns every message it wrote, parsed."""
    import email
    from email import policy

    from app.notifications.mail import deliver_pending

    original = app.config["MAIL_FILE_DIR"]
    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")

    def _deliver() -> list:
        deliver_pending()
        folder = tmp_path / "mail"
        return [
            email.message_from_bytes(path.read_bytes(), policy=policy.default)
            for path in sorted(folder.glob("*.eml"))
        ]

    yield _deliver
    app.config["MAIL_FILE_DIR"] = original


def scratch_database(tmp_path, label: str) -> str:  # type: ignore[no-untyped-def]
    """A migrated database of its own, for tests whose processes really commit.

    SQLite: a file in `tmp_path`. PostgreSQL run: a database `<test db>_<label>_<xdist
    worker>` beside TEST_DATABASE_URL's, made anew, so real commits never reach the
    shared test database.
    """
    if os.environ.get("CERCLE_TEST_BACKEND") != "postgres":
        url = f"sqlite:///{tmp_path / label}.db"
    else:
        base = make_url(_test_database_url(str(tmp_path)))
        name = f"{base.database}_{label}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
        admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = base.set(database=name).render_as_string(hide_password=False)
    app = make_test_app(url)
    upgrade_schema(app)
    with app.app_context():
        _db.engine.dispose()
    return url
