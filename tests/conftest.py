"""Shared fixtures: a fresh, migrated store per test on SQLite or, with FRT_DATABASE_URL set to a
PostgreSQL server, on PostgreSQL (CI runs the suite both ways). Also the traceability recorder."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from frt.app import open_store
from frt.audit import Actor, record
from frt.settings import Settings
from frt.store.db import make_engine, upgrade

pytest_plugins = ["tests.traceability_plugin"]

PG_URL = os.environ.get("FRT_DATABASE_URL", "")
ON_POSTGRES = PG_URL.startswith("postgresql")


@pytest.fixture(scope="session")
def db_template(tmp_path_factory):
    """A migrated database to copy for each test: a SQLite file, or a PostgreSQL template DB."""
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp("template") / "frt.sqlite3"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        engine.dispose()
        yield path
        return
    name = f"frt_tpl_{uuid.uuid4().hex[:10]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_pg_url(name))
    upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pg_admin():
    from sqlalchemy import create_engine

    return create_engine(PG_URL, isolation_level="AUTOCOMMIT")


def _pg_url(database: str) -> str:
    return make_url(PG_URL).set(database=database).render_as_string(hide_password=False)


@pytest.fixture
def settings(tmp_path, db_template, monkeypatch):
    """Settings for a brand-new installation whose database is a copy of the template."""
    for var in ("FRT_SECRET_KEY", "FRT_DATABASE_URL", "FRT_DATA_DIR"):
        monkeypatch.delenv(var, raising=False)
    data_dir = tmp_path / "var"
    data_dir.mkdir()
    if not ON_POSTGRES:
        shutil.copy(db_template, data_dir / "frt.sqlite3")
        yield Settings(data_dir, f"sqlite:///{data_dir / 'frt.sqlite3'}", "mps", None)
        return
    name = f"frt_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{db_template}"'))
    yield Settings(data_dir, _pg_url(name), "mps", None)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def store(settings):
    s = open_store(settings, migrate=False)  # as every process opens it (frt.app): wired
    yield s
    s.dispose()


@contextmanager
def setup_session(store) -> Iterator[Session]:
    """A transaction for a test's own set-up writes, audited as such (the store refuses a
    change without an audit record: frt.core.invariant)."""
    with store.session() as session:
        yield session
        record(session, Actor.system("test"), "test.setup")


@pytest.fixture
def data_root(tmp_path) -> Path:
    return tmp_path
