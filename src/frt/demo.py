"""Demo data for a first look at FRT on the embedded default (never a force's database).

`frt serve --demo` creates the demo users (`frt.people.demo`) and, once, two LFR Applications
that a person can carry on through the screens:

- one submitted and waiting for the NPCC consultation and the Authorising Officer's decision;
- one already authorised for today, its command team appointed, Operator, Engagement Officer and
  System Engineer rostered, overt-use measures recorded, and a Watchlist of one package-shipped
  photo (scikit-image's astronaut) imported from an encrypted bundle — with a street video
  (`<data dir>/demo/street.mp4`) in which she and a passer-by (matplotlib's Grace Hopper) walk
  through, ready for `frt deploy run`.

Every step goes through the same services, rules and audit log as a person's would. Nothing is
invented: no evaluation is recorded, so the Deployment runs only once someone has evaluated the
algorithm on labelled data (EVAL-03), and its figures are those the live run produces.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from frt.core.actions import acting
from frt.governance import applications, command, decisions, watchlists
from frt.governance.applications import Application
from frt.governance.bundle import BundleEntry, BundleImage, Manifest, installation_key, seal
from frt.governance.models import Authority
from frt.people.demo import ensure_demo_users
from frt.people.models import User
from frt.policy.decision_rules import REASON_HEADINGS
from frt.rfr.demo import seed as seed_rfr
from frt.store.base import utcnow

TITLE_PENDING = "DEMO: Market Square (awaiting decision)"
TITLE_AUTHORISED = "DEMO: High Street (authorised for today)"
WATCHLIST_REFERENCE = "DEMO-W-1"


@dataclass(frozen=True)
class DemoScenario:
    password: dict[str, str] | None  # each demo user's one-time password; None if they existed
    pending_application: str | None = None  # references, for the printed guide
    authorised_application: str | None = None
    deployment_id: str | None = None
    video: Path | None = None
    watchlist_note: str = ""


def seed(store, folder: Path) -> DemoScenario:
    """Create the demo users and, once, the two Applications; return what was made."""
    with store.session() as session:
        password = ensure_demo_users(session)
        existing = session.scalar(select(Application.id).where(Application.title == TITLE_PENDING))
        ids = {u.username: u.id for u in session.scalars(select(User))}
    seed_rfr(store, folder)  # RFR: a small approved library and a probe (frt.rfr.demo)
    now = utcnow()
    if existing is not None:
        if _open_demo_deployment(store, now):
            return DemoScenario(password)
        # The last demo authority's 8 hours are over: a fresh window, the same way.
        title = f"{TITLE_AUTHORISED} {now:%Y-%m-%d %H:%M}"
        authorised, dep_id, note = _authorised_demo(store, ids, title, now)
        video = _street_video(folder / "demo" / "street.mp4")
        with store.session() as session:
            ref = session.get(Application, authorised).reference
        return DemoScenario(password, None, ref, dep_id, video, note)
    pending = _submitted(store, ids, TITLE_PENDING, now, now + timedelta(days=2))
    authorised, dep_id, note = _authorised_demo(store, ids, TITLE_AUTHORISED, now)
    video = _street_video(folder / "demo" / "street.mp4")
    with store.session() as session:
        refs = {a.id: a.reference for a in session.scalars(select(Application))}
    return DemoScenario(password, refs[pending], refs[authorised], dep_id, video, note)


def _authorised_demo(store, ids, title: str, start: datetime) -> tuple[str, str, str]:
    """An Application authorised for the next 8 hours from `start` (Silver may start it at once:
    the import is within 24 h of it, 000 §6.2(4)), its Watchlist imported."""
    authorised = _submitted(store, ids, title, start, start + timedelta(hours=8))
    _review_and_consult(store, ids, authorised)
    dep_id = _authorise(store, ids, authorised, start)
    return authorised, dep_id, _import_watchlist(store, ids, dep_id)


def _open_demo_deployment(store, now: datetime) -> bool:
    """Is a demo Deployment's window still open (or yet to come)?"""
    from frt.governance.models import Deployment

    with store.session() as session:
        ends = session.scalars(
            select(Deployment.ends_at)
            .join(
                Application,
                Application.id
                == (
                    select(Authority.application_id)
                    .where(Authority.id == Deployment.authority_id)
                    .scalar_subquery()
                ),
            )
            .where(Application.title.startswith(TITLE_AUTHORISED))
        )
        return any(_aware(e) > now for e in ends)


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _form(starts_at: datetime, ends_at: datetime) -> dict:
    return dict(
        starts_at=starts_at,
        ends_at=ends_at,
        use_case="intelligence",
        deployment_styles=["marked_vans"],
        camera_count=1,
        legal_basis="Common law policing powers (demo)",
        legitimate_aim="Locate people wanted by the courts",
        echr_articles=[8, 11],
        dpa_schedule8_grounds="Statutory purposes (DPA 2018 Sch 8 para 1)",
        necessity="Other means to locate the people sought have failed (demo text)",
        alternatives_considered="Patrols and appeals (demo text)",
        awareness_measures="Signs at every approach and leaflets (demo text)",
        watchlist_criteria="Wanted on warrant",
        proposed_categories=["wanted_by_courts"],
        proposed_composition="One demo entry",
        proposed_threshold=0.64,
        resources="One van, four officers (demo text)",
    )


def _submitted(store, ids, title: str, starts_at: datetime, ends_at: datetime) -> str:
    """The applicant drafts, documents and submits an Application (GOV-01, GOV-02)."""
    with acting(store, ids["applicant"]) as ctx:
        app = applications.create(ctx, title, **_form(starts_at, ends_at))
        applications.add_location(
            ctx,
            app.id,
            name="Demo location",
            locality="Town centre",
            reason="Demo: where intelligence places the people sought",
        )
        for kind in ctx.profile.governance.required_documents.value:
            applications.attach_document(
                ctx,
                app.id,
                kind,
                title=f"{kind} (demo)",
                text=f"Demo {kind.replace('_', ' ')}: not a real assessment.",
            )
        applications.submit(ctx, app.id)
        return app.id


def _review_and_consult(store, ids, app_id: str) -> None:
    with acting(store, ids["ao"]) as ctx:
        for doc in ctx.get(Application, app_id).documents:
            applications.review_document(ctx, doc.id, "reviewed", "demo review")
    with acting(store, ids["npcc"]) as ctx:
        decisions.consult(ctx, app_id, "supported", "demo consultation")


def _authorise(store, ids, app_id: str, start: datetime) -> str:
    """The AO authorises (GOV-06), Gold appoints the team and rosters the trained (GOV-09/10)."""
    with acting(store, ids["ao"]) as ctx:
        app = ctx.get(Application, app_id)
        assert app.starts_at and app.ends_at  # the demo's application was drafted with its times
        terms = decisions.Terms(
            starts_at=app.starts_at,
            ends_at=app.ends_at,
            place_ids=[app.locations[0].id],
            categories=["wanted_by_courts"],
            min_threshold=0.64,
            gold_id=ids["gold"],
        )
        reasons = {h: "Demo: considered and recorded" for h in REASON_HEADINGS}
        authority = decisions.decide(ctx, app_id, "authorise", reasons, terms=terms)
        assert isinstance(authority, Authority)  # authorising gives the Authority
        auth_id, dep_id = authority.id, authority.deployments[0].id
    with acting(store, ids["gold"]) as ctx:
        command.appoint(ctx, auth_id, "silver", ids["silver"])
        command.appoint(ctx, auth_id, "bronze", ids["bronze"])
        command.appoint(ctx, auth_id, "bronze_community", ids["bronze"])
        for user, duty in (
            ("operator", "lfr_operator"),
            ("engagement", "engagement_officer"),
            ("engineer", "system_engineer"),
        ):
            command.roster(ctx, dep_id, ids[user], duty)
        command.record_overt_use(
            ctx,
            auth_id,
            notice_published=True,
            notice_channels="force website (demo)",
            signage=True,
            leaflets=True,
            contact_point="demo@force.example",
        )
    return dep_id


def _import_watchlist(store, ids, dep_id: str) -> str:
    """Silver imports a one-entry bundle of the astronaut photo (WL-05); '' or why not."""
    try:
        photo = _astronaut_jpeg()
    except ImportError:
        return "scikit-image is not installed: no demo Watchlist (pip install scikit-image)"
    name = "images/0001-1.jpg"  # the bundle format names files <entry>-<image>
    entry = BundleEntry(
        reference=WATCHLIST_REFERENCE,
        category="wanted_by_courts",
        image_source="police_custody",
        legal_basis="PACE s.64A (demo)",
        images=[
            BundleImage(
                file=name,
                sha256=hashlib.sha256(photo).hexdigest(),
                captured_on=date.today() - timedelta(days=90),
            )
        ],
    )
    with acting(store, ids["silver"]) as ctx:
        manifest = Manifest(
            format="frt-watchlist-bundle", version=1, created_at=ctx.now, entries=[entry]
        )
        data = seal(manifest, {name: photo}, installation_key(ctx.cipher))
        watchlists.import_bundle(ctx, dep_id, data, intelligence_reconfirmed=True)
    return ""


def _astronaut_jpeg() -> bytes:
    from PIL import Image

    from frt.lfr import synthetic

    buf = io.BytesIO()
    Image.fromarray(synthetic.photo("astronaut")).save(buf, "JPEG", quality=92)
    return buf.getvalue()


def _street_video(path: Path) -> Path | None:
    """Both package photos walking through a 640x360 street scene, written once."""
    try:
        from frt.lfr import synthetic

        path.parent.mkdir(parents=True, exist_ok=True)
        frames = synthetic.scene_frames(75, faces=2, size=(640, 360), stagger=25)
        return synthetic.write_video(path, frames)
    except ImportError:
        return None
