"""The live pipeline end to end on short synthetic videos (inline workers: fast and exact)."""

import os
import tempfile

import pytest

from frt.lfr import analyse
from frt.lfr.pipeline import Pipeline, PipelineConfig
from frt.lfr.sources import FileSource
from frt.lfr.workers import InlinePool, ProcessPool
from frt.lfr.zone import Zone

from .conftest import watchlist_of


@pytest.fixture(scope="module")
def pool():
    return InlinePool("dlib-resnet", {"flip": False})


def run(video, watchlists, pool, zone=Zone(), on_alert=None, **config):
    alerts = []
    pipeline = Pipeline(
        watchlists,
        PipelineConfig(zone=zone, **config),
        pool,
        on_alert=on_alert or alerts.append,
        camera="cam-1",
    )
    return pipeline.run(FileSource(str(video))), alerts


def _detectors():
    from frt.engine import detect_fast

    return ["hog"] + ([detect_fast.NAME] if detect_fast.available() else [])


@pytest.mark.req("LIVE-02")
@pytest.mark.parametrize("detector", _detectors())
def test_person_on_the_watchlist_alerts_once_and_the_other_does_not(
    two_people_video, templates, pool, detector
):
    result, alerts = run(
        two_people_video, [watchlist_of(templates, "astronaut")], pool, detector=detector
    )
    assert [a.match.subject_id for a in alerts] == ["astronaut"]
    a = alerts[0]
    assert a.match.score >= 0.95 and a.match.category == "wanted" and a.camera == "cam-1"
    assert a.probe.shape == (150, 150, 3) and a.probe.any()
    assert a.recognition_time_ms > 0 and a.first_pts_s <= a.alert_pts_s
    c = result.counters
    assert c.frames == 24 and c.tracks == 2 and c.alerts == 1
    assert c.faces_detected >= 40
    # Each person is templated a few times at most, not once per frame.
    assert 2 <= c.templates <= 2 * 3


@pytest.mark.req("LIVE-01")
def test_faces_outside_the_zone_are_never_templated(two_people_video, templates, pool):
    # A triangle over the left person (the scene puts the astronaut left, Grace Hopper right)
    # whose bounding box is the whole frame, so both are detected but one is outside.
    triangle = Zone(polygon=((0, 0), (640, 0), (0, 360)))
    result, alerts = run(
        two_people_video, [watchlist_of(templates, "grace_hopper")], pool, zone=triangle
    )
    assert alerts == [] and result.counters.faces_outside_zone > 0
    assert result.counters.tracks == 1


@pytest.mark.req("LIVE-01")
def test_faces_per_frame_limit(two_people_video, templates, pool):
    result, _ = run(
        two_people_video, [watchlist_of(templates, "astronaut")], pool, zone=Zone(max_faces=1)
    )
    assert result.counters.faces_over_limit > 0


@pytest.mark.req("LIVE-01")
def test_faces_smaller_than_the_zone_minimum_are_not_templated(two_people_video, templates, pool):
    result, alerts = run(
        two_people_video,
        [watchlist_of(templates, "astronaut")],
        pool,
        zone=Zone(min_inter_eye_px=200),
    )
    assert alerts == [] and result.counters.templates == 0


@pytest.mark.req("WL-09")
def test_raised_image_threshold_applies_live(two_people_video, templates, pool):
    wl = watchlist_of(templates, "astronaut", raises={"astronaut": 0.99999})
    _, alerts = run(two_people_video, [wl], pool)
    assert alerts == []


@pytest.mark.req("WL-08")
def test_blue_watchlist_alerts_are_marked_apart(two_people_video, templates, pool):
    blue = watchlist_of(templates, "grace_hopper", blue=True)
    _, alerts = run(two_people_video, [watchlist_of(templates, "astronaut"), blue], pool)
    assert {(a.match.subject_id, a.blue) for a in alerts} == {
        ("astronaut", False),
        ("grace_hopper", True),
    }


class Spy:
    """Wraps a pool and keeps a reference to every chip and template the workers hand back."""

    def __init__(self, pool):
        self.pool, self.chips, self.vectors = pool, [], []
        self.workers = pool.workers

    def submit(self, fn, *args):
        future = self.pool.submit(fn, *args)
        value = future.result()
        if fn is analyse.analyse:
            self.chips += [o.chip for o in value.observations if o.chip is not None]
        elif fn is analyse.embed:
            self.vectors.append(value[0])
        return future


@pytest.mark.req("LIVE-03")
def test_faces_that_raise_no_alert_leave_no_chip_template_or_file(
    astronaut_only_video, templates, pool, tmp_path, monkeypatch
):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    spy = Spy(pool)
    alerts = []
    pipeline = Pipeline(
        [watchlist_of(templates, "grace_hopper")], PipelineConfig(), spy, on_alert=alerts.append
    )
    result = pipeline.run(FileSource(str(astronaut_only_video)))
    assert alerts == [] and result.counters.templates >= 1 and spy.chips and spy.vectors
    # Every chip and template that existed in memory has been overwritten...
    assert all(not chip.any() for chip in spy.chips)
    assert all(not v.any() for v in spy.vectors)
    # ...no track holds anything, and nothing was written to temporary files.
    assert not pipeline.tracker.tracks
    assert os.listdir(tmp_path) == []


@pytest.mark.req("LIVE-02")
def test_work_runs_in_worker_processes(two_people_video, templates):
    pool = ProcessPool("dlib-resnet", {"flip": False}, workers=2)
    try:
        result, alerts = run(two_people_video, [watchlist_of(templates, "astronaut")], pool)
    finally:
        pool.shutdown()
    assert [a.match.subject_id for a in alerts] == ["astronaut"] and result.counters.frames == 24


def test_stop_ends_the_run_promptly(two_people_video, templates, pool):
    seen = []
    pipeline = Pipeline(
        [watchlist_of(templates, "astronaut")],
        PipelineConfig(),
        pool,
        on_alert=lambda a: (seen.append(a), pipeline.stop()),
    )
    result = pipeline.run(FileSource(str(two_people_video)))
    assert len(seen) == 1 and result.counters.frames < 24


def test_a_pipeline_needs_a_watchlist(pool):
    with pytest.raises(ValueError):
        Pipeline([], PipelineConfig(), pool, on_alert=print)


@pytest.fixture(scope="module")
def small_faces_video(tmp_path_factory):
    from frt.lfr import synthetic

    return synthetic.write_video(
        tmp_path_factory.mktemp("small") / "small.mp4",
        synthetic.scene_frames(16, faces=2, size=(640, 360), face_px=40),
    )


@pytest.mark.req("LIVE-02", "LIVE-08")
def test_faces_under_the_zones_minimum_are_counted_as_too_small_not_templated(
    small_faces_video, templates, pool
):
    result, alerts = run(
        small_faces_video,
        [watchlist_of(templates, "astronaut")],
        pool,
        zone=Zone(min_inter_eye_px=25),
    )
    c = result.counters
    assert alerts == [] and c.templates == 0
    assert c.faces_detected > 0 and c.faces_too_small == c.faces_poor_quality > 0


@pytest.mark.req("LIVE-02")
def test_a_profile_raises_a_zone_below_its_face_size_floor_with_its_reason():
    from frt.lfr.zone import gated
    from frt.policy import load_profile

    for name, cite in (("mps", "004 §13.1"), ("cumbria", "004 §13.1")):
        zone, quality, why = gated(Zone(min_inter_eye_px=10), load_profile(name))
        assert zone.min_inter_eye_px == 20 and quality == 0.25
        assert cite in why and "raised to 20 px" in why
    zone, _, why = gated(Zone(min_inter_eye_px=32), load_profile("mps"))
    assert zone.min_inter_eye_px == 32 and "raised" not in why  # stricter is kept


@pytest.mark.req("LIVE-02", "LIVE-03")
def test_a_track_compares_the_quality_weighted_mean_of_its_views_and_forgets_them():
    import numpy as np

    from frt.lfr.tracker import Track

    track = Track(1, 0, 0.0, 0.0, (0, 0, 10, 10), 0)
    a, b = np.array([1, 0, 0], np.float32), np.array([0, 1, 0], np.float32)
    first = track.add_view(a, 0.5)
    assert np.allclose(first, a)
    probe = track.add_view(b, 1.5)  # the better view weighs three times as much
    assert np.allclose(probe, np.array([0.25, 0.75, 0]) / np.linalg.norm([0.25, 0.75, 0]))
    track.forget()
    assert not a.any() and not b.any() and track.views == []
