"""The RFR API and pages, attacked as an outsider would: another user's search, a library outside
access, huge or malformed uploads, wrong roles, unknown ids — each a clear 4xx (DATA-05, RFR-05,
RFR-06); and the pages render for each role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from frt.web.app import create_app
from tests.rfr.conftest import distractors
from tests.web.conftest import quick_password_hashing, signed_in  # noqa: F401 (fixture)

pytestmark = pytest.mark.req("RFR-04", "RFR-06", "DATA-05")


@pytest.fixture
def web(store, people):
    with TestClient(create_app(store), base_url="http://testserver") as client:
        yield client


def login(web, username: str) -> dict:
    web.cookies.clear()
    return {"X-CSRF-Token": signed_in(web, username)}


@pytest.fixture
def custody(approved_library, add_templates):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(6))
    return lib


def _search(web, h, photo: bytes) -> tuple[str, dict]:
    sid = web.post("/api/rfr/searches", json={"case_reference": "CASE/1"}, headers=h).json()["id"]
    r = web.post(
        f"/api/rfr/searches/{sid}/probe", files={"file": ("p.png", photo, "image/png")}, headers=h
    )
    assert r.status_code == 200, r.text
    return sid, r.json()


def test_the_whole_path_through_the_api(web, people, custody, group_photo):
    h = login(web, "rfr")
    sid, search = _search(web, h, group_photo)
    assert len(search["faces"]) == 2 and not any(f["templated"] for f in search["faces"])
    left = min(search["faces"], key=lambda f: f["box"][0])
    r = web.post(f"/api/rfr/searches/{sid}/faces", json={"face_ids": [left["id"]]}, headers=h)
    assert r.status_code == 200 and [f["selected"] for f in r.json()["faces"]].count(True) == 1
    from tests.rfr.helpers import FORM3

    r = web.post(
        f"/api/rfr/searches/{sid}/form", json=dict(FORM3, library_ids=[custody]), headers=h
    )
    assert r.status_code == 200, r.text
    assert web.post(f"/api/rfr/searches/{sid}/submit", headers=h).json()["status"] == "ready"
    assert web.post(f"/api/rfr/searches/{sid}/steps", json={}, headers=h).status_code == 200
    cands = web.get(f"/api/rfr/searches/{sid}/candidates").json()
    assert [c["rank"] for c in cands] == [1, 2, 3, 4, 5, 6]
    assert web.get(f"/api/rfr/candidates/{cands[0]['id']}/image").status_code == 200
    r = web.post(
        f"/api/rfr/candidates/{cands[0]['id']}/adjudication",
        json={"viable": True, "note": "same ears"},
        headers=h,
    )
    assert r.json()["status"] == "viable_match"
    report = web.post(f"/api/rfr/candidates/{cands[0]['id']}/report", headers=h).json()
    pdf = web.get(f"/api/rfr/reports/{report['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "PACE Code D" in web.get(f"/api/rfr/reports/{report['id']}").json()["caveat"]
    r = web.post(
        f"/api/rfr/reports/{report['id']}/disseminations",
        headers=h,
        json={
            "recipient": "DC Jones",
            "legal_basis": "DPA 2018 s.35",
            "shared": ["match_report"],
            "caveat_attached": True,
        },
    )
    assert r.status_code == 201
    for page in (
        "/rfr",
        "/rfr/libraries",
        f"/rfr/libraries/{custody}",
        f"/rfr/searches/{sid}",
        f"/rfr/reports/{report['id']}",
        "/",
    ):
        assert web.get(page).status_code == 200, page

    # another RFR user: the search, its probe, its candidates and its report are refused
    h2 = login(web, "rfr2")
    for url in (
        f"/api/rfr/searches/{sid}",
        f"/api/rfr/searches/{sid}/candidates",
        f"/api/rfr/candidates/{cands[0]['id']}/image",
        f"/api/rfr/reports/{report['id']}",
        f"/api/rfr/probe-images/{search['probe_image_ids'][0]}",
        f"/rfr/searches/{sid}",
        f"/rfr/faces/{left['id']}/crop.png",
    ):
        r = web.get(url)
        assert r.status_code == 403, url
    r = web.post(
        f"/api/rfr/candidates/{cands[1]['id']}/adjudication",
        json={"viable": True, "note": "x"},
        headers=h2,
    )
    assert r.status_code == 403 and r.json()["rule"] == "ACCESS-OBJECT"


def test_a_library_outside_access_wrong_roles_and_unknown_ids(
    web, people, approved_library, group_photo
):
    restricted = approved_library("Op Test", level=1, access=["rfr2"])
    h = login(web, "rfr")
    sid, _ = _search(web, h, group_photo)
    r = web.post(f"/api/rfr/searches/{sid}/form", json={"library_ids": [restricted]}, headers=h)
    assert r.status_code == 200
    web.post(
        f"/api/rfr/searches/{sid}/faces",
        headers=h,
        json={"face_ids": [web.get(f"/api/rfr/searches/{sid}").json()["faces"][0]["id"]]},
    )
    from tests.rfr.helpers import FORM3

    web.post(f"/api/rfr/searches/{sid}/form", json=dict(FORM3, library_ids=[restricted]), headers=h)
    r = web.post(f"/api/rfr/searches/{sid}/submit", headers=h)
    assert r.status_code == 403 and "access restrictions" in r.json()["detail"]
    assert r.json()["citation"] == "003 §5.7(f)(ii)"
    assert web.get("/api/rfr/searches/nope").status_code == 404
    assert (
        web.post(
            "/api/rfr/libraries/nope/decision", headers=h, json={"approve": True, "rationale": "x"}
        ).status_code
        == 403
    )  # not a decider at all
    h_op = login(web, "operator")
    assert web.get("/api/rfr/libraries").status_code == 403
    assert (
        web.post("/api/rfr/searches", json={"case_reference": "X"}, headers=h_op).status_code == 403
    )
    assert web.get("/rfr").status_code == 403
    h_insp = login(web, "inspector")
    assert (
        web.post(
            f"/api/rfr/searches/{sid}/decision", json={"approve": True, "note": "x"}, headers=h_insp
        ).status_code
        == 403
    )  # a draft: not theirs to see
    assert web.get(f"/api/rfr/searches/{sid}").status_code == 403


def test_huge_and_malformed_uploads_are_refused_with_a_clear_4xx(web, people, monkeypatch):
    from frt.web.api import rfr_searches as api

    h = login(web, "rfr")
    sid = web.post("/api/rfr/searches", json={"case_reference": "C"}, headers=h).json()["id"]
    r = web.post(
        f"/api/rfr/searches/{sid}/probe",
        headers=h,
        files={"file": ("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")},
    )
    assert r.status_code == 400 and "cannot be used" in r.json()["detail"]
    r = web.post(
        f"/api/rfr/searches/{sid}/probe",
        headers=h,
        files={"file": ("x.bin", b"hello" * 100, "application/octet-stream")},
    )
    assert r.status_code == 400 and "neither an image nor a video" in r.json()["detail"]
    big = b"\0" * (api.UPLOAD_BYTES + 10)
    r = web.post(
        f"/api/rfr/searches/{sid}/probe", headers=h, files={"file": ("x.mp4", big, "video/mp4")}
    )
    assert r.status_code == 413
    r = web.post(f"/api/rfr/searches/{sid}/form", headers=h, json={"probe_level": "high"})
    assert r.status_code == 422
    r = web.post(f"/api/rfr/searches/{sid}/form", headers=h, json={"age_band": "baby"})
    assert r.status_code == 400 and "perceived age band" in r.json()["detail"]
    r = web.post(f"/api/rfr/searches/{sid}/form", headers=h, json={"necessity": "x" * 30_000})
    assert r.status_code == 422
    r = web.post(f"/api/rfr/searches/{sid}/faces", headers=h, json={"face_ids": ["forged"]})
    assert r.status_code == 400
