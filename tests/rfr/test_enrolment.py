"""Enrolling libraries: folder and CSV imports with their metadata and refusals, a killed import
resumed with nothing lost or duplicated, re-enrolment from the originals (RFR-03;
003 §1.10(1), §3.1 'Template', §7.1(b)(i))."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date

import numpy as np
import pytest
from sqlalchemy import func, select

from frt.core.actions import perform
from frt.engine.enrol import EngineSpec
from frt.policy import PolicyRefusal
from frt.rfr import enrol, libraries
from frt.rfr.models import RfrEnrolmentJob, RfrLibraryImage, RfrTemplate
from tests.rfr.conftest import FORM

pytestmark = pytest.mark.req("RFR-03")


def _variants(heads, n: int) -> list[np.ndarray]:
    """n different images of the two people: scaled, shifted, lit and mirrored differently."""
    import cv2

    out = []
    for k in range(n):
        src = heads["astronaut" if k % 2 == 0 else "hopper"]
        f = 0.55 + 0.05 * (k % 6)
        img = cv2.resize(src, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        img = cv2.convertScaleAbs(img, alpha=0.9 + 0.02 * (k % 7), beta=(k % 5) * 3)
        if k % 3 == 0:
            img = np.ascontiguousarray(img[:, ::-1])
        pad = 10 + k % 9
        out.append(
            cv2.copyMakeBorder(
                img, pad, pad, pad + 3, pad, cv2.BORDER_CONSTANT, value=(150 + k, 160, 170)
            )
        )
    return out


def write_folder(folder, heads, n: int) -> list[str]:
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for k, rgb in enumerate(_variants(heads, n)):
        name = f"img{k:03d}.png"
        Image.fromarray(rgb).save(folder / name)
        names.append(name)
    return names


@pytest.fixture
def library(approved_library):
    return approved_library("Custody images", level=1)


def _images(store, lib_id):
    with store.session() as s:
        return list(
            s.scalars(
                select(RfrLibraryImage)
                .where(RfrLibraryImage.library_id == lib_id)
                .order_by(RfrLibraryImage.item_key)
            )
        )


def test_a_csv_import_keeps_originals_sealed_templates_tagged_and_retention_metadata(
    store, people, library, heads, tmp_path
):
    from PIL import Image

    folder = tmp_path / "custody"
    write_folder(folder, heads, 4)
    Image.fromarray(np.full((120, 120, 3), 90, np.uint8)).save(folder / "wall.png")  # no face
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "copy.png").write_bytes((folder / "img000.png").read_bytes())  # a duplicate
    (folder / "list.csv").write_text(
        "file,captured_on,date_of_birth,age_band,mopi_group,source_reference\n"
        "img000.png,2024-03-01,1990-05-02,,1,CUST/1\n"
        "img001.png,2024-03-02,2010-01-01,,2,CUST/2\n"
        "img002.png,2023-01-01,,16_18,3,CUST/3\n"
        "img003.png,,,,,\n"
        "wall.png,,,,,\nbroken.jpg,,,,,\ncopy.png,,,,,\n"
    )
    summary = enrol.run_import(store, people["frteam"], library, folder / "list.csv", workers=1)
    assert (summary.total, summary.enrolled, summary.refused) == (7, 4, 3)
    assert (
        set(summary.reasons) == {"no face found", "duplicate", "truncated or corrupt image"}
        or len(summary.reasons) == 3
    )
    rows = {i.item_key: i for i in _images(store, library)}
    first = rows["img000.png"]
    assert (first.captured_on, first.age_band, first.mopi_group, first.source_reference) == (
        date(2024, 3, 1),
        "over_18",
        1,
        "CUST/1",
    )
    assert rows["img001.png"].age_band == "13_15"  # worked out from the date of birth
    assert rows["img002.png"].age_band == "16_18"
    assert rows["wall.png"].status == "refused" and rows["wall.png"].reason == "no face found"
    assert rows["copy.png"].reason.startswith("duplicate")
    original = (folder / "img000.png").read_bytes()
    assert first.image_sealed != original and original not in first.image_sealed
    assert libraries.open_image(store.cipher, first) == original
    with store.session() as s:
        kinds = set(s.execute(select(RfrTemplate.algorithm, RfrTemplate.version)))
        job = s.scalars(select(RfrEnrolmentJob)).one()
    assert kinds == {("dlib-resnet", "1-flip-zoom")}
    assert (job.status, job.enrolled, job.refused) == ("finished", 4, 3)


def test_an_unapproved_library_enrols_nothing(store, people, heads, tmp_path):
    lib = perform(store, people["sro"], libraries.apply, "substantive", "Not yet", **FORM)
    write_folder(tmp_path / "f", heads, 1)
    with pytest.raises(PolicyRefusal) as refused:
        enrol.run_import(store, people["frteam"], lib.reference, tmp_path / "f", workers=1)
    assert refused.value.decision.rule == "RFR-LIB-ENROL"
    with pytest.raises(PolicyRefusal) as refused:
        enrol.run_import(store, people["rfr"], lib.reference, tmp_path / "f", workers=1)
    assert refused.value.decision.rule == "ACCESS-ROLE"


@pytest.mark.slow
def test_a_killed_import_resumed_loses_and_duplicates_nothing(
    store, settings, people, library, heads, tmp_path, monkeypatch
):
    n = 24
    names = write_folder(tmp_path / "big", heads, n)
    monkeypatch.setattr(enrol, "BATCH", 4)
    env = dict(
        os.environ,
        FRT_DATA_DIR=str(settings.data_dir),
        FRT_DATABASE_URL=settings.database_url,
        FRT_RFR_ENROL_BATCH="4",
    )
    args = [
        sys.executable,
        "-m",
        "frt.cli",
        "rfr",
        "library",
        "import",
        library,
        str(tmp_path / "big"),
        "--as",
        "frteam",
        "--workers",
        "2",
    ]
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + 240
    try:
        while len(_images(store, library)) < 8:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.2)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(30)
    partial = len(_images(store, library))
    assert 8 <= partial < n, "killed mid-import"
    resumed = subprocess.run(args, env=env, capture_output=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr.decode()[-2000:]
    images = _images(store, library)
    assert sorted(i.item_key for i in images) == names  # every file once: none lost or doubled
    with store.session() as s:
        templates = s.scalar(select(func.count()).select_from(RfrTemplate))
        per_image = s.execute(
            select(RfrTemplate.image_id, func.count())
            .group_by(RfrTemplate.image_id)
            .having(func.count() > 1)
        ).all()
        jobs = {j.status: j for j in s.scalars(select(RfrEnrolmentJob))}
    assert templates == sum(i.status == "enrolled" for i in images) and per_image == []
    assert set(jobs) == {"interrupted", "finished"}
    assert jobs["finished"].skipped == partial
    assert b"already there" in resumed.stdout


def test_re_enrolment_makes_new_templates_from_the_originals(
    store, people, library, heads, tmp_path
):
    write_folder(tmp_path / "f", heads, 3)
    enrol.run_import(store, people["frteam"], library, tmp_path / "f", workers=1)
    spec = EngineSpec(
        detector="thorough",
        algorithm="dlib-resnet",
        algorithm_options={"flip": False, "zoom": False},
        quality_gate=True,
    )
    summary = enrol.run_reenrol(store, people["frteam"], library, spec=spec, workers=1)
    assert summary.enrolled == 3
    again = enrol.run_reenrol(store, people["frteam"], library, spec=spec, workers=1)
    assert again.total == 0  # resumable: nothing left to do
    with store.session() as s:
        kinds = sorted(
            s.execute(select(RfrTemplate.version, func.count()).group_by(RfrTemplate.version)).all()
        )
    assert kinds == [("1", 3), ("1-flip-zoom", 3)]
