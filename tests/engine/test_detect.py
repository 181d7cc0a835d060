"""Detection: real faces found with landmarks; no face and crowds are defined results."""

from __future__ import annotations

import numpy as np
import pytest

from frt.engine.detect import Face, crop, detector_names, get_detector
from frt.engine.errors import ImageError, UnknownName


def _grid_of_faces(astronaut: np.ndarray, rows: int, cols: int, size: int = 140) -> np.ndarray:
    import cv2

    face = cv2.resize(astronaut[40:240, 120:320], (size, size), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(np.tile(face, (rows, cols, 1)))


@pytest.mark.req("LIVE-02", "RFR-06")
@pytest.mark.parametrize("name", ["hog", "thorough"])
def test_the_astronaut_is_found_with_five_landmarks_inside_the_box(astronaut, name):
    faces = get_detector(name).detect(astronaut)
    face = faces[0]
    assert (face.x0, face.y0) < (230, 130) and face.x1 > 240 and face.y1 > 150
    assert face.landmarks.shape == (5, 2)
    inside = (
        (face.landmarks[:, 0] >= face.x0 - 5)
        & (face.landmarks[:, 0] <= face.x1 + 5)
        & (face.landmarks[:, 1] >= face.y0 - 5)
        & (face.landmarks[:, 1] <= face.y1 + 5)
    )
    assert inside.all()


@pytest.mark.req("LIVE-02")
def test_a_picture_with_no_face_gives_an_empty_list():
    wall = np.full((480, 640, 3), 180, np.uint8)
    assert get_detector("thorough").detect(wall) == []


@pytest.mark.req("LIVE-02")
def test_fifty_faces_are_all_found_largest_first(astronaut):
    crowd = _grid_of_faces(astronaut, 5, 10)
    faces = get_detector("hog").detect(crowd)
    assert len(faces) == 50
    areas = [f.area for f in faces]
    assert areas == sorted(areas, reverse=True)


@pytest.mark.req("LIVE-02")
def test_max_faces_keeps_only_the_largest(astronaut):
    import cv2

    crowd = _grid_of_faces(astronaut, 2, 4)
    big = cv2.resize(astronaut[40:240, 120:320], (240, 240))
    crowd[:240, :240] = big[: crowd.shape[0], :240]
    faces = get_detector("hog", max_faces=3).detect(crowd)
    assert len(faces) == 3
    assert faces[0].x0 < 100 and faces[0].y0 < 100  # the enlarged face, largest, first


@pytest.mark.req("LIVE-02")
def test_half_scale_hog_reports_boxes_in_full_image_pixels(astronaut):
    import cv2

    doubled = cv2.resize(astronaut, None, fx=2, fy=2)
    full = get_detector("hog").detect(doubled)[0]
    half = get_detector("hog", scale=0.5).detect(doubled)[0]
    assert abs(full.x0 - half.x0) < 20 and abs(full.y1 - half.y1) < 20


def test_unknown_detector_name_is_refused_with_the_known_names():
    with pytest.raises(UnknownName, match="hog"):
        get_detector("magic")
    assert {"hog", "cnn", "thorough"} <= set(detector_names())


@pytest.mark.parametrize(
    "bad",
    [
        np.zeros((10, 10), np.uint8),
        np.zeros((50, 50, 3), np.float32),
        np.zeros((4, 4, 3), np.uint8),
    ],
)
def test_arrays_that_are_not_rgb_images_are_refused(bad):
    with pytest.raises(ImageError):
        get_detector("hog").detect(bad)


def test_crop_stays_inside_the_image(astronaut):
    face = Face(0, 0, 100, 100)
    assert crop(astronaut, face, margin=0.5).shape == (150, 150, 3)
