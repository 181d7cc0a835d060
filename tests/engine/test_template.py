"""Templates: the same person matches through everyday changes; different people do not;
templates of different algorithms or versions are never compared."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image

from frt.engine.compare import Gallery, similarity
from frt.engine.errors import IncompatibleTemplates, UnknownName
from frt.engine.images import decode_image
from frt.engine.template import DlibResNet, Template, get_algorithm, register_algorithm

THRESHOLD = DlibResNet.reference_threshold


def _rotate(rgb, degrees):
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, m, (w, h), borderMode=cv2.BORDER_REFLECT)


def _jpeg(rgb, quality):
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=quality)
    return decode_image(buf.getvalue())


CHANGES = {
    "rotated 20 degrees": lambda a: _rotate(a, 20),
    "scaled to half": lambda a: cv2.resize(a, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA),
    "scaled by 1.5": lambda a: cv2.resize(a, None, fx=1.5, fy=1.5),
    "darkened": lambda a: (a * 0.5).astype(np.uint8),
    "brightened": lambda a: np.clip(a * 1.3 + 20, 0, 255).astype(np.uint8),
    "re-compressed at JPEG quality 15": lambda a: _jpeg(a, 15),
}


@pytest.mark.req("LIVE-02", "RFR-03")
@pytest.mark.parametrize("change", list(CHANGES))
def test_the_astronaut_matches_changed_copies_of_herself_well_above_threshold(
    astronaut, template_of, change
):
    score = similarity(template_of(astronaut), template_of(CHANGES[change](astronaut)))
    assert score >= THRESHOLD + 0.02


@pytest.mark.req("LIVE-02")
def test_the_astronaut_and_grace_hopper_score_below_threshold(astronaut, grace_hopper, template_of):
    assert similarity(template_of(astronaut), template_of(grace_hopper)) < THRESHOLD


@pytest.mark.req("RFR-03")
def test_templates_carry_algorithm_version_and_unit_vectors(astronaut, template_of):
    t = template_of(astronaut)
    assert (t.algorithm, t.version, t.dim) == ("dlib-resnet", "1-flip-zoom", 128)
    assert t.vector.dtype == np.float32 and abs(np.linalg.norm(t.vector) - 1) < 1e-5
    back = Template.from_bytes(t.to_bytes(), t.algorithm, t.version)
    assert np.array_equal(back.vector, t.vector)


@pytest.mark.req("RFR-03", "EVAL-03")
def test_templates_of_different_versions_are_never_compared(astronaut, detector):
    faces = detector.detect(astronaut)[:1]
    flipped = get_algorithm("dlib-resnet", flip=True).embed(astronaut, faces)[0]
    plain = get_algorithm("dlib-resnet", flip=False).embed(astronaut, faces)[0]
    assert flipped.version != plain.version
    with pytest.raises(IncompatibleTemplates):
        similarity(flipped, plain)
    with pytest.raises(IncompatibleTemplates):
        Gallery.from_templates(["a"], [flipped]).search(plain)
    with pytest.raises(IncompatibleTemplates):
        Gallery.from_templates(["a", "b"], [flipped, plain])


@pytest.mark.req("RFR-06")
def test_only_the_faces_the_user_selects_are_templated(
    astronaut, grace_hopper, detector, dlib_algorithm, template_of
):
    side_by_side = np.ascontiguousarray(np.hstack([astronaut[:512], grace_hopper[:512, :512]]))
    faces = detector.detect(side_by_side)
    assert len(faces) >= 2
    grace_face = [f for f in faces if f.x0 >= 512][0]
    templates = dlib_algorithm.embed(side_by_side, [grace_face])
    assert len(templates) == 1
    assert similarity(templates[0], template_of(grace_hopper)) > THRESHOLD


def test_a_force_can_register_its_own_algorithm(astronaut, detector):
    class Constant:
        name, version, dim = "constant", "0", 4

        def embed(self, rgb, faces):
            return [Template(np.ones(4, np.float32) / 2, self.name, self.version) for _ in faces]

    register_algorithm("constant", Constant)
    t = get_algorithm("constant").embed(astronaut, detector.detect(astronaut)[:1])[0]
    assert t.algorithm == "constant"
    with pytest.raises(UnknownName):
        get_algorithm("no-such-algorithm")


@pytest.mark.req("RFR-03")
@pytest.mark.parametrize("flip", [True, False])
@pytest.mark.parametrize("zoom", [True, False])
def test_a_version_names_the_options_that_remake_its_templates(flip, zoom):
    from frt.engine.template import DlibResNet

    version = DlibResNet(flip=flip, zoom=zoom).version
    assert DlibResNet(**DlibResNet.options_for(version)).version == version


@pytest.mark.req("RFR-03")
def test_the_zoomed_view_is_the_tighter_chip_cut_from_the_photo(astronaut):
    from frt.engine.detect import get_detector
    from frt.engine.template import DlibResNet, _zoomed, aligned_chips

    faces = get_detector("hog").detect(astronaut)[:1]
    one_view = DlibResNet(flip=False, zoom=False)
    from_chip = one_view.embed_chips([_zoomed(aligned_chips(astronaut, faces, 150, 0.25)[0])])[0]
    from_photo = one_view.embed_chips(aligned_chips(astronaut, faces, 150, 0.20))[0]
    assert float(from_chip @ from_photo) > 0.99
