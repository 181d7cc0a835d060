"""Camera sources: video files, RTSP/HTTP streams and local cameras, through OpenCV/FFmpeg.

Two kinds (LIVE-01; Cumbria 13.7):

- `FileSource` reads every frame of a file in order (benchmarks, tests, recorded footage); with
  ``realtime=True`` it is paced at the file's frame rate like a camera.
- `LiveSource` reads a stream or camera on its own thread and hands the pipeline the newest frame.
  A frame the pipeline had no time for is *dropped and counted*, never skipped silently. When
  the stream fails it reconnects with exponential back-off, counting each reconnection.

A frame that cannot be decoded is counted as corrupt and the source carries on. Frames live only
in memory: nothing here writes a frame anywhere (LIVE-03).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Protocol
from urllib.parse import urlsplit

import numpy as np

from frt.lfr.metrics import LiveCounters

logger = logging.getLogger(__name__)

BACKOFF_START_S, BACKOFF_MAX_S = 0.2, 10.0
MAX_CONSECUTIVE_BAD = 25  # a file with this many undecodable frames in a row has ended


@dataclass(eq=False)
class Frame:
    index: int  # position in the source, counting dropped frames too
    captured: float  # time.monotonic() when the frame was read: Recognition Time starts here
    pts_s: float  # position in the video, seconds
    bgr: (
        np.ndarray | None
    )  # None once dropped: the pixels are released as soon as they are not needed


class FrameSource(Protocol):
    name: str
    counters: LiveCounters

    def frames(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


def open_capture(spec: str):
    """An OpenCV capture for a file path, a URL (rtsp://, http://) or a camera number."""
    import cv2

    target: str | int = int(spec) if spec.isdigit() else spec
    return cv2.VideoCapture(target)


def is_live(spec: str) -> bool:
    return spec.isdigit() or spec.startswith("/dev/video") or "://" in spec


def open_source(
    spec: str, live: bool | None = None, realtime: bool = False, name: str | None = None
) -> FrameSource:
    """The right source for `spec`; `live` forces stream behaviour (e.g. for a file in tests)."""
    name = name or _display_name(spec)
    if live if live is not None else is_live(spec):
        return LiveSource(spec, name=name)
    return FileSource(spec, realtime=realtime, name=name)


def _display_name(spec: str) -> str:
    # Never show or store a URL's credentials (rtsp://user:pass@host/…) or query (…?token=…).
    if "://" not in spec:
        return Path(spec).name
    url = urlsplit(spec)
    host = url.hostname or ""
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{host}{port}{url.path}"


def _good(frame) -> bool:
    return (
        isinstance(frame, np.ndarray)
        and frame.ndim == 3
        and frame.shape[2] == 3
        and frame.shape[0] >= 8
        and frame.shape[1] >= 8
    )


class FileSource:
    """Every frame of a video file, in order."""

    def __init__(
        self, path: str, realtime: bool = False, name: str = "", opener: Callable = open_capture
    ):
        self.path, self.realtime, self.name = path, realtime, name or Path(path).name
        self.counters = LiveCounters()
        self._opener = opener
        self._stop = threading.Event()
        self.fps = 0.0

    def frames(self) -> Iterator[Frame]:
        cap = self._opener(self.path)
        if not cap.isOpened():
            raise SourceError(f"cannot open video {self.name}")
        self.fps = cap.get(5) or 25.0  # cv2.CAP_PROP_FPS
        start, index, bad = time.monotonic(), 0, 0
        try:
            while not self._stop.is_set():
                ok, frame = cap.read()
                if not ok or not _good(frame):
                    bad += 1
                    if bad >= MAX_CONSECUTIVE_BAD or not _more(cap):
                        break
                    self.counters.corrupt_frames += 1
                    index += 1
                    continue
                bad = 0
                pts = index / self.fps
                if self.realtime:
                    delay = start + pts - time.monotonic()
                    if delay > 0:
                        self._stop.wait(delay)
                self.counters.frames += 1
                yield Frame(index, time.monotonic(), pts, frame)
                index += 1
        finally:
            cap.release()

    def close(self) -> None:
        self._stop.set()


def _more(cap) -> bool:
    """Whether a file has frames after a failed read (a corrupt frame rather than the end)."""
    total, pos = cap.get(7), cap.get(1)  # CAP_PROP_FRAME_COUNT, CAP_PROP_POS_FRAMES
    return total > 0 and pos < total - 1


class SourceError(Exception):
    """A source that cannot be opened at all (a wrong path; a stream is retried instead)."""


class LiveSource:
    """A stream or camera read on its own thread; the newest frame wins, older ones are counted."""

    def __init__(
        self,
        spec: str,
        name: str = "",
        opener: Callable = open_capture,
        backoff_start: float = BACKOFF_START_S,
        backoff_max: float = BACKOFF_MAX_S,
    ):
        self.spec, self.name = spec, name or _display_name(spec)
        self.counters = LiveCounters()
        self._opener, self._backoff = opener, (backoff_start, backoff_max)
        self._stop = threading.Event()
        self._ready = threading.Condition()
        self._latest: Frame | None = None
        self._thread: threading.Thread | None = None
        self.connected = False

    def frames(self) -> Iterator[Frame]:
        self._thread = threading.Thread(
            target=self._read_loop, name=f"source-{self.name}", daemon=True
        )
        self._thread.start()
        try:
            while not self._stop.is_set():
                with self._ready:
                    while self._latest is None and not self._stop.is_set():
                        self._ready.wait(0.1)
                    frame, self._latest = self._latest, None
                if frame is not None:
                    self.counters.frames += 1
                    yield frame
        finally:
            self.close()

    def close(self) -> None:
        self._stop.set()
        with self._ready:
            self._ready.notify_all()

    def _read_loop(self) -> None:
        index, delay = 0, self._backoff[0]
        while not self._stop.is_set():
            cap = self._opener(self.spec)
            if not cap.isOpened():
                cap.release()
                logger.warning("camera %s unavailable; retrying in %.1f s", self.name, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self._backoff[1])
                continue
            self.connected, bad = True, 0
            while not self._stop.is_set():
                ok, frame = cap.read()
                if not ok:
                    break  # the stream stopped: reconnect
                if not _good(frame):
                    self.counters.corrupt_frames += 1
                    bad += 1
                    if bad >= MAX_CONSECUTIVE_BAD:
                        break
                    continue
                bad, delay = 0, self._backoff[0]
                self._offer(Frame(index, time.monotonic(), index / 25.0, frame))
                index += 1
            cap.release()
            self.connected = False
            if not self._stop.is_set():
                self.counters.reconnects += 1
                logger.warning("camera %s stream stopped; reconnecting in %.1f s", self.name, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self._backoff[1])

    def _offer(self, frame: Frame) -> None:
        with self._ready:
            if self._latest is not None:
                self.counters.dropped_frames += 1
                self._latest.bgr = None  # drop the pixels now, not when the GC gets to it
            self._latest = frame
            self._ready.notify()
