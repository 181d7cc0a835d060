"""The register of Deployments (GOV-13, 000 §13.6) and the public transparency data (GOV-14).

The register is internal: it names the AO and command team with their ranks (000 §13.6(a)).
The public data holds the twelve figures of 004 §9.6 per Deployment and nothing else: no names,
no references of subjects, no internal ids beyond the authority's reference (004 §9.7). Only
Deployments whose cancellation report was submitted are published, so every figure is final.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.text import csv_rows
from frt.governance.command import team_of
from frt.governance.deployments import finished_at
from frt.governance.models import Authority, Deployment
from frt.governance.oversight_models import CommandAppointment
from frt.governance.reports import deployment_metrics, report_for
from frt.governance.watchlists import composition, watchlist_for
from frt.people.models import User
from frt.people.roles import Role

# Who reads the register of Deployments (000 §13.6): it names the AO and command team.
REGISTER_READERS = (
    Role.AUTHORISING_OFFICER,
    Role.GOLD,
    Role.SILVER,
    Role.SRO,
    Role.DPO,
    Role.AUDITOR,
)
WHOLE_REGISTER = (Role.AUTHORISING_OFFICER, Role.SRO, Role.DPO, Role.AUDITOR)


def _person(session: Session, user_id: str) -> str:
    user = session.get(User, user_id)
    return f"{user.rank_enum.label} {user.display_name}" if user else "unknown"


def _duration_hours(dep: Deployment) -> float:
    start = dep.started_at or dep.starts_at
    end = dep.finished_at or dep.ends_at
    return round(max(0.0, (end - start).total_seconds() / 3600), 2)


@action("lfr.register.read", roles=REGISTER_READERS, touches="lfr_register", reads=True)
def read_register(ctx: Ctx) -> list[dict]:
    """GOV-13: the register, read by a person (the read is audited: it names officers).

    AOs and oversight (SRO, DPO, auditor) read every row; a Gold or Silver reads the rows of the
    Authorities they hold a post in (hardening item 2)."""
    rows = register(ctx.session)
    if set(ctx.user.roles_json) & {r.value for r in WHOLE_REGISTER}:
        return rows
    mine = set(
        ctx.session.scalars(
            select(CommandAppointment.authority_id).where(
                CommandAppointment.user_id == ctx.user.id, CommandAppointment.ended_at.is_(None)
            )
        )
    )
    ctx.note(rows="own")
    return [row for row in rows if row["authority_id"] in mine]


def register(session: Session) -> list[dict]:
    """GOV-13: one row per Deployment, newest first."""
    rows = []
    for dep in session.scalars(select(Deployment).order_by(Deployment.starts_at.desc())):
        auth = dep.authority
        watchlist = watchlist_for(session, dep.id)
        metrics = deployment_metrics(session, dep)
        report = report_for(session, auth.id)
        rows.append(
            {
                "deployment_id": dep.id,
                "authority_id": auth.id,
                "authority": auth.reference,
                "authorising_officer": _person(session, auth.authorising_officer_id),
                "command_team": [
                    f"{a.role.replace('_', ' ').title()}: {_person(session, a.user_id)}"
                    for a in team_of(session, auth.id)
                ],
                "date": dep.starts_at.date().isoformat(),
                "time": f"{dep.starts_at:%H:%M}–{dep.ends_at:%H:%M} UTC",
                "starts_at": dep.starts_at,
                "ends_at": dep.ends_at,
                "duration_hours": _duration_hours(dep),
                "locality": dep.location.locality,
                "state": dep.state,
                "watchlist": composition(session, watchlist.id if watchlist else None),
                "alerts": None
                if metrics is None
                else {
                    "alerts": metrics.alerts,
                    "true_confirmed": metrics.true_alerts_confirmed,
                    "true_unconfirmed": metrics.true_alerts_unconfirmed,
                    "false_confirmed": metrics.false_alerts_confirmed,
                    "false_unconfirmed": metrics.false_alerts_unconfirmed,
                },
                "engagements": None
                if metrics is None
                else {
                    "engaged": metrics.alerts_engaged,
                    "not_engaged": metrics.alerts_not_engaged,
                    "outcomes": metrics.police_action_outcomes,
                    "not_from_alert": len(metrics.non_alert_engagements),
                },
                "report": report.status if report else "not started",
            }
        )
    return rows


@dataclass(frozen=True)
class PublicDeployment:
    """004 §9.6 (1)–(12): what the public is told about one Deployment."""

    reference: str
    location: str  # (1)
    date: str  # (2)
    duration_hours: float  # (3)
    assets: int  # (4) number of LFR assets
    style: str  # (4) style of deployment
    watchlist_subjects: int  # (5)
    minimum_threshold: float  # (6) as authorised
    threshold_used: float | None  # (6) the Threshold the Deployment alerted at
    threshold_note: str  # how it was set ("small sample", "training") where so
    alerts: int  # (7)
    alerts_without_outcome: int  # (7) not adjudicated, or never called true or false
    true_alerts_confirmed: int  # (8)
    true_alerts_unconfirmed: int  # (8)
    false_alerts_confirmed: int  # (9)
    false_alerts_unconfirmed: int  # (9)
    false_alert_rate: float | None  # (10)
    policing_outcomes: int  # (11)
    faces_scanned: int  # (12)


FIELDS = list(PublicDeployment.__dataclass_fields__)


def public_deployments(session: Session) -> list[PublicDeployment]:
    rows = []
    authorities = session.scalars(
        select(Authority).where(Authority.parent_id.is_(None)).order_by(Authority.starts_at.desc())
    )
    for auth in authorities:
        if finished_at(auth) is None and report_for(session, auth.id) is None:
            continue
        for n, dep in enumerate(auth.deployments, start=1):
            m = deployment_metrics(session, dep)
            if m is None:
                continue
            rows.append(
                PublicDeployment(
                    reference=f"{auth.reference}/{n}",
                    location=dep.location.locality,
                    date=dep.starts_at.date().isoformat(),
                    duration_hours=_duration_hours(dep),
                    assets=dep.camera_count,
                    style=", ".join(s.replace("_", " ") for s in dep.styles) or "not recorded",
                    watchlist_subjects=m.watchlist_individuals,
                    minimum_threshold=auth.min_threshold,
                    threshold_used=m.operating_threshold,
                    threshold_note=_public_note(m.threshold_note),
                    alerts=m.alerts,
                    alerts_without_outcome=m.alerts_without_outcome,
                    true_alerts_confirmed=m.true_alerts_confirmed,
                    true_alerts_unconfirmed=m.true_alerts_unconfirmed,
                    false_alerts_confirmed=m.false_alerts_confirmed,
                    false_alerts_unconfirmed=m.false_alerts_unconfirmed,
                    false_alert_rate=m.false_alert_rate,
                    policing_outcomes=m.policing_outcomes,
                    faces_scanned=m.faces_scanned,
                )
            )
    return rows


def _public_note(note: str) -> str:
    """What the public is told of how the Threshold was set: small sample, training, or ''."""
    parts = []
    if "small sample" in note:
        parts.append("set by a small-sample evaluation")
    if "training installation" in note:
        parts.append("training installation: minimum Threshold, not evaluated")
    return "; ".join(parts)


def public_json(session: Session) -> list[dict]:
    return [asdict(r) for r in public_deployments(session)]


def public_csv(session: Session) -> str:
    """GOV-14 as CSV, each text cell neutralised for spreadsheets (`frt.core.text.csv_cell`): the
    page needs no login, and a locality typed as `=HYPERLINK(…)` must reach readers as text."""
    rows = []
    for row in public_deployments(session):
        data = asdict(row)
        data["threshold_used"] = "" if row.threshold_used is None else row.threshold_used
        data["false_alert_rate"] = (
            "" if row.false_alert_rate is None else f"{row.false_alert_rate:.6f}"
        )
        rows.append(data)
    return csv_rows(FIELDS, rows)
