"""The cancellation report (Form 1 Part 3): SOP 11.3 (a)–(i) per Deployment and Gold's evaluation.

Metrics come from the system's own records through `MetricsProvider`s. Governance supplies the
default provider: the Watchlist composition (a) from the import records. Everything the live
runtime counts — faces templated, Alerts, Engagements and outcomes — is supplied by `frt.lfr`
supplying its own provider (`frt.app.build` passes both in); without it those figures are honest
zeros and each metric's `methods` entry says so. Nothing is ever estimated or invented.

The report is due to the AO within the profile's days of the last Deployment (GOV-12) and is
listed as overdue after that; once submitted it feeds the register and the public page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance.deployments import series_finished_at
from frt.governance.enums import ReportStatus
from frt.governance.models import Authority, Deployment
from frt.governance.notices import notify
from frt.governance.watchlist_models import CancellationReport
from frt.governance.watchlists import composition, watchlist_for
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.policy.access import object_access
from frt.policy.lfr_rules import report_due, report_evaluated, report_overdue

NOT_RECORDED = "not recorded: no live-runtime records for this Deployment (0)"


@dataclass
class ReportMetrics:
    """SOP 11.3 (a)–(i) for one Deployment, plus what GOV-14 publishes; counts only."""

    watchlist_individuals: int = 0  # (a)
    watchlist_images: int = 0  # (a)
    faces_templated: int = 0  # (b) faces of sufficient quality to search
    alerts: int = 0  # (c)
    alerts_not_engaged: int = 0  # (d)
    alerts_engaged: int = 0  # (e)
    true_alerts_confirmed: int = 0  # (f)
    true_alerts_unconfirmed: int = 0
    false_alerts_confirmed: int = 0
    false_alerts_unconfirmed: int = 0
    correct_engaged_no_further_action: int = 0  # (g)
    police_action_outcomes: dict[str, int] = field(default_factory=dict)  # (h)
    non_alert_engagements: list[dict] = field(default_factory=list)  # (i) {reason, outcome}
    faces_scanned: int = 0  # GOV-14 (12): faces detected and compared
    operating_threshold: float | None = None  # GOV-14 (6): the Threshold the Deployment used
    threshold_note: str = ""  # how it was set; "small sample" or "training" where so
    methods: dict[str, str] = field(default_factory=dict)  # how each figure was obtained

    @property
    def false_alerts(self) -> int:
        return self.false_alerts_confirmed + self.false_alerts_unconfirmed

    @property
    def false_alert_rate(self) -> float | None:
        """System False Alert Rate: false Alerts per face scanned (004 §14.4); None if none scanned."""
        return self.false_alerts / self.faces_scanned if self.faces_scanned else None

    @property
    def alerts_without_outcome(self) -> int:
        """Alerts nobody adjudicated, or whose outcome was never called true or false."""
        called = (
            self.true_alerts_confirmed
            + self.true_alerts_unconfirmed
            + self.false_alerts_confirmed
            + self.false_alerts_unconfirmed
        )
        return max(0, self.alerts - called)

    @property
    def policing_outcomes(self) -> int:
        return sum(self.police_action_outcomes.values())

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ReportMetrics:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


class MetricsProvider(Protocol):
    """Adds what its part of the system recorded about a Deployment to `metrics`."""

    name: str

    def contribute(self, session: Session, deployment_id: str, metrics: ReportMetrics) -> None: ...


class GovernanceRecords:
    """The default provider: Watchlist composition from the import records (11.3(a))."""

    name = "governance"

    def contribute(self, session: Session, deployment_id: str, metrics: ReportMetrics) -> None:
        watchlist = watchlist_for(session, deployment_id)
        stats = composition(session, watchlist.id if watchlist else None)
        metrics.watchlist_individuals = stats["individuals"]
        metrics.watchlist_images = stats["images"]
        metrics.methods["a"] = (
            "Watchlist import record" if watchlist else "no Watchlist was imported (0)"
        )
        for key in ("b", "c", "d", "e", "f", "g", "h", "i", "faces_scanned"):
            metrics.methods.setdefault(key, NOT_RECORDED)


def collect(session: Session, deployment_id: str, providers) -> ReportMetrics:
    """The report's figures for one Deployment; later providers may overwrite earlier ones."""
    metrics = ReportMetrics()
    for provider in providers:
        provider.contribute(session, deployment_id, metrics)
    return metrics


def _the_gold(ctx: Ctx, arguments: dict) -> Decision:
    authority_id = (
        arguments.get("authority_id")
        or ctx.get(CancellationReport, arguments["report_id"]).authority_id
    )
    return object_access(
        ctx.get(Authority, authority_id).gold_id == ctx.user.id,
        "the Gold ensures the post-Deployment evaluation and cancellation report",
        "000 §11.1",
    )


@action("lfr.report.prepare", roles=[Role.GOLD], touches="lfr_cancellation_report", guard=_the_gold)
def prepare(
    ctx: Ctx, authority_id: str, providers: list[MetricsProvider] | None = None
) -> CancellationReport:
    """Build (or refresh) the report's metrics once the Deployment or series has finished."""
    authority = ctx.get(Authority, authority_id)
    finished = series_finished_at(authority, ctx.now)
    if finished is None:
        raise InputError("the cancellation report follows the end of the Deployment(s)")
    report = report_for(ctx.session, authority.id)
    if report is not None and report.status == ReportStatus.SUBMITTED.value:
        raise InputError("the report was submitted; it can no longer change")
    if report is None:
        report = CancellationReport(
            authority_id=authority.id,
            prepared_by=ctx.user.id,
            due_at=report_due(ctx.profile, finished),
        )
        ctx.session.add(report)
    chosen = providers or ctx.services.metrics_providers or [GovernanceRecords()]
    report.metrics = {
        d.id: collect(ctx.session, d.id, chosen).to_json() for d in authority.deployments
    }
    report.prepared_at = ctx.now
    ctx.session.flush()
    ctx.note(authority_id=authority.id, deployments=len(report.metrics), citation="000 §11.3")
    return report


@action(
    "lfr.report.evaluate",
    roles=[Role.GOLD],
    touches="lfr_cancellation_report",
    key="report_id",
    guard=_the_gold,
)
def evaluate(
    ctx: Ctx, report_id: str, *, evaluation: str, safeguards: str = "", learning: str = ""
) -> CancellationReport:
    """Gold's qualitative evaluation, safeguards and learning (000 §11.1–11.2)."""
    report = ctx.get(CancellationReport, report_id)
    if report.status == ReportStatus.SUBMITTED.value:
        raise InputError("the report was submitted; it can no longer change")
    report.evaluation, report.safeguards = evaluation.strip(), safeguards.strip()
    report.learning = learning.strip()
    return report


@action(
    "lfr.report.submit",
    roles=[Role.GOLD],
    touches="lfr_cancellation_report",
    key="report_id",
    guard=_the_gold,
)
def submit(ctx: Ctx, report_id: str) -> CancellationReport:
    report = ctx.get(CancellationReport, report_id)
    authority = ctx.get(Authority, report.authority_id)
    if report.status == ReportStatus.SUBMITTED.value:
        raise InputError("the report was already submitted")
    require(report_evaluated(bool(report.evaluation)))
    report.status, report.submitted_at = ReportStatus.SUBMITTED.value, ctx.now
    notify(
        ctx,
        kind="cancellation_report",
        object_type="lfr_cancellation_report",
        object_id=report.id,
        user_id=authority.authorising_officer_id,
        message=f"Cancellation report for authority {authority.reference} submitted",
        citation=ctx.profile.reporting.cancellation_report_due_days.cite,
    )
    ctx.note(late=ctx.now > report.due_at)
    return report


def report_for(session: Session, authority_id: str) -> CancellationReport | None:
    return session.scalar(
        select(CancellationReport).where(CancellationReport.authority_id == authority_id)
    )


@dataclass(frozen=True)
class ReportDue:
    authority_id: str
    authority_reference: str
    gold_id: str
    due_at: datetime
    overdue: bool
    decision: Decision


def reports_due(ctx: Ctx) -> list[ReportDue]:
    """GOV-12: every finished authority without a submitted report, overdue ones flagged."""
    rows = []
    for authority in ctx.session.scalars(select(Authority).where(Authority.parent_id.is_(None))):
        finished = series_finished_at(authority, ctx.now)
        if finished is None:
            continue
        report = report_for(ctx.session, authority.id)
        if report is not None and report.status == ReportStatus.SUBMITTED.value:
            continue
        decision = report_overdue(ctx.profile, finished, ctx.now)
        rows.append(
            ReportDue(
                authority.id,
                authority.reference,
                authority.gold_id,
                report_due(ctx.profile, finished),
                not decision.allowed,
                decision,
            )
        )
    return rows


def deployment_metrics(session: Session, deployment: Deployment) -> ReportMetrics | None:
    """The submitted report's figures for one Deployment, or None before submission."""
    report = report_for(session, deployment.authority_id)
    if report is None or report.status != ReportStatus.SUBMITTED.value:
        return None
    data = report.metrics.get(deployment.id)
    return ReportMetrics.from_json(data) if data else None
