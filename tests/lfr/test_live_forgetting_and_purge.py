"""LIVE-03 end to end: a Deployment runs on a video of a passer-by who is on no list; afterwards
no image or template of that face is anywhere — in any table (sealed blobs opened), the data
folder or the temporary folder; only counters remain. And DATA-02 / DATA-08: after a Deployment
the Watchlist and its working data are deleted, each deletion logged as counts."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import func, select

from frt.audit.models import AuditRecord
from frt.governance import reports
from frt.governance.watchlist_models import Watchlist, WatchlistEntry, WatchlistImage
from frt.lfr import blue as blue_list
from frt.lfr import devices
from frt.lfr.models import BlueMember, CameraCounters, DeploymentWipe, HandheldDevice, LiveAlert
from frt.lfr.purge import purge
from frt.lfr.report import LiveRecords
from frt.lfr.runner import Runner
from frt.store.base import Base
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import RUN_AT, clock_at, set_state
from tests.lfr.test_live_stop import THRESHOLD

MAGIC = (b"\x89PNG\r\n", b"\xff\xd8\xff")


def template_like(data: bytes, probes, min_cos: float = 0.85) -> bool:
    """Whether `data` holds, at any byte offset, 128 float32s forming a unit vector nearer the
    passer-by's templates (`probes[0]`) than the Watchlist's (`probes[1]`)."""
    passer_by, listed = probes
    for shift in range(4):
        usable = (len(data) - shift) // 4
        if usable < 128:
            continue
        with np.errstate(invalid="ignore", over="ignore"):
            arr = np.frombuffer(data, "<f4", usable, shift).astype(np.float64)
        finite = np.isfinite(arr) & (np.abs(arr) < 1.0)
        arr = np.where(finite, arr, 0.0)
        sq = np.concatenate([[0.0], np.cumsum(arr * arr)])
        norms = sq[128:] - sq[:-128]
        bad = np.concatenate([[0], np.cumsum(~finite)])
        ok = np.flatnonzero((np.abs(norms - 1.0) < 0.05) & ((bad[128:] - bad[:-128]) == 0))
        for i in ok:
            window = arr[i : i + 128]
            near = max(float(window @ p) for p in passer_by)
            if near >= min_cos and near > max(float(window @ q) for q in listed):
                return True
    return False


def images_or_templates(data: bytes, probes) -> bool:
    return any(m in data for m in MAGIC) or template_like(data, probes)


@pytest.fixture
def hopper_templates(engine, photos):
    def units(*keys):
        found = [engine.analyse(photos[k]).template.vector.astype(np.float64) for k in keys]
        return [v / np.linalg.norm(v) for v in found]

    return units("hopper", "hopper_mirrored"), units("astronaut")


def footage(data: bytes) -> bool:
    """An MP4/MOV, AVI or Matroska file: recorded CCTV footage (LIVE-09)."""
    return (
        data[4:8] == b"ftyp"
        or (data[:4] == b"RIFF" and data[8:11] == b"AVI")
        or data[:4] == b"\x1aE\xdf\xa3"
    )


@pytest.mark.req("LIVE-03", "LIVE-09")
def test_a_passer_by_leaves_no_image_or_template_anywhere_only_counts(
    store, settings, live, passers_by_video, hopper_templates, tmp_path, monkeypatch
):
    # The run's temporary folder is a fresh one (other processes on this machine share /tmp).
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    leak = b"abc" + hopper_templates[0][0].astype("<f4").tobytes()  # the search does find one
    assert images_or_templates(leak, hopper_templates)
    _, dep_id = live(min_threshold=THRESHOLD)
    started = time.time()
    Runner(
        store,
        dep_id,
        [str(passers_by_video)],
        workers=0,
        poll_s=0.2,
        clock=clock_at(),
        realtime_files=False,
    ).run()
    with store.session() as s:
        counters = s.scalars(select(CameraCounters)).one()
        assert counters.faces_detected > 0 and counters.templates > 0  # they were seen…
        assert s.scalar(select(func.count()).select_from(LiveAlert)) == 0  # …and raised nothing
        found = _search_tables(store, s, hopper_templates)
    assert found == [], f"passer-by data in the database: {found}"
    for folder in (settings.data_dir, private_tmp):
        hits = [
            str(p)
            for p in _files(folder, started)
            if images_or_templates(p.read_bytes(), hopper_templates) or footage(p.read_bytes())
        ]  # the live system records no footage at all
        assert hits == [], f"passer-by data in {folder}: {hits}"


def _search_tables(store, session, probes) -> list[str]:
    sealed = {
        ("lfr_watchlist_images", "image_sealed"): "lfr_watchlist_images.image",
        ("lfr_watchlist_images", "template_sealed"): "lfr_watchlist_images.template",
        ("lfr_alerts", "probe_sealed"): "lfr_alerts.probe",
        ("lfr_blue_members", "template_sealed"): "lfr_blue_members.template",
    }
    found = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                if not isinstance(value, bytes) or not value:
                    continue
                context = sealed.get((table.name, column))
                if context:
                    value = store.cipher.open(value, context=f"{context}:{row['id']}".encode())
                    if context.endswith("image"):
                        continue  # the Watchlist's own photos: the astronaut, checked below
                if template_like(value, probes) or (not context and any(m in value for m in MAGIC)):
                    found.append(f"{table.name}.{column}")
    return found


def _files(folder: Path, since: float):
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(("pytest-of-", "bash_jobs"))]
        for name in names:
            path = Path(root) / name
            try:
                if path.is_file() and path.stat().st_mtime >= since - 1:
                    yield path
            except OSError:
                continue


@pytest.mark.req("DATA-02", "DATA-08", "WL-08")
def test_after_the_deployment_its_watchlist_and_working_data_are_deleted_and_counted(
    store, act, live, engine, photos, officer
):
    auth_id, dep_id = live()
    with act("silver", now=RUN_AT) as ctx:
        blue_list.enrol(ctx, dep_id, photos["hopper"], "signed consent form, 1 Dec", engine=engine)
        devices.enrol(ctx, dep_id, officer, "HH-01")
    assert purge(store, now=RUN_AT) == []  # still running: nothing is touched
    set_state(act, dep_id, "terminated")
    with store.session() as s:
        finished = s.get(
            __import__("frt.governance.models", fromlist=["Deployment"]).Deployment, dep_id
        ).finished_at
    wiped = purge(store, now=finished + timedelta(hours=1))
    assert [
        (w.watchlist_individuals, w.watchlist_images, w.blue_members, w.devices_revoked, w.on_time)
        for w in wiped
    ] == [(1, 1, 1, 1, True)]
    with store.session() as s:
        for model in (Watchlist, WatchlistEntry, WatchlistImage, BlueMember):
            assert s.scalar(select(func.count()).select_from(model)) == 0
        assert s.scalars(select(HandheldDevice)).one().revoked_at is not None
        audit = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "lfr.deployment.wipe")
        ).one()
        assert audit.detail["watchlist_images"] == 1 and audit.detail["citation"] == "000 §13.1(b)"
        metrics = reports.collect(s, dep_id, providers=[reports.GovernanceRecords(), LiveRecords()])
        assert metrics.watchlist_individuals == 1  # 11.3(a) survives the deletion
    assert purge(store, now=finished + timedelta(hours=2)) == []  # once only


@pytest.mark.req("DATA-02", "LIVE-10")
def test_a_deployment_left_running_past_its_window_is_ended_and_wiped_by_the_job(store, live):
    from frt.governance.models import Deployment
    from tests.lfr.live_fixtures import END

    _, dep_id = live()
    wiped = purge(store, now=END + timedelta(minutes=5))
    assert [w.deployment_id for w in wiped] == [dep_id]
    with store.session() as s:
        assert s.get(Deployment, dep_id).state == "ended"
        assert s.scalars(select(DeploymentWipe)).one().watchlist_images == 1


@pytest.mark.req("DATA-03")
def test_the_retention_report_lists_a_watchlist_held_past_its_deadline_until_it_is_wiped(
    store, act, live
):
    from frt.lfr.purge import retention_report

    _, dep_id = live()
    set_state(act, dep_id, "terminated")
    with store.session() as s:
        from frt.governance.models import Deployment

        finished = s.get(Deployment, dep_id).finished_at
    assert retention_report(store, now=finished + timedelta(hours=23)) == []  # within 24 h
    late = retention_report(store, now=finished + timedelta(hours=25))
    assert [(o.deployment_id, o.wiped_at) for o in late] == [(dep_id, None)]
    wiped = purge(store, now=finished + timedelta(hours=26))  # the job ran late…
    assert not wiped[0].on_time
    with store.session() as s:
        audit = s.scalars(
            select(AuditRecord).where(AuditRecord.action == "lfr.deployment.wipe")
        ).one()
        assert audit.detail["within_deadline"] is False  # …and the audit says so, with counts
    still = retention_report(store, now=finished + timedelta(hours=27))
    assert [o.wiped_at is not None for o in still] == [True]  # the breach stays on the report


@pytest.mark.req("LIVE-03")
def test_the_copies_made_to_analyse_and_template_a_face_are_zeroed_once_used(monkeypatch):
    """Past the database, disk and temp folders: the buffers the pipeline's workers and the
    template network make of a face are overwritten as soon as they have been used."""
    from frt.engine import template
    from frt.lfr import analyse, synthetic
    from frt.lfr.zone import Zone

    frame = np.ascontiguousarray(synthetic.head("grace_hopper")[:, :, ::-1])  # BGR
    crop = analyse.Crop(frame.copy(), 0, 0, (0, 0, frame.shape[1], frame.shape[0]), 1.0)
    zone = Zone(min_inter_eye_px=10)
    job = analyse.AnalyseJob(
        0, [crop], zone, analyse.QualityThresholds(min_inter_eye_px=10), analyse.default_detector()
    )
    result = analyse.analyse(job)
    chips = [o.chip for o in result.observations if o.chip is not None]
    assert chips and not crop.bgr.any()  # the analysed region is gone; its chip is kept

    made = []
    zoomed = template._zoomed
    monkeypatch.setattr(template, "_zoomed", lambda c: made.append(zoomed(c)) or made[-1])
    kept = chips[0].copy()
    analyse.embed([chips[0]], "dlib-resnet", {}, wipe_chips=False)  # inline: the caller's chip
    assert np.array_equal(chips[0], kept) and made and not any(m.any() for m in made)
    analyse.embed([chips[0]], "dlib-resnet", {}, wipe_chips=True)  # a worker's own copy
    assert not chips[0].any()
