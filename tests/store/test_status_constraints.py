"""Issue 9 item 7: status columns are constrained by the database itself (CHECK on PostgreSQL,
triggers on SQLite, added by migration 0012s), and SQLite reads do not take the write lock."""

from __future__ import annotations

import importlib.util
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from frt.governance.enums import (
    ApplicationStatus,
    AuthorityStatus,
    DeploymentState,
    ReportStatus,
    ReviewStatus,
)
from frt.lfr.enums import CameraState
from frt.people.models import User
from frt.rfr.enums import LibraryStatus, SearchStatus
from frt.store.db import MIGRATIONS, ReadOnlySession
from tests.governance.conftest import *  # noqa: F401,F403 (fixtures)

ENUMS = {
    ("lfr_applications", "status"): ApplicationStatus,
    ("lfr_documents", "review_status"): ReviewStatus,
    ("lfr_authorities", "status"): AuthorityStatus,
    ("lfr_deployments", "state"): DeploymentState,
    ("lfr_cancellation_reports", "status"): ReportStatus,
    ("rfr_libraries", "status"): LibraryStatus,
    ("rfr_searches", "status"): SearchStatus,
    ("lfr_cameras", "state"): CameraState,
}


def migration():
    path = MIGRATIONS / "versions" / "0012_scale.py"
    spec = importlib.util.spec_from_file_location("m0012_scale", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migrations_allowed_values_are_the_enums_values():
    allowed = migration().STATUS_COLUMNS
    assert set(allowed) == set(ENUMS)
    for column, enum in ENUMS.items():
        assert set(allowed[column]) == {e.value for e in enum}, column


def test_the_database_refuses_a_status_outside_the_list(store, authority):
    _, dep_id = authority()
    with store.engine.connect() as conn:
        with pytest.raises(IntegrityError):
            conn.execute(
                text("UPDATE lfr_deployments SET state = 'paused' WHERE id = :i"), {"i": dep_id}
            )
        conn.rollback()
        conn.execute(
            text("UPDATE lfr_deployments SET state = 'suspended' WHERE id = :i"), {"i": dep_id}
        )
        conn.rollback()


def test_a_read_transaction_does_not_wait_for_a_writer(store):
    if store.engine.dialect.name != "sqlite":
        pytest.skip("the write lock at BEGIN is SQLite's")
    with store.session() as writer:
        writer.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: this transaction holds the lock
        t0 = time.monotonic()
        with store.read() as reader:
            assert reader.execute(text("SELECT count(*) FROM users")).scalar() >= 0
        assert time.monotonic() - t0 < 2.0  # a BEGIN IMMEDIATE would wait 30 s and fail


def test_a_read_transaction_may_not_write(store):
    with pytest.raises(ReadOnlySession):
        with store.read() as reader:
            reader.add(User(username="x", display_name="x", rank="police_constable"))
            reader.flush()
