"""Who did it, in words (issue 12, item 9): a user's rank and name rather than their id, and the
command line with the login of the person who ran it ("command line (jbloggs)")."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session


def who_did(session: Session, records) -> dict[int, str]:
    """{record seq: who} for audit records."""
    from frt.people.models import User

    ids = {r.user_id for r in records if r.user_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    out = {}
    for r in records:
        user = users.get(r.user_id) if r.user_id else None
        if user is not None:
            out[r.seq] = f"{user.display_name} ({user.username})"
        elif r.user_id:
            out[r.seq] = "a deleted user"
        else:
            out[r.seq] = system_name(r.role)
    return out


def system_name(role: str) -> str:
    if role.startswith("cli:"):
        return f"command line ({role[4:]})"
    if role == "cli":
        return "command line"
    return f"system ({role})"
