"""Tracks, the templating policy, and matching with per-image thresholds."""

import numpy as np
import pytest

from frt.engine.template import Template
from frt.lfr.analyse import Observation
from frt.lfr.tracker import TemplatePolicy, Tracker
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow


def _obs(x, quality=0.5, chip=True, in_zone=True):
    return Observation(
        (x, 100, x + 80, 180),
        in_zone,
        quality,
        30.0,
        chip,
        np.full((150, 150, 3), 7, np.uint8) if chip else None,
    )


def test_a_face_moving_across_frames_is_one_track():
    tracker = Tracker()
    for i in range(10):
        tracker.update(i, float(i), i / 25, [_obs(100 + 12 * i)])
    assert len(tracker.tracks) == 1 and tracker.started == 1


def test_track_keeps_only_its_best_chip_and_wipes_the_others():
    tracker = Tracker()
    worse, better = _obs(100, 0.4), _obs(102, 0.8)
    tracker.update(0, 0.0, 0.0, [worse])
    tracker.update(1, 0.1, 0.04, [better])
    track = next(iter(tracker.tracks.values()))
    assert track.chip is better.chip
    assert not worse.chip.any()  # overwritten, not merely dropped
    later_worse = _obs(104, 0.5)
    tracker.update(2, 0.2, 0.08, [later_worse])
    assert not later_worse.chip.any()


@pytest.mark.req("LIVE-03")
def test_a_track_that_ends_wipes_its_chip():
    tracker = Tracker(TemplatePolicy(max_missing_frames=2))
    obs = _obs(100)
    tracker.update(0, 0.0, 0.0, [obs])
    ended = []
    for i in range(1, 5):
        ended += tracker.update(i, float(i), i / 25, [])
    assert len(ended) == 1 and not tracker.tracks
    assert not obs.chip.any() and ended[0].chip is None


def test_template_policy_first_view_at_once_then_only_clearly_better_views():
    tracker = Tracker(TemplatePolicy(max_templates=2, min_gap_frames=2, improvement=0.1))
    tracker.update(0, 0.0, 0.0, [_obs(100, 0.5)])
    track = next(iter(tracker.tracks.values()))
    assert tracker.wants_template(track, 0)
    track.take_chip()
    track.templates, track.templated_quality, track.last_template_frame = 1, 0.5, 0
    tracker.update(1, 0.1, 0.0, [_obs(101, 0.55)])
    tracker.update(3, 0.2, 0.0, [_obs(102, 0.55)])
    assert not tracker.wants_template(track, 3)  # not better enough
    tracker.update(4, 0.3, 0.0, [_obs(103, 0.7)])
    assert tracker.wants_template(track, 4)
    track.templates = 2
    assert not tracker.wants_template(track, 10)  # budget spent


def test_face_outside_the_zone_does_not_start_recognition_time():
    tracker = Tracker()
    tracker.update(0, 0.0, 0.0, [_obs(100, chip=False, in_zone=False)])
    tracker.update(1, 1.0, 0.04, [_obs(104)])
    track = next(iter(tracker.tracks.values()))
    assert track.first_frame == 1 and track.first_captured == 1.0


def _t(v):
    v = np.asarray(v, np.float32)
    return Template(v / np.linalg.norm(v), "dlib-resnet", "1")


@pytest.mark.req("WL-09")
def test_a_raised_image_threshold_stops_an_alert_the_deployment_threshold_allows():
    a, b = _t([1, 0, 0]), _t([0, 1, 0])
    probe = np.array([0.8, 0.6, 0], np.float32)  # cos 0.8 with a: score 0.9
    plain = LiveWatchlist([WatchlistRow("a1", "A", a), WatchlistRow("b1", "B", b)], 0.85)
    assert plain.match(probe).subject_id == "A"
    raised = LiveWatchlist(
        [WatchlistRow("a1", "A", a, threshold_raise=0.95), WatchlistRow("b1", "B", b)], 0.85
    )
    assert raised.match(probe) is None


def test_match_picks_the_best_row_over_its_threshold():
    rows = [
        WatchlistRow("a1", "A", _t([1, 0.1, 0])),
        WatchlistRow("a2", "A", _t([1, 0, 0])),
        WatchlistRow("b1", "B", _t([0, 1, 0])),
    ]
    hit = LiveWatchlist(rows, 0.8).match(np.array([1, 0, 0], np.float32))
    assert hit.entry_id == "a2" and hit.score == pytest.approx(1.0)


def test_wiping_a_watchlist_overwrites_its_templates():
    t = _t([1, 2, 3])
    wl = LiveWatchlist([WatchlistRow("a1", "A", t)], 0.9)
    wl.wipe()
    assert not t.vector.any() and len(wl) == 0 and wl.match(np.ones(3, np.float32)) is None
