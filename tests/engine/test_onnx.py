"""A force's own embedding model, given as an ONNX file, runs behind the same interface."""

from __future__ import annotations

import numpy as np
import pytest

from frt.engine.compare import similarity
from frt.engine.errors import EngineError, IncompatibleTemplates
from frt.engine.template import get_algorithm

pytestmark = pytest.mark.req("RFR-03", "EVAL-03")


def _tiny_embedding_model(path, size=32, dim=16, seed=0):
    """Conv 3->8 (4x4, stride 4), ReLU, flatten, dense to `dim`: a real, if weak, embedder."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(seed)
    conv_w = rng.normal(size=(8, 3, 4, 4)).astype(np.float32) * 0.2
    feat = 8 * (size // 4) ** 2
    dense_w = (rng.normal(size=(feat, dim)) / np.sqrt(feat)).astype(np.float32)
    nodes = [
        helper.make_node("Conv", ["input", "conv_w"], ["c"], strides=[4, 4], kernel_shape=[4, 4]),
        helper.make_node("Relu", ["c"], ["r"]),
        helper.make_node("Flatten", ["r"], ["f"], axis=1),
        helper.make_node("MatMul", ["f", "dense_w"], ["embedding"]),
    ]
    graph = helper.make_graph(
        nodes,
        "tiny-embedder",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, size, size])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["N", dim])],
        [numpy_helper.from_array(conv_w, "conv_w"), numpy_helper.from_array(dense_w, "dense_w")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    return _tiny_embedding_model(tmp_path_factory.mktemp("onnx") / "force-model.onnx")


def test_an_onnx_model_from_the_operators_path_makes_templates(model_file, astronaut, detector):
    algo = get_algorithm("onnx", model_path=model_file)
    assert algo.dim == 16 and algo.version.startswith("sha256:")
    faces = detector.detect(astronaut)[:1]
    t = algo.embed(astronaut, faces)[0]
    assert (t.algorithm, t.dim) == ("onnx", 16)
    assert abs(np.linalg.norm(t.vector) - 1) < 1e-5
    again = algo.embed(astronaut, faces)[0]
    assert similarity(t, again) == pytest.approx(1.0, abs=1e-5)


def test_a_different_model_file_is_a_different_version(model_file, tmp_path):
    other = _tiny_embedding_model(tmp_path / "other.onnx", seed=1)
    a = get_algorithm("onnx", model_path=model_file)
    b = get_algorithm("onnx", model_path=other)
    assert a.version != b.version


def test_onnx_and_dlib_templates_are_never_compared(
    model_file, astronaut, detector, dlib_algorithm
):
    faces = detector.detect(astronaut)[:1]
    onnx_t = get_algorithm("onnx", model_path=model_file).embed(astronaut, faces)[0]
    dlib_t = dlib_algorithm.embed(astronaut, faces)[0]
    with pytest.raises(IncompatibleTemplates):
        similarity(onnx_t, dlib_t)


def test_a_missing_model_file_is_a_clear_error(tmp_path):
    with pytest.raises(EngineError, match="not found"):
        get_algorithm("onnx", model_path=tmp_path / "absent.onnx")
