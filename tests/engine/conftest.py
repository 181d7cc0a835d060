"""Shared fixtures: two real, package-shipped photos of different people, and the engine."""

from __future__ import annotations

import os

import numpy as np
import pytest


@pytest.fixture(scope="session")
def astronaut() -> np.ndarray:
    from skimage import data

    return np.ascontiguousarray(data.astronaut())


@pytest.fixture(scope="session")
def grace_hopper() -> np.ndarray:
    import matplotlib

    from frt.engine.images import load_image

    return load_image(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))


@pytest.fixture(scope="session")
def detector():
    from frt.engine.detect import get_detector

    return get_detector("thorough")


@pytest.fixture(scope="session")
def dlib_algorithm():
    from frt.engine.template import get_algorithm

    return get_algorithm("dlib-resnet")


@pytest.fixture(scope="session")
def template_of(detector, dlib_algorithm):
    def make(rgb):
        faces = detector.detect(rgb)
        assert faces, "no face found"
        return dlib_algorithm.embed(rgb, faces[:1])[0]

    return make
