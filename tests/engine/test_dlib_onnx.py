"""dlib's face ResNet run by onnxruntime gives dlib's own descriptors."""

from __future__ import annotations

import numpy as np
import pytest

from frt.engine import models

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")


@pytest.fixture(scope="module")
def astronaut_chip(astronaut):
    import dlib

    face = models.hog_detector()(astronaut, 1)[0]
    shape = models.shape_predictor_5()(astronaut, face)
    return dlib.get_face_chip(astronaut, shape, size=150, padding=0.25)


@pytest.mark.req("RFR-03", "EVAL-03")
def test_onnx_descriptors_equal_dlibs_on_the_astronaut_chip(astronaut_chip):
    from frt.engine.dlib_onnx import descriptors

    chips = np.stack([astronaut_chip, astronaut_chip[:, ::-1], astronaut_chip // 2])
    ours = descriptors(chips)
    assert ours.shape == (3, 128) and ours.dtype == np.float32
    for chip, got in zip(chips, ours):
        expected = np.array(models.resnet().compute_face_descriptor(np.ascontiguousarray(chip)))
        np.testing.assert_allclose(got, expected, rtol=0, atol=1e-4)


@pytest.mark.req("RFR-03", "EVAL-03")
def test_both_runtimes_make_the_same_template_so_the_version_is_shared(astronaut):
    from frt.engine.detect import get_detector
    from frt.engine.template import DlibResNet

    faces = get_detector("hog").detect(astronaut)
    by_dlib = DlibResNet(runtime="dlib").embed(astronaut, faces)[0]
    by_ort = DlibResNet(runtime="onnxruntime").embed(astronaut, faces)[0]
    assert by_dlib.kind == by_ort.kind == ("dlib-resnet", "1-flip-zoom")
    assert float(by_dlib.vector @ by_ort.vector) > 0.99999


@pytest.mark.req("RFR-03")
def test_an_unknown_runtime_is_refused_by_name():
    from frt.engine.errors import UnknownName
    from frt.engine.template import DlibResNet

    with pytest.raises(UnknownName, match="runtime"):
        DlibResNet(runtime="cuda")


@pytest.mark.req("RFR-03")
def test_dlib_jitters_run_in_dlib_whatever_the_runtime_asked():
    from frt.engine.template import DlibResNet

    assert DlibResNet(jitters=2, runtime="onnxruntime").runtime == "dlib"
