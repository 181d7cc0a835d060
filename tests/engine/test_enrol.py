"""Whole-image enrolment: one image, many on every core, and re-enrolment from originals."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from frt.engine.compare import similarity
from frt.engine.enrol import EngineSpec, reenrol, template_image, template_many


def _jpeg_bytes(rgb) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=92)
    return buf.getvalue()


@pytest.fixture(scope="module")
def originals(astronaut, grace_hopper, tmp_path_factory):
    folder = tmp_path_factory.mktemp("originals")
    (folder / "astronaut.jpg").write_bytes(_jpeg_bytes(astronaut))
    (folder / "grace.jpg").write_bytes(_jpeg_bytes(grace_hopper))
    return [
        ("astronaut", folder / "astronaut.jpg"),
        ("grace", folder / "grace.jpg"),
        ("wall", _jpeg_bytes(np.full((200, 200, 3), 200, np.uint8))),
        ("junk", b"not an image at all"),
    ]


@pytest.mark.req("RFR-03")
def test_bulk_enrolment_reports_every_failure_with_its_reason(originals):
    results = list(template_many(originals, EngineSpec(), workers=1))
    assert [r.key for r in results] == ["astronaut", "grace", "wall", "junk"]
    assert results[0].template is not None and results[1].template is not None
    assert results[2].template is None and results[2].reason == "no face found"
    assert results[3].template is None and "not an image" in results[3].reason


@pytest.mark.req("RFR-03")
def test_two_worker_processes_give_the_same_templates_as_one(originals):
    one = list(template_many(originals[:2], EngineSpec(), workers=1))
    two = list(template_many(originals[:2], EngineSpec(), workers=2, chunksize=1))
    for a, b in zip(one, two):
        assert np.allclose(a.template.vector, b.template.vector, atol=1e-6)


@pytest.mark.req("WL-04")
def test_the_quality_gate_refuses_a_poor_face_with_its_reasons(astronaut, detector, dlib_algorithm):
    import cv2

    blurred = cv2.GaussianBlur(astronaut, (0, 0), 4)
    gated = template_image(blurred, detector, dlib_algorithm, quality_gate=True)
    if gated.face is None:
        pytest.fail("the blurred astronaut should still be detected")
    assert gated.template is None and "blurred" in gated.reason
    assert (
        template_image(astronaut, detector, dlib_algorithm, quality_gate=True).template is not None
    )


@pytest.mark.req("RFR-03", "EVAL-03")
def test_reenrolment_makes_new_version_templates_from_the_original_images(originals):
    old = list(
        template_many(
            originals[:2], EngineSpec(algorithm_options={"flip": False, "zoom": False}), workers=1
        )
    )
    new = reenrol(originals[:2], EngineSpec(), workers=1)  # the default views
    assert {r.template.version for r in old} == {"1"}
    assert {r.template.version for r in new} == {"1-flip-zoom"}
    assert similarity(new[0].template, new[0].template) == pytest.approx(1.0, abs=1e-6)
