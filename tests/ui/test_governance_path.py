"""In a real browser, the whole LFR governance path with different users (issue 4):
applicant → NPCC officer → AO → Gold (command team, overt use, Watchlist import, Deployment) →
the Deployment ends → cancellation report → register → the public page, which shows no
personal data."""

from __future__ import annotations

import io
import os
import re
from datetime import UTC, datetime, timedelta

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
    """As tests/ui/conftest.py's `page`, but the one deliberate refusal (a 403 page) is expected."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    unexpected = [e for e in errors if "status of 403" not in e]
    assert unexpected == [], f"browser errors: {unexpected}"
    assert len(errors) == 1, "exactly one refusal page was expected"


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
    return moment.strftime("%Y-%m-%dT%H:%M")


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
    page.get_by_label("Starts (UTC)").fill(_local(now - timedelta(minutes=10)))
    page.get_by_label("Ends (UTC)").fill(_local(now + timedelta(hours=4)))
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
    assert page.get_by_text("submitted", exact=True).is_visible()

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
    assert page.locator("#dep-state").inner_text() == "active"

    # 5. The Deployment ends; Gold prepares and submits the cancellation report.
    page.get_by_label("Change state").select_option("ended")
    page.get_by_role("button", name="Apply").click()
    assert page.locator("#dep-state").inner_text() == "ended"
    page.goto(authority_url)
    page.get_by_role("button", name="Prepare cancellation report").click()
    assert page.get_by_text("Watchlist import record").first.is_visible()
    page.get_by_label("Gold's qualitative evaluation").fill("Effective; safeguards held")
    page.get_by_label("Submit to the AO now").check()
    page.get_by_role("button", name="Save report").click()
    assert page.get_by_text("submitted", exact=True).first.is_visible()

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
