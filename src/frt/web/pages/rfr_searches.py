"""Search pages (`/rfr/searches…`): the probe and its faces, the Form 3, approvals, the
progressive search, candidates and their Adjudication, Match Reports and dissemination.

The search page shows its probe with the faces found drawn as numbered boxes (SVG: no inline
styles, no script); the user ticks the relevant face(s). Every image on these pages is served by
an audited action: the probe, a face, a candidate's library image, a Match Report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import APIRouter, Depends, File, Request, UploadFile
from starlette.responses import Response

from frt.people.models import User
from frt.people.roles import Role
from frt.rfr import libraries, results, searches
from frt.rfr import report as match_report
from frt.rfr.enums import AgeBand, Ground, PreCheck, Purpose, SubjectStatus
from frt.rfr.models import RfrCandidate, RfrLibrary, RfrMatchReport
from frt.store.base import utcnow
from frt.web.auth import Principal, require_role, store_of
from frt.web.limits import MULTIPART_MARGIN
from frt.web.pages.rfr import act, act_async, back
from frt.web.templating import render

router = APIRouter(include_in_schema=False)
USER = require_role(Role.RFR_USER)
SEERS = (Role.RFR_USER, Role.RFR_APPROVING_OFFICER)
VIEWERS = (Role.RFR_USER, Role.RFR_APPROVING_OFFICER, Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD)
UPLOAD_BYTES = (
    max(searches.probe_faces.MAX_CLIP_BYTES, searches.probe_faces.MAX_STILL_BYTES)
    + MULTIPART_MARGIN
)
CHOICES = {
    "purposes": list(Purpose),
    "grounds": list(Ground),
    "statuses": list(SubjectStatus),
    "ages": list(AgeBand),
    "checks": list(PreCheck),
}
TEXT = (
    "status_rationale",
    "source",
    "legal_basis",
    "pre_checks_note",
    "urgency_rationale",
    "necessity",
    "proportionality",
    "search_all_rationale",
    "case_reference",
)


@dataclass
class Page:
    search: object
    images: list
    faces: list
    needs: list
    approvals: list
    advice: list
    steps: list
    candidates: list
    reports: list
    shared: list
    libraries: list  # (library, searchable decision, in access) the user may list
    listed: list  # the Form 3's libraries
    names: dict
    may_step: object
    next_level: int | None
    is_searcher: bool
    sees_results: bool
    cache: list = field(default_factory=list)  # Unresolved Crime Cache entries (003 §6)
    may_decide_cache: bool = False
    outside: list = field(default_factory=list)  # decisions outside policy (003 §12.3)


def _label(value: str) -> str:
    from frt.rfr.enums import _LABELS

    return _LABELS.get(value, value.replace("_", " "))


@router.post("/rfr/searches", name="rfr.search.create")
async def create(request: Request, who: Principal = Depends(USER)):
    form = await request.form()
    search = await act_async(request, who, searches.create, str(form.get("case_reference", "")))
    return back(f"/rfr/searches/{search.id}")


def _page(request: Request, who: Principal, search_id: str) -> Page:
    search = act(request, who, searches.view, search_id)
    is_searcher = search.searcher_id == who.user.id
    store = store_of(request)
    with store.session() as s:
        user = s.get_one(User, who.user.id)
        steps = searches.steps_of(s, search.id)
        approvals = searches.approvals_of(s, search.id)
        sees = is_searcher or any(a.decided_by == user.id for a in approvals)
        libs = [
            (lib, libraries.searchable(lib, utcnow()), libraries.within_access(lib, user))
            for lib in libraries.all_libraries(s)
        ]
        listed = [s.get(RfrLibrary, i) for i in search.library_ids or []]
        from frt.core.context import Ctx

        ctx = Ctx(s, user, request.app.state.policy, store.cipher, utcnow())
        may_step, level = searches.next_levels(ctx, search) if listed else (None, None)
        page = Page(
            search,
            searches.probe_images(s, search.id),
            searches.all_faces(s, search.id),
            searches.needs_of(search),
            approvals,
            searches.advice_of(s, search.id),
            steps,
            [],
            results.reports_of(s, search.id),
            results.disseminations_of(s, search.id),
            libs,
            listed,
            {u.id: u.display_name for u in s.query(User)},
            may_step,
            level,
            is_searcher,
            sees,
        )
        from frt.rfr import cache, outside_policy

        page.cache = cache.entries_of(s, search.id)
        page.outside = outside_policy.decisions_of(s, search.id)
        page.may_decide_cache = (
            not is_searcher
            and user.has_role(Role.RFR_APPROVING_OFFICER)
            and user.rank_enum.at_least(request.app.state.policy.rfr.cache_approver_min_rank.value)
        )
    if sees and steps:
        page.candidates = act(request, who, results.candidate_list, search.id)
    return page


@router.get("/rfr/searches/{search_id}", name="rfr.search")
def search_page(request: Request, search_id: str, who: Principal = Depends(require_role(*VIEWERS))):
    page = _page(request, who, search_id)
    offences = request.app.state.policy.rfr.offences.value
    return render(
        request,
        "rfr/search.html",
        p=page,
        s=page.search,
        Role=Role,
        label=_label,
        choices=CHOICES,
        grounds=list(Ground),
        offences=offences,
        levels=request.app.state.policy.rfr.approval_image_levels,
    )


@router.post(
    "/rfr/searches/{search_id}/probe", name="rfr.search.upload", max_body_size=UPLOAD_BYTES
)
async def upload(
    request: Request, search_id: str, file: UploadFile = File(...), who: Principal = Depends(USER)
):
    data = await file.read()
    await act_async(request, who, searches.upload, search_id, data)
    return back(f"/rfr/searches/{search_id}#faces")


@router.post("/rfr/searches/{search_id}/faces", name="rfr.search.faces")
async def select_faces(request: Request, search_id: str, who: Principal = Depends(USER)):
    form = await request.form()
    await act_async(
        request, who, searches.select_faces, search_id, [str(v) for v in form.getlist("face_id")]
    )
    return back(f"/rfr/searches/{search_id}#form3")


@router.post("/rfr/searches/{search_id}/form", name="rfr.search.form")
async def form3(request: Request, search_id: str, who: Principal = Depends(USER)):
    form = await request.form()
    fields: dict = {k: str(form.get(k, "")) for k in TEXT if k in form}
    for key in ("purposes", "grounds", "pre_checks", "library_ids"):
        fields[key] = [str(v) for v in form.getlist(key)]
    for key in ("urgent", "disability", "gender_reassignment", "collection", "search_all"):
        fields[key] = form.get(key) == "on"
    for key in ("subject_status", "age_band", "offence"):
        if key in form:
            fields[key] = str(form.get(key))
    if form.get("probe_level"):
        fields["probe_level"] = str(form.get("probe_level"))
    if form.get("probe_level_doubt"):
        fields["probe_level_doubt"] = [str(form.get("probe_level_doubt"))]
    await act_async(request, who, searches.fill, search_id, **fields)
    if form.get("then") == "submit":
        await act_async(request, who, searches.submit, search_id)
    return back(f"/rfr/searches/{search_id}")


@router.post("/rfr/searches/{search_id}/advice", name="rfr.search.advice")
async def advise(
    request: Request,
    search_id: str,
    who: Principal = Depends(require_role(Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD)),
):
    form = await request.form()
    await act_async(request, who, searches.advise, search_id, str(form.get("advice", "")))
    return back(f"/rfr/searches/{search_id}")


@router.post("/rfr/searches/{search_id}/decision", name="rfr.search.decide")
async def decide(
    request: Request,
    search_id: str,
    who: Principal = Depends(require_role(Role.RFR_APPROVING_OFFICER)),
):
    form = await request.form()
    await act_async(
        request,
        who,
        searches.decide,
        search_id,
        form.get("outcome") == "approve",
        str(form.get("note", "")),
    )
    return back(f"/rfr/searches/{search_id}")


@router.post("/rfr/searches/{search_id}/steps", name="rfr.search.run")
async def run_step(request: Request, search_id: str, who: Principal = Depends(USER)):
    form = await request.form()
    await act_async(
        request, who, searches.run_step, search_id, search_all=form.get("search_all") == "yes"
    )
    return back(f"/rfr/searches/{search_id}#candidates")


@router.post("/rfr/searches/{search_id}/no-viable-match", name="rfr.search.no_match")
async def no_match(request: Request, search_id: str, who: Principal = Depends(USER)):
    form = await request.form()
    await act_async(request, who, searches.record_no_match, search_id, str(form.get("note", "")))
    return back(f"/rfr/searches/{search_id}")


@router.post("/rfr/candidates/{candidate_id}/adjudication", name="rfr.candidate.adjudicate")
async def adjudicate(request: Request, candidate_id: str, who: Principal = Depends(USER)):
    form = await request.form()
    cand = await act_async(
        request,
        who,
        results.adjudicate,
        candidate_id,
        form.get("adjudication") == "viable_match",
        str(form.get("note", "")),
    )
    return back(f"/rfr/searches/{cand.search_id}#cand-{cand.id}")


@router.post("/rfr/candidates/{candidate_id}/report", name="rfr.candidate.report")
async def make_report(request: Request, candidate_id: str, who: Principal = Depends(USER)):
    report = await act_async(request, who, results.make_report, candidate_id)
    return back(f"/rfr/reports/{report.id}")


# ---------------------------------------------------------------- images and reports (audited)
@router.get("/rfr/probe-images/{probe_image_id}", name="rfr.probe.image")
def probe_image(
    request: Request, probe_image_id: str, who: Principal = Depends(require_role(*VIEWERS))
):
    data, media_type = act(request, who, searches.probe_bytes, probe_image_id)
    return Response(data, media_type=media_type)


@router.get("/rfr/faces/{face_id}/crop.png", name="rfr.face.crop")
def face_crop(request: Request, face_id: str, who: Principal = Depends(require_role(*SEERS))):
    return Response(act(request, who, searches.face_png, face_id), media_type="image/png")


@router.get("/rfr/candidates/{candidate_id}/image", name="rfr.candidate.image")
def candidate_image(
    request: Request, candidate_id: str, who: Principal = Depends(require_role(*SEERS))
):
    data = act(request, who, results.candidate_image, candidate_id)
    return Response(data, media_type="image/png" if data.startswith(b"\x89PNG") else "image/jpeg")


@router.get("/rfr/reports/{report_id}", name="rfr.report")
def report_page(request: Request, report_id: str, who: Principal = Depends(require_role(*SEERS))):
    row = act(request, who, results.view_report, report_id, "html")
    with store_of(request).session() as s:
        report = s.get_one(RfrMatchReport, row.id)
        view = match_report.view(s, report)
        cand = s.get(RfrCandidate, report.candidate_id)
        shared = [
            d for d in results.disseminations_of(s, report.search_id) if d.report_id == report.id
        ]
        names = {u.id: u.display_name for u in s.query(User)}
        is_searcher = s.get_one(searches.RfrSearch, report.search_id).searcher_id == who.user.id
    return render(
        request,
        "rfr/report.html",
        v=view,
        report=report,
        cand=cand,
        shared=shared,
        names=names,
        is_searcher=is_searcher,
        shareable=results.SHAREABLE,
    )


@router.get("/rfr/reports/{report_id}/pdf", name="rfr.report.pdf")
def report_pdf(request: Request, report_id: str, who: Principal = Depends(require_role(*SEERS))):
    store = store_of(request)
    row = act(request, who, results.view_report, report_id, "pdf")
    with store.session() as s:
        report = s.get_one(RfrMatchReport, row.id)
        data = match_report.pdf(
            match_report.view(s, report), *match_report.images(s, store.cipher, report)
        )
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{row.reference}.pdf"'},
    )


@router.post("/rfr/reports/{report_id}/disseminations", name="rfr.report.share")
async def disseminate(request: Request, report_id: str, who: Principal = Depends(USER)):
    form = await request.form()
    await act_async(
        request,
        who,
        results.disseminate,
        report_id,
        str(form.get("recipient", "")),
        str(form.get("legal_basis", "")),
        [str(v) for v in form.getlist("shared")],
        form.get("caveat_attached") == "on",
        outside_force=form.get("outside_force") == "on",
        safeguards_obliged=form.get("safeguards_obliged") == "on",
    )
    return back(f"/rfr/reports/{report_id}")
