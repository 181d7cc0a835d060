"""`/api/users`: the accounts of this installation, for administrators (DATA-05)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel

from frt.audit import record
from frt.people.models import User
from frt.people.roles import Role
from frt.people.service import is_locked, list_users
from frt.web.auth import Principal, require_role, store_of

router = APIRouter(prefix="/api", tags=["users"])

ADMINISTRATORS = (Role.ADMINISTRATOR,)


class UserOut(BaseModel):
    id: str
    username: str
    display_name: str
    rank: str
    roles: list[str]
    disabled: bool
    locked: bool
    must_change_password: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            username=user.username,
            display_name=user.display_name,
            rank=user.rank,
            roles=sorted(user.roles_json),
            disabled=user.disabled,
            locked=is_locked(user),
            must_change_password=user.must_change_password,
            created_at=user.created_at,
        )


def users_listed(request: Request, who: Principal) -> list[UserOut]:
    """List every account; the listing is audited (it shows who may act on the system)."""
    with store_of(request).session() as db:
        users = [UserOut.of(u) for u in list_users(db)]
        record(db, who.actor, "user.list", detail={"count": len(users)})
    return users


@router.get("/users", name="users.list")
def users(
    request: Request, who: Principal = Depends(require_role(*ADMINISTRATORS))
) -> list[UserOut]:
    return users_listed(request, who)
