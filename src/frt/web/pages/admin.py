"""Administration pages: the list of accounts (read-only for now; `frt users` changes them)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from frt.people.roles import Role
from frt.policy.ranks import Rank
from frt.web.api.users import ADMINISTRATORS, users_listed
from frt.web.auth import Principal, require_role
from frt.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/admin/users", name="users.page")
def users_page(request: Request, who: Principal = Depends(require_role(*ADMINISTRATORS))):
    users = users_listed(request, who)
    return render(request, "users.html", users=users, Role=Role, Rank=Rank)
