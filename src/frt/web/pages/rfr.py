"""RFR pages' shared parts: the navigation link, the home-page work lists (registered once, from
`register(profile)`, by `create_app`), the RFR index page, and the unit of work pages use."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.responses import RedirectResponse

from frt.core.actions import perform
from frt.people.roles import Role
from frt.rfr import libraries, worklists
from frt.rfr.models import RfrSearch
from frt.store.base import utcnow
from frt.web.auth import Principal, require_role, store_of
from frt.web.panels import HomePanel, PanelItem, PanelLink, Site
from frt.web.templating import render

router = APIRouter(include_in_schema=False)
RFR_ROLES = (
    Role.RFR_USER,
    Role.RFR_APPROVING_OFFICER,
    Role.SRO,
    Role.FR_OPERATIONAL_LEAD,
    Role.FR_TEAM,
)
PANELS = [  # key, role, title, empty
    (
        "rfr.requests",
        Role.RFR_USER,
        "Your RFR search requests",
        "You have no RFR search requests in progress.",
    ),
    (
        "rfr_ao.requests",
        Role.RFR_APPROVING_OFFICER,
        "RFR requests and libraries to decide",
        "No RFR search requests or libraries are waiting for you.",
    ),
    (
        "rfr_sro.libraries",
        Role.SRO,
        "RFR libraries to approve or review",
        "No Form 1 or library review is waiting for you.",
    ),
    (
        "rfr_lead.reviews",
        Role.FR_OPERATIONAL_LEAD,
        "RFR library reviews",
        "No reviews are waiting to be noted and none is overdue.",
    ),
    (
        "rfr_team.work",
        Role.FR_TEAM,
        "RFR technical advice and enrolment",
        "No technical advice is asked for and every approved library is enrolled.",
    ),
]


def act(request: Request, who: Principal, fn, *args, **kwargs):
    """`fn(ctx, …)` as the signed-in user in a unit of work of its own (an audited action)."""
    return perform(
        store_of(request), who.user.id, fn, *args, profile=request.app.state.policy, **kwargs
    )


async def act_async(request: Request, who: Principal, fn, *args, **kwargs):
    return await run_in_threadpool(act, request, who, fn, *args, **kwargs)


def back(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _items(role: Role):
    def items(ctx, _who) -> list[PanelItem]:
        fn = worklists.FOR_ROLE[role]
        kwargs = {"profile": ctx.profile} if role is Role.RFR_APPROVING_OFFICER else {}
        return [
            PanelItem(i.label, i.href, i.detail)
            for i in fn(ctx.session, ctx.user, ctx.now, **kwargs)
        ]

    return items


def install(site: Site, _profile) -> None:
    """The RFR link in the navigation and each RFR role's home-page work list (called once by
    `create_app`)."""
    site.add_nav("RFR", "/rfr", RFR_ROLES)
    for key, role, title, empty in PANELS:
        links = (PanelLink("RFR", "/rfr"), PanelLink("Libraries", "/rfr/libraries"))
        site.add_panel(
            HomePanel(
                key=key,
                role=role,
                title=title,
                empty=empty,
                items=_items(role),
                links=links,
                order=50,
            )
        )


@router.get("/rfr", name="rfr.index")
def index(request: Request, who: Principal = Depends(require_role(*RFR_ROLES))):
    with store_of(request).session() as s:
        mine = list(
            s.scalars(
                select(RfrSearch)
                .where(RfrSearch.searcher_id == who.user.id)
                .order_by(RfrSearch.created_at.desc())
                .limit(100)
            )
        )
        libs = [
            (lib, libraries.searchable(lib, utcnow()), libraries.image_count(s, lib.id))
            for lib in libraries.all_libraries(s)
        ]
        work = [
            (
                role,
                worklists.FOR_ROLE[role](
                    s,
                    s.get_one(type(who.user), who.user.id),
                    utcnow(),
                    **(
                        {"profile": request.app.state.policy}
                        if role is Role.RFR_APPROVING_OFFICER
                        else {}
                    ),
                ),
            )
            for role in worklists.FOR_ROLE
            if role in who.roles
        ]
    return render(request, "rfr/index.html", mine=mine, libs=libs, work=work, Role=Role)
