"""In a real browser, the whole LFR governance path with different users (issue 4):
applicant → NPCC officer → AO → Gold (command team, overt use, Watchlist import, Deployment) →
the Deployment ends → cancellation report → register → the public page, which shows no
personal data."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from frt.audit import Actor
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy import Rank
from tests.governance.conftest import entry, make_bundle
from tests.web.conftest import PASSWORD

pytestmark = [
    pytest.mark.ui,
    pytest.mark.req(
        "GOV-01",
        "GOV-03",
        "GOV-06",
        "GOV-09",
        "GOV-11",
        "GOV-12",
        "GOV-13",
        "GOV-14",
        "WL-04",
        "WL-07",
    ),
]

CAST = {
    "applicant": ("DS Amelia Applicant", Rank.SERGEANT, {Role.APPLICANT}),
    "npcc": ("Cdr Nadia Npcc", Rank.COMMANDER, {Role.NPCC_OFFICER}),
    "ao": ("Supt Oliver Authoriser", Rank.SUPERINTENDENT, {Role.AUTHORISING_OFFICER}),
    "gold": ("Ch Supt Grace Goldsmith", Rank.CHIEF_SUPERINTENDENT, {Role.GOLD}),
    "silver": ("Insp Simon Silverman", Rank.INSPECTOR, {Role.SILVER}),
}
DOCUMENTS = [
    "Intelligence case (Form 3)",
    "Data Protection Impact Assessment",
    "Equality Impact Assessment",
    "Community Impact Assessment",
    "Surveillance Camera Commissioner self-assessment",
    "Operational Risk Assessment",
]


@pytest.fixture
def page(browser):
    """As tests/ui/conftest.py's `page`, but the one deliberate refusal (the form shown again
    with its problems, 422) is expected."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    unexpected = [e for e in errors if "status of 422" not in e]
    assert unexpected == [], f"browser errors: {unexpected}"
    assert len(errors) == 1, "exactly one refused form was expected"


@pytest.fixture
def cast(store):
    with store.session() as db:
        for username, (name, rank, roles) in CAST.items():
            create_user(
                db,
                Actor.system("test"),
                username=username,
                display_name=name,
                rank=rank,
                roles=roles,
                password=PASSWORD,
            )


@pytest.fixture
def bundle_file(store, tmp_path):
    """A bundle of two subjects (three images) sealed with the installation's key."""
    import matplotlib
    from PIL import Image
    from skimage import data

    from frt.governance.bundle import installation_key

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(data.astronaut())).save(buf, "JPEG", quality=92)
    with open(
        os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"), "rb"
    ) as f:
        hopper = f.read()
    mirrored = io.BytesIO()
    Image.open(io.BytesIO(hopper)).transpose(Image.FLIP_LEFT_RIGHT).save(mirrored, "JPEG")
    photos = {"astronaut": buf.getvalue(), "hopper": hopper, "mirrored": mirrored.getvalue()}
    path = tmp_path / "watchlist.frtwl"
    path.write_bytes(
        make_bundle(
            installation_key(store.cipher),
            entry(
                "WANTED-REF-0001",
                "wanted_by_courts",
                photos=photos,
                warning_markers=["violence"],
                images=[("hopper", None, ""), ("mirrored", None, "")],
            ),
            entry("SUSPECT-REF-0002", "suspect", photos=photos),
        )
    )
    return path


def _as(page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def _local(moment: datetime) -> str:
    """A datetime-local value: the force's own time (Europe/London), as a person types it."""
    return moment.astimezone(ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M")


def test_the_whole_governance_path_in_a_browser(page, live_server, cast, bundle_file):
    base = live_server
    now = datetime.now(UTC)

    # 1. The applicant drafts Form 1 Part 1; submitting early is refused naming what is missing.
    _as(page, base, "applicant")
    page.get_by_role("link", name="LFR deployments").first.click()
    page.get_by_label("Title").fill("High Street warrants operation")
    page.get_by_role("button", name="Start application").click()
    page.wait_for_url(re.compile(r"/lfr/applications/\w+$"))
    app_url = page.url
    page.get_by_role("button", name="Submit to the Authorising Officer").click()
    assert page.get_by_role("heading", name="Refused").is_visible()
    assert "Operational Risk Assessment" in page.get_by_role("alert").inner_text()
    assert page.locator(".cite").inner_text().startswith("000 §7.1")
    page.goto(app_url)
    page.get_by_label("Use case").select_option("intelligence")
    page.get_by_label("marked vans").check()
    page.get_by_label("Number of cameras").fill("2")
    page.get_by_label("Starts (local time)").fill(_local(now - timedelta(minutes=10)))
    page.get_by_label("Ends (local time)").fill(_local(now + timedelta(hours=4)))
    for label, value in [
        ("Legal basis", "Common law"),
        ("Legitimate aim", "Arrest wanted people"),
        ("DPA Schedule 8 grounds", "Sch 8 para 1"),
        ("Necessity", "Other means failed"),
        ("Alternatives considered", "Patrols"),
        ("Awareness measures", "Signs"),
        ("Proposed Watchlist criteria", "Warrants"),
        ("Proposed Watchlist composition", "About 200"),
        ("Resources", "Two vans"),
    ]:
        page.get_by_label(label, exact=True).fill(value)
    page.locator("input[name=proposed_categories][value=wanted_by_courts]").check()
    page.locator("input[name=proposed_categories][value=suspect]").check()
    page.get_by_label("Proposed Threshold").fill("0.64")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Location", exact=True).fill("High Street outside no. 12")
    page.get_by_label("Locality published to the public").fill("High Street, Camden")
    page.get_by_label("Reason chosen").fill("Intelligence places wanted persons here")
    page.get_by_role("button", name="Add location").click()
    for kind in DOCUMENTS:
        page.get_by_label("Document", exact=True).select_option(label=kind)
        page.get_by_label("Title", exact=True).last.fill(kind)
        page.get_by_label("Text", exact=True).fill(f"{kind}: the assessment")
        page.get_by_role("button", name="Attach document").click()
    assert page.get_by_text("Nothing is missing.").is_visible()
    page.get_by_role("button", name="Submit to the Authorising Officer").click()
    assert page.get_by_text("Submitted", exact=True).is_visible()

    # 2. The NPCC officer finds the consultation on their home page and supports it.
    _as(page, base, "npcc")
    page.get_by_role("link", name=re.compile("NPCC consultation")).click()
    page.get_by_label("Outcome").select_option("supported")
    page.get_by_role("button", name="Record consultation").click()

    # 3. The AO reviews the assessments and authorises, naming the Gold.
    _as(page, base, "ao")
    page.get_by_role("link", name=re.compile("decide the Application")).click()
    for kind in DOCUMENTS:
        page.get_by_role("button", name=f"Mark {kind} reviewed").click()
    page.get_by_label("Decision", exact=True).select_option("authorise")
    for textarea in page.locator("textarea[name^=reason_]").all():
        textarea.fill("Considered: necessary and proportionate")
    page.get_by_label("Minimum Threshold").fill("0.64")
    page.get_by_label("Gold commander").select_option(
        label="Chief Superintendent Ch Supt Grace Goldsmith"
    )
    page.get_by_role("button", name="Record decision").click()
    page.wait_for_url(re.compile(r"/lfr/authorities/\w+$"))
    authority_url = page.url
    page.get_by_role("link", name="Written Authority Document").click()
    assert page.get_by_text("Form 1, Part 2: Written Authority Document").is_visible()
    assert page.get_by_text("Ch Supt Grace Goldsmith").first.is_visible()

    # 4. Gold appoints the Silver, records the overt-use measures, imports the Watchlist.
    _as(page, base, "gold")
    page.get_by_role("link", name=re.compile("appoint the Silver")).click()
    page.get_by_label("Role", exact=True).select_option("silver")
    page.get_by_label("Officer").select_option(label="Inspector Insp Simon Silverman")
    page.get_by_role("button", name="Appoint").click()
    assert page.get_by_text("Silver: Inspector Insp Simon Silverman").is_visible()
    page.get_by_label("Advance notice published").check()
    page.get_by_label("Where it was published").fill("force website and social media")
    page.get_by_label("Signage before the Zone of Recognition").check()
    page.get_by_role("button", name="Record overt-use measures").click()
    page.get_by_role("link", name=re.compile("High Street outside no. 12")).click()
    page.get_by_label(re.compile("Encrypted Watchlist bundle")).set_input_files(str(bundle_file))
    page.get_by_label(re.compile("intelligence case is re-confirmed")).check()
    page.get_by_role("button", name="Import Watchlist").click()
    page.locator("#wl-counts").wait_for(timeout=60_000)
    assert page.locator("#wl-counts").inner_text() == "2 individuals, 3 images"
    assert "WANTED-REF" not in page.content()  # composition only (WL-07)
    page.get_by_label("Change state").select_option("active")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#dep-state").inner_text() == "Active"

    # 5. The Deployment ends; Gold prepares and submits the cancellation report.
    page.get_by_label("Change state").select_option("ended")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#dep-state").inner_text() == "Ended"
    page.goto(authority_url)
    page.get_by_role("button", name="Prepare cancellation report").click()
    assert page.get_by_text("Watchlist import record").first.is_visible()
    page.get_by_label("Gold's qualitative evaluation").fill("Effective; safeguards held")
    page.get_by_label("Submit to the AO now").check()
    page.get_by_role("button", name="Save report").click()
    assert page.get_by_text("Submitted", exact=True).first.is_visible()

    # 6. The register shows the Deployment with its command team and composition.
    page.get_by_role("link", name="Register").click()
    row = page.get_by_role("row", name=re.compile("High Street, Camden"))
    assert "Goldsmith" in row.inner_text() and "2 individuals, 3 images" in row.inner_text()

    # 7. The public page needs no login and shows the figures, and no personal data.
    page.context.clear_cookies()
    page.goto(f"{base}/public/")
    row = page.get_by_role("row", name=re.compile("High Street, Camden"))
    assert row.is_visible() and "0.64" in row.inner_text()
    text = page.content()
    json_text = page.request.get(f"{base}/public/?format=json").text()
    csv_text = page.request.get(f"{base}/public/?format=csv").text()
    for blob in (text, json_text, csv_text):
        for personal in (
            "WANTED-REF",
            "SUSPECT-REF",
            "Goldsmith",
            "Silverman",
            "Authoriser",
            "Applicant",
            "outside no. 12",
            "Intelligence places",
        ):
            assert personal not in blob
    assert '"watchlist_subjects": 2' in json_text.replace('":2', '": 2')
    assert csv_text.splitlines()[0].startswith("reference,location,date")


# ------------------------------------------------------------------ GOV-16 and WL-09 in a browser
@pytest.fixture
def refusing_page(browser):
    """A page on which refusal pages (403) are expected; any other browser error fails."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert [e for e in errors if "status of 403" not in e] == []


@pytest.fixture
def early_deployment(store, cast):
    """An authority in force whose Deployment starts in 30 hours (outside the import window),
    with its Silver appointed, an SRO, and a trained Operator rostered; returns the ids."""
    from datetime import date

    from frt.core.actions import acting
    from frt.governance import applications, command, decisions
    from frt.people.roles import TrainingKind
    from frt.people.service import add_training
    from tests.governance.conftest import all_reasons, draft

    with store.session() as db:
        for username, name, rank, roles in [
            ("sro", "Cdr Sasha Sro", Rank.COMMANDER, {Role.SRO}),
            ("operator", "PC Otto Operator", Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}),
        ]:
            create_user(
                db,
                Actor.system("test"),
                username=username,
                display_name=name,
                rank=rank,
                roles=roles,
                password=PASSWORD,
            )
        for kind in (TrainingKind.LFR, TrainingKind.OFFICER_SAFETY):
            add_training(
                db, Actor.system("test"), "operator", kind, date(2026, 1, 1), date(2030, 1, 1)
            )
        ids = {
            u: _user_id(db, u) for u in ("applicant", "npcc", "ao", "gold", "silver", "operator")
        }
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=30)
    with acting(store, ids["applicant"]) as ctx:
        app = draft(ctx, starts_at=start, ends_at=start + timedelta(hours=8))
        applications.submit(ctx, app.id)
        app_id = app.id
    with acting(store, ids["ao"]) as ctx:
        for doc in ctx.get(applications.Application, app_id).documents:
            applications.review_document(ctx, doc.id, "reviewed")
    with acting(store, ids["npcc"]) as ctx:
        decisions.consult(ctx, app_id, "supported")
    with acting(store, ids["ao"]) as ctx:
        place = ctx.get(applications.Application, app_id).locations[0].id
        terms = decisions.Terms(
            starts_at=start,
            ends_at=start + timedelta(hours=8),
            place_ids=[place],
            categories=["wanted_by_courts", "suspect"],
            min_threshold=0.64,
            gold_id=ids["gold"],
        )
        auth = decisions.decide(ctx, app_id, "authorise", all_reasons(), terms=terms)
        auth_id, dep_id = auth.id, auth.deployments[0].id
    with acting(store, ids["gold"]) as ctx:
        command.appoint(ctx, auth_id, "silver", ids["silver"])
    with acting(store, ids["silver"]) as ctx:
        command.roster(ctx, dep_id, ids["operator"], "lfr_operator")
    return dep_id


def _user_id(db, username: str) -> str:
    from frt.people.service import get_user

    return get_user(db, username).id


@pytest.mark.req("GOV-16", "WL-05", "WL-09")
def test_a_decision_outside_policy_and_a_threshold_raise_in_a_browser(
    refusing_page, live_server, early_deployment, bundle_file
):
    page, base = refusing_page, live_server
    dep_url = f"{base}/lfr/deployments/{early_deployment}"

    def import_bundle():
        page.goto(dep_url)
        page.get_by_label(re.compile("Encrypted Watchlist bundle")).set_input_files(
            str(bundle_file)
        )
        page.get_by_label(re.compile("intelligence case is re-confirmed")).check()
        page.get_by_role("button", name="Import Watchlist").click()

    # 1. The Silver imports 30 hours early: refused, naming 000 §6.2(4), with the offer.
    _as(page, base, "silver")
    import_bundle()
    assert page.get_by_role("heading", name="Refused").is_visible()
    assert "000 §6.2(4)" in page.locator("#refusal").inner_text()
    page.get_by_role("link", name="Record a decision outside policy").click()
    assert page.locator("#x-rule").inner_text() == "WL-IMPORT-WINDOW"
    page.get_by_label(re.compile("Detailed rationale")).fill(
        "The event opens at dawn and the only System Engineer is on duty the evening before"
    )
    page.get_by_label(re.compile("Legal advice")).fill("DLS ref 2026/118")
    page.get_by_role("button", name="Record the decision").click()
    assert "sets rule WL-IMPORT-WINDOW aside" in page.locator("#watchlist").inner_text()
    import_bundle()  # the same action, repeated, now proceeds
    assert page.locator("#wl-counts").inner_text() == "2 individuals, 3 images"

    # 2. The rostered Operator raises one image's Threshold, with the reason.
    _as(page, base, "operator")
    page.goto(dep_url)
    page.locator("input[name=threshold]").first.fill("0.8")
    page.locator("input[name=reason]").first.fill("two false alerts at the gate in testing")
    page.get_by_role("button", name="Raise Threshold").first.click()
    first = page.locator("ul.images li").first.inner_text()
    assert "Threshold 0.8" in first and "two false alerts at the gate" in first

    # 3. The SRO finds it on the home panel and disagrees, with reasons.
    _as(page, base, "sro")
    page.get_by_role(
        "link", name=re.compile(r"Decision outside policy \(WL-IMPORT-WINDOW\)")
    ).click()
    page.get_by_role("radio", name=re.compile("Disagree")).check()
    page.get_by_label(re.compile("Reasons")).fill("A second engineer could have been rostered")
    page.get_by_role("button", name="Record the review").click()
    assert "Disagreed" in page.locator("#x-outcome").inner_text()

    # 4. The Silver is told, and acknowledges it from the work list.
    _as(page, base, "silver")
    page.goto(f"{base}/lfr")
    told = page.get_by_role("link", name=re.compile("The SRO disagreed"))
    assert told.is_visible()
    page.get_by_role("button", name="Acknowledge").click()
    assert page.get_by_role("link", name=re.compile("The SRO disagreed")).count() == 0
