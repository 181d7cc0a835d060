"""Quality: good faces pass; small, blurred, dark and turned faces are refused with reasons."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest

from frt.engine.quality import DEFAULT, QualityThresholds, assess

pytestmark = pytest.mark.req("WL-04")


@pytest.fixture(scope="module")
def face(astronaut, detector):
    return detector.detect(astronaut)[0]


def test_a_sharp_frontal_well_lit_face_passes(astronaut, face):
    q = assess(astronaut, face)
    assert q.ok and q.reasons == []
    assert 0.7 < q.score <= 1.0 and q.frontal > 0.8 and q.inter_eye_px > 30
    assert q.exposure > 0.8


def test_a_blurred_face_is_refused_as_blurred(astronaut, face):
    q = assess(cv2.GaussianBlur(astronaut, (0, 0), 6), face)
    assert not q.ok and any("blurred" in r for r in q.reasons)


def test_a_small_face_is_refused_for_its_inter_eye_distance(astronaut, detector):
    small = cv2.resize(astronaut, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)
    from frt.engine.detect import get_detector

    faces = get_detector("hog", upsample=2).detect(small)
    q = assess(small, faces[0])
    assert not q.ok and any("inter-eye distance" in r for r in q.reasons)


def test_a_dark_face_is_refused_as_too_dark(astronaut, face):
    dark = (astronaut * 0.12).astype(np.uint8)
    q = assess(dark, face)
    assert not q.ok and any("too dark" in r for r in q.reasons)
    assert q.exposure < assess(astronaut, face).exposure


def test_a_face_turned_away_is_refused(astronaut, face):
    marks = face.landmarks.copy()
    eye_span = marks[2:4, 0].mean() - marks[0:2, 0].mean()
    marks[4, 0] = marks[:4, 0].mean() + 0.6 * abs(eye_span)  # nose far to one side: a profile
    turned = dataclasses.replace(face, landmarks=marks)
    q = assess(astronaut, turned)
    assert not q.ok and any("turned away" in r for r in q.reasons)


def test_thresholds_are_the_callers_to_raise(astronaut, face):
    strict = QualityThresholds(min_inter_eye_px=200)
    assert assess(astronaut, face).ok and not assess(astronaut, face, strict).ok
    assert DEFAULT.min_inter_eye_px < 200


def test_quality_score_falls_as_blur_grows(astronaut, face):
    scores = [assess(cv2.GaussianBlur(astronaut, (0, 0), s), face).score for s in (0.5, 4, 8)]
    assert scores[0] > scores[1] > scores[2]
    assert all(0.0 <= s <= 1.0 for s in scores)
