"""The Written Authority Document (Form 1 Part 2) as a printable HTML page (GOV-06, 000 §4.5).

Rendered from the authority record with a Jinja2 template shipped in this package, so the web
page, the CLI and a printed file all show the same document.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.governance.access import reads_authority
from frt.governance.command import team_of
from frt.governance.models import AoDecision, Application, Authority, Location
from frt.people.models import User
from frt.people.roles import LFR_ROLES as AUTHORITY_READERS
from frt.policy import Profile
from frt.policy.decision_rules import REASON_HEADINGS

_ENV = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _person(session: Session, user_id: str | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return f"{user.rank_enum.label} {user.display_name}" if user else "—"


@action(
    "lfr.authority.read_document",
    roles=AUTHORITY_READERS,
    touches="lfr_authority",
    key="authority_id",
    reads=True,
    guard=reads_authority,
)
def read_written_authority(ctx: Ctx, authority_id: str, stylesheet: str = "") -> str:
    """GOV-06: the Written Authority Document, as a page (the read is audited)."""
    return render_written_authority(ctx.session, ctx.profile, authority_id, stylesheet=stylesheet)


def render_written_authority(
    session: Session, profile: Profile, authority_id: str, stylesheet: str | None = None
) -> str:
    """The document as a standalone page; `stylesheet` links a CSS file instead of the inline
    style (for pages served under a Content-Security-Policy that forbids inline styles)."""
    authority = session.get(Authority, authority_id)
    if authority is None:
        raise LookupError(f"no authority '{authority_id}'")
    application = session.get(Application, authority.application_id)
    decision = session.get(AoDecision, authority.decision_id) if authority.decision_id else None
    reasons = decision.reasons if decision else {}
    places = [session.get(Location, pid) for pid in authority.place_ids]
    hours = profile.watchlist.deletion_hours_after_end.value
    return _ENV.get_template("written_authority.html").render(
        force=profile.force,
        stylesheet=stylesheet,
        authority=authority,
        parent=session.get(Authority, authority.parent_id) if authority.parent_id else None,
        application=application,
        ao=_person(session, authority.authorising_officer_id),
        gold=_person(session, authority.gold_id),
        places=[p for p in places if p is not None],
        deployments=authority.deployments,
        reasons=[(h.replace("_", " ").capitalize(), reasons.get(h, "—")) for h in REASON_HEADINGS],
        command=[
            (a.role.replace("_", " ").title(), _person(session, a.user_id))
            for a in team_of(session, authority.id)
        ],
        period_limit=f"{profile.authority.max_period_days.value} days, "
        f"{profile.authority.max_period_days.cite}",
        watchlist_deletion=f"{hours:g} hours of the Deployment ending "
        f"({profile.watchlist.deletion_hours_after_end.cite})",
        alert_retention=f"{profile.retention.alert_hours.value:g} hours "
        f"({profile.retention.alert_hours.cite})",
    )
