"""Recognition worker processes: the detector and the template network on every core.

dlib-bin is single-threaded and holds the GIL while it runs (two threads run HOG no faster than
one: bench/RESULTS.md), so the work is spread over *processes*, one per core, each loading the
models once. Frames go to them as crops over pipes — never through files (LIVE-03). With
``workers=0`` everything runs inline in the calling thread (tests, one-core machines).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import Future

from frt.lfr import analyse

logger = logging.getLogger(__name__)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _init(algorithm: str, options: dict) -> None:
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    try:
        import cv2

        cv2.setNumThreads(1)  # one process per core already; OpenCV's own threads would fight it
    except ImportError:  # pragma: no cover
        pass
    analyse.warm_up(algorithm, options)


class InlinePool:
    """The pool interface, run synchronously in the caller."""

    workers = 0

    def __init__(self, algorithm: str, options: dict):
        _init(algorithm, options)

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller through the future
            future.set_exception(exc)
        return future

    def shutdown(self) -> None:
        pass


class ProcessPool:
    """`workers` spawned processes (spawn, not fork: no inherited threads, locks or frames)."""

    def __init__(self, algorithm: str, options: dict, workers: int | None = None):
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers or default_workers()
        self._pool = ProcessPoolExecutor(
            self.workers,
            mp_context=mp.get_context("spawn"),
            initializer=_init,
            initargs=(algorithm, options),
        )
        # Start every worker now so model loading is not charged to the first frames.
        for f in [self._pool.submit(os.getpid) for _ in range(self.workers * 2)]:
            f.result()

    def submit(self, fn, *args) -> Future:
        return self._pool.submit(fn, *args)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_pool(algorithm: str, options: dict, workers: int | None = None):
    return (
        InlinePool(algorithm, options) if workers == 0 else ProcessPool(algorithm, options, workers)
    )
