"""One run of a clip is counted once (issue 12, item 4): the metrics page, the CLI and the
cancellation report agree on frames and faces. The recognition worker's supervisor used to add a
camera's counts again after its run had ended (150 frames for a 75-frame clip)."""

from __future__ import annotations

import pytest

from frt.lfr import synthetic
from frt.lfr.records import counter_totals
from frt.lfr.runner import Runner
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import clock_at, passes

THRESHOLD = 0.97


@pytest.fixture(scope="module")
def short_clip(live_dir):
    frames = list(passes(2, on=10, off=10))
    return synthetic.write_video(live_dir / "short.mp4", frames, fps=25.0), len(frames)


@pytest.mark.req("LIVE-08")
def test_one_run_of_a_clip_counts_each_frame_once(store, live, short_clip):
    video, n_frames = short_clip
    _, dep_id = live(min_threshold=THRESHOLD)
    runner = Runner(
        store, dep_id, [str(video)], workers=0, poll_s=0.3, clock=clock_at(), realtime_files=True
    )
    results = runner.run()
    run_frames = sum(r.counters.frames for r in results)
    run_faces = sum(r.counters.faces_detected for r in results)
    with store.session() as db:
        totals = counter_totals(db, dep_id)
    assert run_frames == n_frames
    assert totals["frames"] == n_frames
    assert totals["faces_detected"] == run_faces
