"""Camera sources: every frame counted, corrupt frames survived, dropped streams reconnected."""

import threading
import time

import numpy as np
import pytest

from frt.lfr.sources import FileSource, LiveSource, open_source


class FakeCapture:
    """A stream that delivers `frames` frames (None = a corrupt one) and then stops."""

    def __init__(self, frames, opened=True, delay=0.0):
        self.frames, self.opened, self.delay = list(frames), opened, delay

    def isOpened(self):
        return self.opened

    def read(self):
        time.sleep(self.delay)
        if not self.frames:
            return False, None
        f = self.frames.pop(0)
        return True, f

    def get(self, prop):
        return 0.0

    def release(self):
        pass


GOOD = np.zeros((32, 32, 3), np.uint8)


@pytest.mark.req("LIVE-01")
def test_file_source_yields_every_frame(two_people_video):
    source = open_source(str(two_people_video))
    assert isinstance(source, FileSource)
    frames = list(source.frames())
    assert len(frames) == 24 and source.counters.frames == 24
    assert [f.index for f in frames] == list(range(24))


def test_stream_urls_and_camera_numbers_are_live_sources_and_hide_credentials():
    assert isinstance(open_source("0"), LiveSource)
    source = open_source("rtsp://user:secret@cam.local/stream")
    assert isinstance(source, LiveSource) and "secret" not in source.name


@pytest.mark.req("LIVE-01")
def test_corrupt_frames_in_a_file_are_counted_and_skipped(tmp_path, two_people_video):
    data = bytearray(two_people_video.read_bytes())
    # Overwrite a stretch in the middle of the stream (after the header).
    mid = len(data) // 2
    data[mid : mid + 4000] = b"\x00" * 4000
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(bytes(data))
    source = FileSource(str(broken))
    frames = list(source.frames())
    assert frames, "the frames before and after the damage are still processed"
    c = source.counters
    assert c.frames == len(frames)
    # FFmpeg conceals some damage; what it cannot decode is counted, never silent.
    assert c.frames + c.corrupt_frames <= 24


def test_corrupt_frames_from_a_stream_are_counted():
    bad = np.zeros((2, 2), np.uint8)
    caps = [FakeCapture([GOOD, bad, bad, GOOD])]
    source = LiveSource(
        "rtsp://x",
        opener=lambda spec: caps.pop(0) if caps else FakeCapture([], False),
        backoff_start=0.01,
        backoff_max=0.02,
    )
    got = _take(source, 2)
    assert len(got) == 2 and source.counters.corrupt_frames == 2


@pytest.mark.req("LIVE-01")
def test_a_stream_that_stops_and_comes_back_is_reconnected():
    attempts = []

    def opener(spec):
        attempts.append(spec)
        n = len(attempts)
        if n == 1:
            return FakeCapture([GOOD] * 3, delay=0.005)
        if n in (2, 3):
            return FakeCapture([], opened=False)  # the camera is away for a while
        return FakeCapture([GOOD] * 3, delay=0.005)

    source = LiveSource("rtsp://cam", opener=opener, backoff_start=0.01, backoff_max=0.05)
    got = _take(source, 6, timeout=5)
    assert len(got) >= 4
    assert source.counters.reconnects >= 1 and len(attempts) >= 4


@pytest.mark.req("LIVE-01")
def test_frames_a_slow_pipeline_cannot_take_are_counted_as_dropped():
    source = LiveSource(
        "rtsp://cam", opener=lambda spec: FakeCapture([GOOD] * 50, delay=0.001), backoff_start=0.5
    )
    frames = source.frames()
    next(frames)
    time.sleep(0.3)  # the pipeline is busy; the camera keeps sending
    next(frames)
    source.close()
    assert source.counters.dropped_frames >= 10


def _take(source, n, timeout=3.0):
    got, done = [], threading.Event()

    def consume():
        for frame in source.frames():
            got.append(frame)
            if len(got) >= n:
                break
        done.set()

    threading.Thread(target=consume, daemon=True).start()
    done.wait(timeout)
    source.close()
    return got


@pytest.mark.req("LIVE-01")
def test_a_camera_is_named_without_its_credentials_or_query():
    from frt.lfr.sources import _display_name

    assert (
        _display_name("rtsp://op:p@ss@cam1.example:554/live?token=abc")
        == "rtsp://cam1.example:554/live"
    )
    assert _display_name("/data/cam1.mp4") == "cam1.mp4"
