"""Live-pipeline fixtures: short synthetic videos of the two package-shipped people, and
watchlists enrolled from their original photos."""

from __future__ import annotations

import pytest

from frt.lfr import synthetic
from frt.lfr.pipeline import DEFAULT_ALGORITHM, DEFAULT_OPTIONS
from frt.lfr.watchlist import LiveWatchlist, WatchlistRow

THRESHOLD = 0.95


@pytest.fixture(scope="session")
def lfr_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("lfr")


@pytest.fixture(scope="session")
def two_people_video(lfr_dir):
    """640x360, 24 frames: astronaut and Grace Hopper side by side, arriving 4 frames apart."""
    return synthetic.write_video(
        lfr_dir / "two.mp4", synthetic.scene_frames(24, faces=2, size=(640, 360))
    )


@pytest.fixture(scope="session")
def astronaut_only_video(lfr_dir):
    return synthetic.write_video(
        lfr_dir / "astronaut.mp4",
        synthetic.scene_frames(20, faces=1, size=(640, 360), people=("astronaut",)),
    )


@pytest.fixture(scope="session")
def templates(lfr_dir):
    """One template per person, from the original photos."""
    from frt.engine.detect import get_detector
    from frt.engine.enrol import template_image
    from frt.engine.template import get_algorithm

    det, algo = get_detector("thorough"), get_algorithm(DEFAULT_ALGORITHM, **DEFAULT_OPTIONS)
    return {
        name: template_image(synthetic.photo(name), det, algo).template for name in synthetic.PEOPLE
    }


def watchlist_of(templates, *names, threshold=THRESHOLD, raises=None, blue=False):
    raises = raises or {}
    rows = [
        WatchlistRow(f"{n}-img", n, templates[n], raises.get(n), category="wanted") for n in names
    ]
    return LiveWatchlist(rows, threshold, blue=blue)
