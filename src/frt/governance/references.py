"""Numbered references ("LFR-2026-0007", "LFR-2026-0007-A2") that two people cannot share.

Counting rows gives two applicants who submit at once the same number (on PostgreSQL both
transactions count the same rows). Instead each reference takes the next value of a named
counter (`gov_counters`) with one atomic `INSERT … ON CONFLICT DO UPDATE … RETURNING` in the
caller's transaction: on PostgreSQL the counter's row stays locked until that transaction ends,
so a second caller waits and gets the next number; on SQLite writers are serial already
(`BEGIN IMMEDIATE`). A counter seen for the first time starts after the rows that already exist.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from frt.governance.oversight_models import Counter


def next_value(session: Session, name: str, *, existing: int = 0) -> int:
    """The next value of counter `name`; a new counter starts at `existing + 1`."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        insert = postgresql.insert(Counter)
    elif dialect == "sqlite":
        insert = sqlite.insert(Counter)  # type: ignore[assignment]  # the same upsert API
    else:  # pragma: no cover - FRT supports these two
        raise RuntimeError(f"no atomic counter for {dialect}")
    stmt = (
        insert.values(name=name, value=existing + 1)
        .on_conflict_do_update(index_elements=[Counter.name], set_={"value": Counter.value + 1})
        .returning(Counter.value)
    )
    return session.execute(stmt).scalar_one()


def application_reference(session: Session, year: int) -> str:
    from frt.governance.models import Application

    prefix = f"LFR-{year}-"
    existing: int | None = 0
    if session.get(Counter, f"application:{year}") is None:  # first use: after existing rows
        existing = session.scalar(
            select(func.count()).where(Application.reference.like(prefix + "%"))
        )
    return f"{prefix}{next_value(session, f'application:{year}', existing=existing or 0):04d}"


def authority_reference(session: Session, application) -> str:
    from frt.governance.models import Authority

    name = f"authority:{application.id}"
    existing: int | None = 0
    if session.get(Counter, name) is None:
        existing = session.scalar(
            select(func.count()).where(Authority.application_id == application.id)
        )
    return f"{application.reference}-A{next_value(session, name, existing=existing or 0)}"
