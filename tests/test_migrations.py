"""The migrations, run on an empty database, make exactly the models' schema.

They are upgraded to every head, so migrations added later are checked too; they also
downgrade to nothing and upgrade again. SQLite always; PostgreSQL too when the suite runs
against it (CERCLE_TEST_BACKEND=postgres or TEST_DATABASE_URL), in a throwaway database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import ROOT
from app.extensions import db
from tests.conftest import make_test_app


def _postgres_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return None
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_app(request, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """An app on a brand-new empty database of each backend."""
    if request.param == "sqlite":
        yield make_test_app(f"sqlite:///{tmp_path / 'migrations.db'}")
        return
    base = _postgres_url()
    if base is None:
        pytest.skip("PostgreSQL: set TEST_DATABASE_URL to check the migrations on it")
    name = f"cercle_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    app = make_test_app(make_url(base).set(database=name).render_as_string(hide_password=False))
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _differences(app: Flask) -> list:  # type: ignore[type-arg]
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": False}
        )
        return compare_metadata(context, db.metadata)


def _tables(app: Flask) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_have_a_single_head() -> None:
    from alembic.config import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"migrations branch ({heads}): add a merge migration"


def test_upgrading_an_empty_database_gives_the_models_schema(empty_app: Flask) -> None:
    # The comparison is against real models (empty metadata would compare equal to nothing).
    assert {"members", "interests", "audit_entries"} <= set(db.metadata.tables)
    assert _tables(empty_app) == set()
    with empty_app.app_context():
        upgrade(revision="heads")
    assert _differences(empty_app) == []
    assert _tables(empty_app) == set(db.metadata.tables)


def test_downgrade_to_base_then_upgrade_again_gives_the_models_schema(empty_app: Flask) -> None:
    with empty_app.app_context():
        upgrade(revision="heads")
    assert _tables(empty_app) == set(db.metadata.tables)
    with empty_app.app_context():
        downgrade(revision="base")
    assert _tables(empty_app) == set()
    with empty_app.app_context():
        upgrade(revision="heads")
    assert _differences(empty_app) == []
