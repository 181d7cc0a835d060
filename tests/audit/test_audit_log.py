"""DATA-04: the audit log is append-only, hash-chained, tamper-evident, and its reading is audited."""

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from frt.audit import Actor, AuditAccessDenied, read, record, verify
from frt.audit.jobs import link_all
from frt.audit.models import AuditRecord

AUDITOR = Actor("u-auditor", "auditor")
OPERATOR = Actor("u-operator", "lfr_operator")


def _fill(store, n=5):
    with store.session() as s:
        for i in range(n):
            record(s, OPERATOR, "test.action", object_type="thing", object_id=f"t{i}")
    link_all(store)  # as `frt serve` does every few seconds


def _bypass_protection(conn):
    """What an attacker with the database owner's rights could do: switch the guard off."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER audit_records_no_update")
        conn.exec_driver_sql("DROP TRIGGER audit_records_no_delete")
    else:
        conn.exec_driver_sql("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only")


def _tamper(store, *statements):
    with store.engine.begin() as conn:
        _bypass_protection(conn)
        for sql in statements:
            conn.exec_driver_sql(sql)


@pytest.mark.req("DATA-04")
def test_an_intact_chain_verifies(store):
    _fill(store)
    with store.session() as s:
        result = verify(s, AUDITOR)
    assert result.ok and result.records == 5


@pytest.mark.req("DATA-04")
def test_an_edited_record_breaks_the_chain_where_it_was_edited(store):
    _fill(store)
    _tamper(store, "UPDATE audit_records SET outcome = 'refused' WHERE seq = 3")
    with store.session() as s:
        result = verify(s, AUDITOR)
    assert not result.ok and result.first_bad_seq == 3 and "edited" in result.problem


@pytest.mark.req("DATA-04")
def test_a_deleted_record_breaks_the_chain_where_it_was_removed(store):
    _fill(store)
    _tamper(store, "DELETE FROM audit_records WHERE seq = 2")
    with store.session() as s:
        result = verify(s, AUDITOR)
    assert not result.ok and result.first_bad_seq == 2 and "deleted" in result.problem


@pytest.mark.req("DATA-04")
def test_reordered_records_break_the_chain(store):
    _fill(store)
    # Swap records 2 and 4 by renumbering them (each keeps a valid hash of its own content).
    _tamper(
        store,
        "UPDATE audit_records SET seq = 1002 WHERE seq = 2",
        "UPDATE audit_records SET seq = 2 WHERE seq = 4",
        "UPDATE audit_records SET seq = 4 WHERE seq = 1002",
    )
    with store.session() as s:
        result = verify(s, AUDITOR)
    assert not result.ok and result.first_bad_seq == 2


@pytest.mark.req("DATA-04")
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_records SET outcome = 'x'", "DELETE FROM audit_records"]
)
def test_the_database_refuses_update_and_delete_of_audit_rows(store, sql):
    _fill(store, 2)
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as conn:
            conn.exec_driver_sql(sql)
    with store.session() as s:
        assert len(s.scalars(select(AuditRecord)).all()) == 2


def test_truncate_is_refused_on_postgresql(store):
    if store.engine.dialect.name != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL")
    _fill(store, 1)
    with pytest.raises(DBAPIError, match="append-only"):
        with store.engine.begin() as conn:
            conn.execute(text("TRUNCATE audit_records"))


@pytest.mark.req("DATA-04")
def test_reading_the_audit_log_is_itself_audited(store):
    _fill(store, 3)
    with store.session() as s:
        rows = read(s, AUDITOR, limit=10)
    assert rows[0].action == "audit.read" and rows[0].user_id == AUDITOR.user_id
    with store.session() as s:
        assert s.scalar(select(AuditRecord).order_by(AuditRecord.seq.desc())).action == "audit.read"


@pytest.mark.req("DATA-04", "DATA-05")
def test_only_authorised_roles_may_read_the_audit_log(store):
    with pytest.raises(AuditAccessDenied, match="may not read"):
        with store.session() as s:
            read(s, OPERATOR)


@pytest.mark.req("DATA-04")
def test_audit_records_hold_ids_not_personal_data(store):
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank

    with store.session() as s:
        user = create_user(
            s,
            Actor.system(),
            username="jsmith",
            display_name="Jane Smith",
            rank=Rank.SERGEANT,
            roles={Role.LFR_OPERATOR},
            password="correct horse battery",
        )
    with store.session() as s:
        rows = s.scalars(select(AuditRecord)).all()
    dumped = " ".join(f"{r.detail} {r.object_id}" for r in rows)
    assert user.id in dumped and "Jane" not in dumped and "jsmith" not in dumped
