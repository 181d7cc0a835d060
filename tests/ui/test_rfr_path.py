"""In a real browser (Debian's Chromium): the RFR user uploads a group photo, sees the faces'
boxes, picks one, completes the Form 3; an Inspector approves (a library at a reserved Image Level
is listed); the lowest-level library is searched; candidates appear; the user records a Viable
Match and downloads the Match Report, whose PDF carries the caveat. Screenshots: /tmp/rfr_*.png."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from frt.rfr import searches
from frt.rfr.models import RfrSearch
from tests.rfr.conftest import (  # noqa: F401 (fixtures)
    PASSWORD,
    add_templates,
    approved_library,
    astronaut_templates,
    distractors,
    group_photo,
    heads,
    people,
)

pytestmark = [
    pytest.mark.ui,
    pytest.mark.req("RFR-04", "RFR-05", "RFR-06", "RFR-07", "RFR-08", "RFR-09"),
]
SHOTS = "/tmp/rfr_{}.png"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_rfr_search_from_group_photo_to_match_report(  # noqa: F811 (fixtures imported above)
    browser,
    page,
    live_server,
    store,
    people,
    approved_library,
    add_templates,  # noqa: F811
    astronaut_templates,
    group_photo,
    tmp_path,
):  # noqa: F811
    custody = approved_library("Custody images", level=1)
    add_templates(
        custody,
        [v for v, _ in astronaut_templates[:2]] + list(distractors(8)),
        images=[p for _, p in astronaut_templates[:2]] + [astronaut_templates[2][1]] * 8,
    )
    covert = approved_library("Covert product", level=4)
    add_templates(covert, distractors(3, seed=4))
    photo = tmp_path / "group.png"
    photo.write_bytes(group_photo)
    base = live_server

    sign_in(page, base, "rfr")
    expect(page.locator("[data-panel='rfr.requests']")).to_be_visible()
    page.goto(f"{base}/rfr")
    page.get_by_label("Case reference").fill("CASE/2024/77")
    page.get_by_role("button", name="Start a search").click()
    page.get_by_label("Probe image or short clip").set_input_files(str(photo))
    page.get_by_role("button", name="Upload and find faces").click()
    expect(page.locator("svg.probe rect.face")).to_have_count(2)
    expect(page.get_by_role("img", name="Face 1")).to_be_visible()
    page.screenshot(path=SHOTS.format("1_faces"), full_page=True)

    search_id = page.url.split("/rfr/searches/")[1].split("#")[0]
    with store.session() as s:
        left = min(searches.all_faces(s, search_id), key=lambda f: f.x0)
    page.locator(f"input[name=face_id][value='{left.id}']").check()
    page.get_by_role("button", name="Use the selected face(s)").click()
    expect(page.locator("svg.probe rect.face.chosen")).to_have_count(1)

    form = page.locator("form.form3")
    form.get_by_label("(a) an investigative lead").check()
    form.get_by_label("(b) offence, or subject of an active investigation").check()
    form.get_by_label("Probe Image Level (Annex A)").select_option("2")
    form.get_by_label("Source (§4.1(c))").fill("Shop CCTV still, seized")
    form.get_by_label("Legal basis on which it is held").fill("PACE s.19")
    form.get_by_label("local enquiries").check()
    form.get_by_label("Necessity", exact=True).fill("The only lead to the robber")
    form.get_by_label("Proportionality", exact=True).fill("Custody images first; one face only")
    form.get_by_label("Offence", exact=True).select_option("robbery")
    form.get_by_label("Custody images").check()
    form.get_by_label("Covert product").check()
    page.screenshot(path=SHOTS.format("2_form3"), full_page=True)
    form.get_by_role("button", name="Save and submit the Form 3").click()
    expect(page.locator("[data-status]")).to_have_text("awaiting approval")
    expect(page.get_by_text("needs individual Inspector approval")).to_be_visible()

    inspector = browser.new_context().new_page()
    sign_in(inspector, base, "inspector")
    waiting = inspector.locator("[data-panel='rfr_ao.requests'] .worklist a")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text("Form 3 to approve")
    waiting.click()
    inspector.get_by_label("Your reasons, recorded on the Form 3").fill(
        "Level 4 library justified: armed robbery, custody images first"
    )
    inspector.screenshot(path=SHOTS.format("3_approval"), full_page=True)
    inspector.get_by_role("button", name="Approve").click()
    expect(inspector.locator("[data-status]")).to_have_text("ready")
    inspector.context.close()

    page.reload()
    page.get_by_role("button", name="Search Image Level 1").click()
    rows = page.locator("#candidates tbody tr")
    expect(rows).to_have_count(10)
    expect(page.get_by_role("img", name="Candidate rank 1", exact=True)).to_be_visible()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=SHOTS.format("4_candidates"), full_page=True)
    first = rows.first
    first.get_by_label("Adjudication of rank 1", exact=True).select_option("viable_match")
    first.get_by_label("Note for rank 1", exact=True).fill("Same eyes, nose and hairline")
    first.get_by_role("button", name="Record").click()
    page.locator("#candidates").get_by_role("button", name="Match Report").click()
    expect(page.locator("[data-caveat]")).to_contain_text("PACE Code D for Recognition")
    page.screenshot(path=SHOTS.format("5_report"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    data = open(download.value.path(), "rb").read()
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "CASE/2024/77" in text and "MG11" in text
    with store.session() as s:
        search = s.get(RfrSearch, search_id)
        assert (search.status, search.outcome) == ("completed", "viable_match")
        assert [st.levels for st in searches.steps_of(s, search_id)] == [[1]]
