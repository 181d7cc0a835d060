"""RFR usage and performance reports (RFR-12; 003 §9.1): live and historical figures, CSV and
JSON exports, and scheduled delivery — hourly, daily or monthly — to named administrators, into
their in-app inbox and, where the force configures an SMTP server (`FRT_SMTP_HOST`, `_PORT`,
`_FROM`), by e-mail.

The figures are counts, rates and durations only — no case reference, name or image: searches
by purpose, ground, Probe Image Level, library and outcome; approvals and refusals by safeguard
(the rule that asked for the approval); the time from submitting the Form 3 to the first
Adjudication; the Viable Match rate; the Unresolved Crime Cache's size, re-search hits and
overdue reviews; searches per month.
"""

from __future__ import annotations

import logging
import os
import smtplib
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy import func, select

from frt.core.actions import acting, action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.core.text import csv_rows
from frt.people.inbox import deliver as to_inbox
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, require
from frt.rfr.enums import SearchStatus
from frt.rfr.models import (
    RfrCacheEntry,
    RfrCandidate,
    RfrLibrary,
    RfrReportSchedule,
    RfrSearch,
    RfrSearchApproval,
)
from frt.store.base import utcnow

logger = logging.getLogger(__name__)
CITE = "003 §9.1"
FREQUENCIES = ("hourly", "daily", "monthly")
RECIPIENT_ROLES = (Role.ADMINISTRATOR, Role.FR_OPERATIONAL_LEAD)
COMPONENT = "rfr.reports"


# ---------------------------------------------------------------- the figures
@dataclass
class Figures:
    since: datetime | None
    until: datetime
    searches: int = 0
    by_purpose: dict[str, int] = field(default_factory=dict)
    by_ground: dict[str, int] = field(default_factory=dict)
    by_level: dict[str, int] = field(default_factory=dict)
    by_library: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)
    approvals: dict[str, int] = field(default_factory=dict)  # "<safeguard> approved|refused"
    hours_to_adjudication: dict[str, float | None] = field(default_factory=dict)
    viable_match_rate: float | None = None
    cache: dict[str, int] = field(default_factory=dict)
    outside_policy: dict[str, int] = field(default_factory=dict)  # 003 §12.3
    per_month: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict:
        data = asdict(self)
        data["since"] = self.since.isoformat() if self.since else None
        data["until"] = self.until.isoformat()
        return data

    def rows(self) -> list[dict]:
        """(measure, key, value) rows for the CSV."""
        out = [{"measure": "searches", "key": "", "value": self.searches}]
        for measure in (
            "by_purpose",
            "by_ground",
            "by_level",
            "by_library",
            "by_outcome",
            "approvals",
            "hours_to_adjudication",
            "cache",
            "outside_policy",
            "per_month",
        ):
            for key, value in getattr(self, measure).items():
                out.append({"measure": measure, "key": key, "value": value})
        out.append({"measure": "viable_match_rate", "key": "", "value": self.viable_match_rate})
        return out

    def csv(self) -> str:
        return csv_rows(("measure", "key", "value"), self.rows())


def _outcome(search: RfrSearch) -> str:
    if search.status == SearchStatus.COMPLETED.value:
        return search.outcome or "no_viable_match"
    return search.status


def figures(session, now: datetime, since: datetime | None = None) -> Figures:
    """The figures of searches created in [since, now) (all of them when `since` is None)."""
    query = select(RfrSearch).where(RfrSearch.created_at < now)
    if since is not None:
        query = query.where(RfrSearch.created_at >= since)
    found = list(session.scalars(query))
    refs = {i: r for i, r in session.execute(select(RfrLibrary.id, RfrLibrary.reference))}
    out = Figures(since, now, searches=len(found))
    purposes: Counter[str] = Counter()
    grounds: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    libs: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for s in found:
        purposes.update(s.purposes or [])
        grounds.update(s.grounds or [])
        levels[f"level_{s.probe_level}" if s.probe_level else "not_recorded"] += 1
        libs.update(refs.get(i, i) for i in s.library_ids or [])
        outcomes[_outcome(s)] += 1
        months[f"{s.created_at:%Y-%m}"] += 1
    out.by_purpose, out.by_ground = dict(purposes), dict(grounds)
    out.by_level, out.by_library = dict(sorted(levels.items())), dict(sorted(libs.items()))
    out.by_outcome, out.per_month = dict(outcomes), dict(sorted(months.items()))
    ids = [s.id for s in found]
    out.approvals = _approvals(session, {s.id: s for s in found}) if ids else {}
    out.hours_to_adjudication = _adjudication_hours(session, {s.id: s for s in found})
    completed = [s for s in found if s.status == SearchStatus.COMPLETED.value]
    if completed:
        viable = sum(1 for s in completed if s.outcome == "viable_match")
        out.viable_match_rate = round(viable / len(completed), 4)
    out.cache = _cache(session, now)
    out.outside_policy = _outside_policy(session, since, now)
    return out


def _outside_policy(session, since: datetime | None, now: datetime) -> dict[str, int]:
    from frt.governance.oversight_models import PolicyException

    query = select(PolicyException).where(
        PolicyException.object_type == "rfr_search", PolicyException.decided_at < now
    )
    if since is not None:
        query = query.where(PolicyException.decided_at >= since)
    rows = list(session.scalars(query))
    return {
        "recorded": len(rows),
        "awaiting_sro_review": sum(1 for r in rows if r.sro_reviewed_at is None),
        "endorsed": sum(1 for r in rows if r.sro_outcome == "endorsed"),
        "disagreed": sum(1 for r in rows if r.sro_outcome == "disagreed"),
    }


def public_figures(session) -> dict:
    """The public page's RFR section: searches and Viable Matches per month, and libraries in
    use by Image Level — counts only, no personal data."""
    searches: Counter = Counter()
    viable: Counter = Counter()
    for submitted, outcome in session.execute(
        select(RfrSearch.submitted_at, RfrSearch.outcome).where(RfrSearch.submitted_at.is_not(None))
    ):
        searches[f"{submitted:%Y-%m}"] += 1
        viable[f"{submitted:%Y-%m}"] += outcome == "viable_match"
    levels: Counter = Counter()
    for level, status in session.execute(
        select(RfrLibrary.image_level, RfrLibrary.status).where(RfrLibrary.deleted_at.is_(None))
    ):
        if status in ("approved", "urgent_approved"):
            levels[f"Level {level}"] += 1
    return {
        "months": [
            {"month": m, "searches": searches[m], "viable_matches": viable[m]}
            for m in sorted(searches, reverse=True)
        ],
        "libraries_by_level": dict(sorted(levels.items())),
    }


def _approvals(session, searches: dict[str, RfrSearch]) -> dict[str, int]:
    counts: Counter = Counter()
    for row in session.scalars(
        select(RfrSearchApproval).where(RfrSearchApproval.search_id.in_(list(searches)))
    ):
        rules = {n["rule"] for n in searches[row.search_id].needs or []} or {"unspecified"}
        for rule in sorted(rules):
            counts[f"{rule} {'approved' if row.approved else 'refused'}"] += 1
    return dict(sorted(counts.items()))


def _adjudication_hours(session, searches: dict[str, RfrSearch]) -> dict[str, float | None]:
    first = dict(
        session.execute(
            select(RfrCandidate.search_id, func.min(RfrCandidate.adjudicated_at))
            .where(
                RfrCandidate.search_id.in_(list(searches)), RfrCandidate.adjudicated_at.is_not(None)
            )
            .group_by(RfrCandidate.search_id)
        ).all()
    )
    hours = [
        (when - searches[sid].submitted_at).total_seconds() / 3600
        for sid, when in first.items()
        if searches[sid].submitted_at is not None
    ]
    if not hours:
        return {"searches": 0, "median": None, "mean": None}
    return {
        "searches": len(hours),
        "median": round(statistics.median(hours), 2),
        "mean": round(statistics.fmean(hours), 2),
    }


def _cache(session, now: datetime) -> dict[str, int]:
    rows = list(session.scalars(select(RfrCacheEntry)))
    active = [e for e in rows if e.status == "active"]
    return {
        "active": len(active),
        "requested": sum(1 for e in rows if e.status == "requested"),
        "removed": sum(1 for e in rows if e.status == "removed"),
        "re_search_runs": sum(e.research_runs for e in rows),
        "re_search_hits": sum(e.research_hits for e in rows),
        "overdue_reviews": sum(1 for e in active if e.review_due and e.review_due <= now),
    }


# ---------------------------------------------------------------- schedules
def _period_start(frequency: str, end: datetime) -> datetime:
    if frequency == "hourly":
        return end - timedelta(hours=1)
    if frequency == "daily":
        return end - timedelta(days=1)
    month = end.month - 1 or 12
    return end.replace(year=end.year - (end.month == 1), month=month)


def next_boundary(frequency: str, now: datetime) -> datetime:
    """The next whole hour, UTC midnight or first of the month after `now`."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    if frequency == "hourly":
        return hour + timedelta(hours=1)
    day = hour.replace(hour=0)
    if frequency == "daily":
        return day + timedelta(days=1)
    first = day.replace(day=1)
    return first.replace(year=first.year + (first.month == 12), month=first.month % 12 + 1)


def recipients_allowed(users: list[User | None]) -> Decision:
    """RFR-REPORT-RECIPIENT: scheduled reports go to named administrators (003 §9.1)."""
    rule = "RFR-REPORT-RECIPIENT"
    if not users:
        return Decision.refuse("name at least one administrator to receive it", CITE, rule)
    for user in users:
        if user is None or user.disabled:
            return Decision.refuse("a named recipient is not an active user", CITE, rule)
        if not user.has_role(*RECIPIENT_ROLES):
            return Decision.refuse(
                f"{user.display_name} is not an administrator (administrator or Operational "
                "Lead for FR)",
                CITE,
                rule,
            )
    return Decision.allow("named administrators", CITE, rule)


@action("rfr.report.schedule", roles=RECIPIENT_ROLES, touches="rfr_report_schedule")
def schedule(
    ctx: Ctx,
    name: str,
    frequency: str,
    recipient_ids: list[str],
    emails: dict[str, str] | None = None,
) -> RfrReportSchedule:
    """Schedule the usage report for delivery to named administrators (003 §9.1)."""
    if frequency not in FREQUENCIES:
        raise InputError(f"the frequency is one of: {', '.join(FREQUENCIES)}")
    if not name.strip():
        raise InputError("a scheduled report needs a name")
    ids = sorted(set(recipient_ids))
    require(recipients_allowed([ctx.session.get(User, i) for i in ids]))
    emails = {k: v.strip() for k, v in (emails or {}).items() if k in ids and v.strip()}
    for address in emails.values():
        if "@" not in address or any(c in address for c in " \r\n,;<>"):
            raise InputError(f"'{address}' is not an e-mail address")
    row = RfrReportSchedule(
        name=name.strip()[:200],
        frequency=frequency,
        recipient_ids=ids,
        emails=emails,
        created_by=ctx.user.id,
        created_at=ctx.now,
        next_due=next_boundary(frequency, ctx.now),
    )
    ctx.session.add(row)
    ctx.session.flush()
    ctx.note(frequency=frequency, recipients=len(ids), emails=len(emails), citation=CITE)
    return row


@action(
    "rfr.report.cancel", roles=RECIPIENT_ROLES, touches="rfr_report_schedule", key="schedule_id"
)
def cancel(ctx: Ctx, schedule_id: str) -> RfrReportSchedule:
    row = ctx.get(RfrReportSchedule, schedule_id)
    row.active = False
    ctx.note(citation=CITE)
    return row


def schedules(session) -> list[RfrReportSchedule]:
    return list(
        session.scalars(
            select(RfrReportSchedule)
            .where(RfrReportSchedule.active.is_(True))
            .order_by(RfrReportSchedule.created_at)
        )
    )


# ---------------------------------------------------------------- delivery
@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    sender: str


def smtp_config() -> Smtp | None:
    """The force's SMTP server, if configured (`FRT_SMTP_HOST`, `FRT_SMTP_PORT`, `FRT_SMTP_FROM`)."""
    host = os.environ.get("FRT_SMTP_HOST", "").strip()
    if not host:
        return None
    port = int(os.environ.get("FRT_SMTP_PORT", "25"))
    return Smtp(host, port, os.environ.get("FRT_SMTP_FROM", "frt@localhost"))


def _email(smtp: Smtp, to: list[str], subject: str, body: str, name: str, data: bytes) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = smtp.sender, ", ".join(to), subject
    message.set_content(body)
    message.add_attachment(data, maintype="text", subtype="csv", filename=name)
    with smtplib.SMTP(smtp.host, smtp.port, timeout=15) as server:
        server.send_message(message)


@action("rfr.report.deliver", touches="rfr_report_schedule", key="schedule_id", system=True)
def deliver(ctx: Ctx, schedule_id: str) -> int:
    """Deliver one scheduled report for the period just ended: into each recipient's inbox and,
    where SMTP is configured, by e-mail. Returns the inbox messages written."""
    row = ctx.get(RfrReportSchedule, schedule_id)
    end = row.next_due
    start = _period_start(row.frequency, end)
    figs = figures(ctx.session, end, start)
    subject = f"FRT RFR usage report ({row.frequency}): {row.name}"
    body = _summary(figs)
    name = f"rfr-usage-{end:%Y%m%d-%H%M}.csv"
    data = figs.csv().encode()
    for user_id in row.recipient_ids:
        to_inbox(ctx.session, user_id, subject, body, ctx.now, (name, "text/csv", data))
    emailed, failed = 0, 0
    smtp = smtp_config()
    addresses = [row.emails[i] for i in row.recipient_ids if i in (row.emails or {})]
    if smtp and addresses:
        try:
            _email(smtp, addresses, subject, body, name, data)
            emailed = len(addresses)
        except (OSError, smtplib.SMTPException) as exc:
            failed = len(addresses)
            logger.warning("scheduled report %s: e-mail not sent (%s)", row.id, type(exc).__name__)
    row.last_sent_at, row.sent = ctx.now, row.sent + 1
    while row.next_due <= ctx.now:
        row.next_due = next_boundary(row.frequency, row.next_due)
    ctx.note(
        period_start=start.isoformat(),
        period_end=end.isoformat(),
        inbox=len(row.recipient_ids),
        emailed=emailed,
        email_failed=failed,
        citation=CITE,
    )
    return len(row.recipient_ids)


def _summary(f: Figures) -> str:
    lines = [
        f"RFR usage from {f.since:%Y-%m-%d %H:%M} to {f.until:%Y-%m-%d %H:%M} UTC (003 §9.1)"
        if f.since
        else f"RFR usage to {f.until:%Y-%m-%d %H:%M} UTC (003 §9.1)",
        f"Searches: {f.searches}",
        f"Outcomes: {', '.join(f'{k} {v}' for k, v in f.by_outcome.items()) or 'none'}",
        "Viable Match rate: "
        + ("—" if f.viable_match_rate is None else f"{f.viable_match_rate:.1%}"),
        f"Unresolved Crime Cache: {f.cache.get('active', 0)} active, "
        f"{f.cache.get('re_search_hits', 0)} re-search hits, "
        f"{f.cache.get('overdue_reviews', 0)} overdue reviews",
        "The full figures are attached (CSV).",
    ]
    return "\n".join(lines)


def deliver_due(store, now: datetime | None = None, profile=None) -> int:
    """Deliver every scheduled report now due; how many were delivered."""
    from frt.policy import load_profile

    now = now or utcnow()
    profile = profile or load_profile(store.settings.policy_profile)
    with store.session() as s:
        due = list(
            s.scalars(
                select(RfrReportSchedule.id).where(
                    RfrReportSchedule.active.is_(True), RfrReportSchedule.next_due <= now
                )
            )
        )
    for schedule_id in due:
        with acting(store, None, profile=profile, now=now, component=COMPONENT) as ctx:
            deliver(ctx, schedule_id)
    return len(due)


# ---------------------------------------------------------------- charts (SVG, drawn here)
@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int


def bars(counts: dict[str, int], width: int = 360, row: int = 22) -> list[Bar]:
    """Horizontal bars for an SVG chart: no script, no external library."""
    top = max(counts.values(), default=0) or 1
    return [
        Bar(label, value, n * row, max(1, round(width * value / top)) if value else 0)
        for n, (label, value) in enumerate(counts.items())
    ]
