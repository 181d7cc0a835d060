"""Where the shipped dlib model files are, and one loaded copy of each per process.

The models come from the `face_recognition_models` package. Its `__init__` imports
`pkg_resources`, which new setuptools no longer has, so the package directory is found without
importing it. Nothing is ever downloaded.
"""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path

from frt.engine.errors import ModelNotFound

logger = logging.getLogger(__name__)

CNN_DETECTOR = "mmod_human_face_detector.dat"
LANDMARKS_5 = "shape_predictor_5_face_landmarks.dat"
LANDMARKS_68 = "shape_predictor_68_face_landmarks.dat"
RESNET = "dlib_face_recognition_resnet_model_v1.dat"


def model_path(filename: str) -> Path:
    """Path of a shipped model file, or `ModelNotFound` naming the package to install."""
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("face_recognition_models is not installed")
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "models" / filename
        if candidate.is_file():
            return candidate
    raise ModelNotFound(f"model file {filename} missing from face_recognition_models")


@lru_cache(maxsize=None)
def hog_detector():
    import dlib

    return dlib.get_frontal_face_detector()


@lru_cache(maxsize=None)
def cnn_detector():
    import dlib

    return dlib.cnn_face_detection_model_v1(str(model_path(CNN_DETECTOR)))


@lru_cache(maxsize=None)
def shape_predictor_5():
    import dlib

    return dlib.shape_predictor(str(model_path(LANDMARKS_5)))


@lru_cache(maxsize=None)
def resnet():
    import dlib

    return dlib.face_recognition_model_v1(str(model_path(RESNET)))
