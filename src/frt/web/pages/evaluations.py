"""The recorded evaluations (EVAL-01, EVAL-02; issue 12, item 12), for the SRO and the System
Engineers: each evaluation's headline figures, its DET plot (inline SVG from the curve recorded
with it) with the 1-in-1,000 False Alert Rate marked, and its per-group table where groups were
given. Figures only: an evaluation record holds no personal data."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select

from frt.eval.models import EvaluationRecord
from frt.eval.plot import FALSE_ALERT_RULE
from frt.eval.sample import small_sample
from frt.people.models import User
from frt.people.roles import Role
from frt.web.auth import Principal, require_role
from frt.web.charts import det_chart
from frt.web.panels import PanelLink, Site
from frt.web.templating import render
from frt.web.units import unit

router = APIRouter(include_in_schema=False)
READERS = (Role.SRO, Role.SYSTEM_ENGINEER)


def _groups(figures: dict) -> list[dict]:
    """Per-group rows at each recorded operating point (EVAL-02): TPIR and FPIR with their 95%
    intervals and whether a group differs significantly from the rest."""
    tables = []
    for point, table in sorted((figures.get("groups") or {}).items()):
        tpir_test = (table.get("tpir_difference") or {}).get("versus_rest_fisher", {})
        fpir_test = (table.get("fpir_difference") or {}).get("versus_rest_fisher", {})
        rows = [
            {
                "group": name,
                "tpir": rates.get("tpir") or {},
                "fpir": rates.get("fpir") or {},
                "tpir_differs": (tpir_test.get(name) or {}).get("significant", False),
                "fpir_differs": (fpir_test.get(name) or {}).get("significant", False),
            }
            for name, rates in sorted(table.get("groups", {}).items())
        ]
        tables.append(
            {"at_fpir": table.get("at_fpir"), "threshold": table.get("threshold"), "rows": rows}
        )
    return tables


@router.get("/eval", name="eval.index")
def evaluations_page(
    request: Request,
    evaluation: str | None = Query(None, max_length=32, alias="id"),
    who: Principal = Depends(require_role(*READERS)),
):
    with unit(request, who) as ctx:
        records = list(
            ctx.session.scalars(
                select(EvaluationRecord).order_by(EvaluationRecord.created_at.desc()).limit(200)
            )
        )
        chosen = next((r for r in records if r.id == evaluation), records[0] if records else None)
        by = ctx.session.get(User, chosen.created_by) if chosen and chosen.created_by else None
    figures = chosen.figures if chosen else {}
    det = figures.get("det") or {}
    return render(
        request,
        "eval/index.html",
        records=records,
        chosen=chosen,
        figures=figures,
        by=by,
        det=det_chart(det.get("fpir", []), det.get("fnir", []), FALSE_ALERT_RULE, "DET")
        if det
        else None,
        groups=_groups(figures),
        small=small_sample(figures, FALSE_ALERT_RULE) if chosen else None,
        small_of=lambda r: small_sample(r.figures, FALSE_ALERT_RULE),
        rule=FALSE_ALERT_RULE,
    )


def install(site: Site, _profile) -> None:
    """The evaluations page's link (the SRO's home panel links it too)."""
    site.add_nav("Evaluations", "/eval", READERS)
    panel = site.panels.get("engineer.systems")
    if panel is not None:  # the engineer's work list links the evaluations
        from dataclasses import replace

        site.add_panel(replace(panel, links=(*panel.links, PanelLink("Evaluations", "/eval"))))
