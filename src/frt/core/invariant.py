"""The audit invariant, enforced by the database session itself (DATA-04; DESIGN invariant 3):
a transaction that changes data commits only if it also appends an audit record.

Every unit of work of a guarded store is watched: the tables it inserts into, updates or deletes
from (through the ORM or a bulk statement) are noted, and at commit a change with no audit record
beside it raises `UnauditedChange` — the transaction rolls back, and the gap is a failing test,
not a silent hole in the record. The few tables written as bookkeeping rather than as anyone's
action are named below with the reason.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction

from frt.core.errors import UnauditedChange

AUDIT_TABLE = "audit_records"

# Bookkeeping, not actions: each with why an audit record per write would be wrong.
EXEMPT: dict[str, str] = {
    "audit_links": "the sequencer's links of committed audit records into the keyed chain: "
    "part of the audit log itself (frt.audit.chain)",
    "store_meta": "the key check and schema facts written when an installation is first opened",
    "lfr_camera_counters": "a camera's running counts, flushed every few seconds by its worker; "
    "the Deployment's totals are audited when it ends",
    "lfr_counter_samples": "the same running counts kept over time for the metrics page's charts",
    "lfr_workers": "a camera worker's heartbeat every few seconds (frt.lfr.leases); the cameras "
    "it claims and releases are audited",
}

# Bookkeeping columns of tables that are otherwise changed only by actions.
EXEMPT_COLUMNS: dict[tuple[str, str], str] = {
    ("lfr_devices", "last_seen_at"): "when an enrolled handheld device last called in",
    ("lfr_cameras", "heartbeat_at"): "the lease holder's heartbeat (frt.lfr.leases)",
    ("lfr_cameras", "position"): "how far the lease holder has got, with its heartbeat",
}

_WRITES = "frt.writes"
_AUDITED = "frt.audited"


def guard_store(store) -> None:
    """Watch every session `store` makes (idempotent)."""
    if getattr(store, "_audit_guarded", False):
        return
    event.listen(store.sessions, "after_flush", _after_flush)
    event.listen(store.sessions, "do_orm_execute", _on_execute)
    event.listen(store.sessions, "before_commit", _before_commit)
    event.listen(store.sessions, "after_commit", _forget)
    event.listen(store.sessions, "after_rollback", _forget)
    store._audit_guarded = True


def unaudited_tables(session: Session) -> set[str]:
    """Tables this transaction changed so far without an audit record beside them."""
    if session.info.get(_AUDITED):
        return set()
    return set(session.info.get(_WRITES, ())) - set(EXEMPT)


def _note(session: Session, tables) -> None:
    writes = session.info.setdefault(_WRITES, set())
    for table in tables:
        if table == AUDIT_TABLE:
            session.info[_AUDITED] = True
        else:
            writes.add(table)


def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    # The lists and attribute histories still show what this flush wrote.
    changed = [*session.new, *session.deleted]
    changed += [obj for obj in session.dirty if _changed_columns(obj)]
    _note(session, {obj.__table__.name for obj in changed})


def _changed_columns(obj) -> set[str]:
    """The columns of `obj` this flush changed, bookkeeping columns left out."""
    table = obj.__table__.name
    return {
        attr.key
        for attr in inspect(obj).attrs
        if attr.history.has_changes() and (table, attr.key) not in EXEMPT_COLUMNS
    }


def _on_execute(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if table is not None:
            _note(state.session, [table.name])


def _before_commit(session: Session) -> None:
    session.flush()  # what is still pending is part of this commit too
    missing = unaudited_tables(session)
    if missing:
        raise UnauditedChange(
            "a change to " + ", ".join(sorted(missing)) + " was about to be committed without "
            "an audit record (DATA-04): every change is an action that audits itself"
        )


def _forget(session: Session) -> None:
    session.info.pop(_WRITES, None)
    session.info.pop(_AUDITED, None)
