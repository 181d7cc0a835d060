"""dlib's 128-d face ResNet, run by onnxruntime instead of dlib.

The weights are read at run time from ``dlib_face_recognition_resnet_model_v1.dat`` in the
installed ``face_recognition_models`` package (the file ``dlib.face_recognition_model_v1``
loads); nothing is downloaded and no converted weights are stored: the graph is built in memory
when a process first needs it. The network is the ``anet_type`` of dlib's
``dnn_face_recognition_ex.cpp``; the reader below follows dlib's serialization code
(serialize.h, cuda/tensor.h, dnn/core.h, dnn/layers.h, dnn/input.h, dnn/loss.h) for just those
layer types. ``descriptors`` equals ``compute_face_descriptor`` on the same 150x150 chip to
< 1e-4 (checked in tests/engine/test_dlib_onnx.py).

Format notes: a layer writes its subnetwork before its own details, so the file holds every
layer's version number from the loss inwards, then the input layer, then each layer's details
from the input outwards. Tags and skips store no ids, so the layer list is fixed here. The
``affine`` layers are stored as ``affine_`` (batch-norm already folded: per-channel gamma then
beta in one params tensor) and are folded once more into the conv before them. Where ``add_prev``
joins tensors of different shapes (channels at each ``ares_down``; 3x3 + 4x4 and 1x1 + 2x2 in
levels 1 and 0), dlib pads the smaller with zeros at the end, and so does the graph.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from frt.engine import models


# ----------------------------------------------------------------- the network, input outwards
def _block(n: int, stride: int) -> list:
    return [("con", n, 3, stride), ("affine",), ("relu",), ("con", n, 3, 1), ("affine",)]


def _ares(n: int) -> list:
    return [("tag", 1), *_block(n, 1), ("add_prev", 1), ("relu",)]


def _ares_down(n: int) -> list:
    return [
        ("tag", 1),
        *_block(n, 2),
        ("tag", 2),
        ("skip", 1),
        ("avg_pool", 2, 2),
        ("add_prev", 2),
        ("relu",),
    ]


LAYERS = [
    ("con", 32, 7, 2),
    ("affine",),
    ("relu",),
    ("max_pool", 3, 2),
    *_ares(32),
    *_ares(32),
    *_ares(32),
    *_ares_down(64),
    *_ares(64),
    *_ares(64),
    *_ares(64),
    *_ares_down(128),
    *_ares(128),
    *_ares(128),
    *_ares_down(256),
    *_ares(256),
    *_ares(256),
    *_ares_down(256),
    ("avg_pool_everything",),
    ("fc_no_bias", 128),
]


# ------------------------------------------------------------------- dlib's serialization
class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def _take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise ValueError("truncated dlib model file")
        self.pos += n
        return chunk

    def int(self) -> int:
        """serialize.h pack_int: a control byte (size | 0x80 if negative), then LE bytes."""
        control = self._take(1)[0]
        value = int.from_bytes(self._take(control & 0x0F), "little")
        return -value if control & 0x80 else value

    def float(self) -> float:
        """float_details: int64 mantissa and int16 exponent, value = m * 2**e."""
        mantissa, exponent = self.int(), self.int()
        return math.ldexp(mantissa, exponent)

    def bool(self) -> bool:
        return {b"1": True, b"0": False}[self._take(1)]

    def text(self) -> str:
        return self._take(self.int()).decode("ascii")

    def expect(self, *versions: str) -> str:
        version = self.text()
        if version not in versions:
            raise ValueError(f"expected {versions}, found {version!r} at byte {self.pos}")
        return version

    def tensor(self) -> np.ndarray:
        if self.int() != 2:
            raise ValueError("unknown tensor version")
        shape = tuple(self.int() for _ in range(4))
        count = int(np.prod(shape))
        return np.frombuffer(self._take(4 * count), "<f4").reshape(shape)

    def alias_tensor(self) -> tuple:
        if self.int() != 1:
            raise ValueError("unknown alias_tensor version")
        return tuple(self.int() for _ in range(4))


def _check(ok: bool, problem: str) -> None:
    """A format check that stays on under `python -O` (unlike assert)."""
    if not ok:
        raise ValueError(f"not the dlib face ResNet this reader knows: {problem}")


def _read_details(r: _Reader, layer: tuple) -> dict:
    kind = layer[0]
    if kind == "con":
        version = r.expect("con_4", "con_5", "con_6")
        params = r.tensor().ravel()
        num_filters, nr, nc, sy, sx, py, px = (r.int() for _ in range(7))
        filters, _ = r.alias_tensor(), r.alias_tensor()
        [r.float() for _ in range(4)]  # learning-rate and weight-decay multipliers
        use_bias = r.bool() if version in ("con_5", "con_6") else True
        if version == "con_6" and r.bool():
            raise ValueError("con_ with fused relu is not supported")
        _check(
            (num_filters, nr, nc, sy, sx) == (layer[1], layer[2], layer[2], layer[3], layer[3]),
            f"unexpected convolution {num_filters}x{nr}x{nc}/{sy} for {layer}",
        )
        w_size = int(np.prod(filters))
        w = params[:w_size].reshape(filters)  # (out, in, nr, nc) == ONNX OIHW
        b = params[w_size : w_size + num_filters] if use_bias else np.zeros(num_filters, np.float32)
        return {"w": w, "b": b, "stride": sy, "pad": (py, px)}
    if kind == "affine":
        version = r.expect("affine_", "affine_2")  # the file has no bn_con2 left to fold
        params = r.tensor().ravel()
        gamma, _ = r.alias_tensor(), r.alias_tensor()
        if r.int() != 0:  # CONV_MODE: one gamma and beta per channel
            raise ValueError("affine_ in fc mode is not supported")
        disabled = version == "affine_2" and r.bool()
        k = int(np.prod(gamma))
        if disabled:
            return {"g": None, "b": None}
        return {"g": params[:k].copy(), "b": params[k : 2 * k].copy()}
    if kind == "relu":
        if r.expect("relu_", "relu_2") == "relu_2" and r.bool():
            return {"disabled": True}
        return {"disabled": False}
    if kind in ("max_pool", "avg_pool", "avg_pool_everything"):
        r.expect("max_pool_2" if kind == "max_pool" else "avg_pool_2")
        nr, nc, sy, sx, py, px = (r.int() for _ in range(6))
        expected = (
            (0, 0, 1, 1) if kind == "avg_pool_everything" else (layer[1],) * 2 + (layer[2],) * 2
        )
        _check(
            (nr, nc, sy, sx) == expected and (py, px) == (0, 0),
            f"unexpected {kind} {nr}x{nc}/{sy} padding {py},{px}",
        )
        return {}
    if kind == "add_prev":
        r.expect("add_prev_")
        return {}
    if kind == "fc_no_bias":
        version = r.expect("fc_2", "fc_3")
        num_outputs, num_inputs = r.int(), r.int()
        params = r.tensor()
        r.alias_tensor(), r.alias_tensor()
        if r.int() != 1:  # FC_NO_BIAS
            raise ValueError("expected fc_no_bias")
        [r.float() for _ in range(4)]
        if version == "fc_3":
            r.bool()
        _check(num_outputs == layer[1], f"expected {layer[1]} outputs, found {num_outputs}")
        return {"w": params.reshape(num_inputs, num_outputs)}  # output = input @ w
    raise AssertionError(kind)


def read_dlib_resnet(data: bytes) -> tuple[tuple[float, float, float], list[tuple]]:
    """The mean RGB and the list of (layer, details) of the face ResNet, from the .dat bytes."""
    r = _Reader(data)
    if r.int() != 1:
        raise ValueError("not a dlib add_loss_layer")
    if r.expect("loss_metric_", "loss_metric_2") == "loss_metric_2":
        r.float(), r.float()  # margin, distance threshold
    versions = [r.int() for _ in LAYERS][::-1]  # headers come loss inwards
    for i, (layer, version) in enumerate(zip(LAYERS, versions)):
        ok = {1} if layer[0] in ("tag", "skip") else ({2, 3} if i == 0 else {1, 2})
        if version not in ok:
            raise ValueError(f"unexpected version {version} for layer {i} {layer}")
    r.expect("input_rgb_image_sized")
    mean = (r.float(), r.float(), r.float())
    if (r.int(), r.int()) != (150, 150):
        raise ValueError("expected a 150x150 input")
    out = []
    for i, (layer, version) in enumerate(zip(LAYERS, versions)):  # details, input outwards
        details = {} if layer[0] in ("tag", "skip") else _read_details(r, layer)
        if layer[0] not in ("tag", "skip"):
            r.bool(), r.bool(), r.bool()  # setup called, gradient stale, output disabled
            r.tensor(), r.tensor()  # x_grad, cached_output
            if i == 0:
                r.tensor()  # grad_final
                if version >= 3:
                    r.int()  # sample expansion factor
            elif version == 2:
                r.tensor()  # params_grad
        out.append((layer, details))
    if r.pos != len(data):
        raise ValueError(f"{len(data) - r.pos} bytes left after the network")
    return mean, out


# --------------------------------------------------------------------------- the ONNX graph
def build_onnx(data: bytes) -> bytes:
    """A serialized ONNX model: uint8 chips (N, 150, 150, 3) RGB -> float32 descriptors (N, 128)."""
    from onnx import TensorProto, checker, helper, numpy_helper

    mean, layers = read_dlib_resnet(data)
    nodes: list = []
    inits: list = []

    def const(name: str, array: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(op: str, inputs: list, **attrs) -> str:
        out = f"t{len(nodes)}"
        nodes.append(helper.make_node(op, inputs, [out], **attrs))
        return out

    x = node("Cast", ["chips"], to=TensorProto.FLOAT)
    x = node("Sub", [x, const("mean", np.array(mean, np.float32))])
    x = node("Mul", [x, const("scale", np.array(1 / 256, np.float32))])
    x = node("Transpose", [x], perm=[0, 3, 1, 2])
    shape = (3, 150, 150)  # C, H, W as dlib sees it
    tags: dict[int, tuple[str, tuple]] = {}
    for i, (layer, d) in enumerate(layers):
        kind = layer[0]
        if kind == "con":
            w, b = d["w"], d["b"]
            nxt = layers[i + 1]
            if nxt[0][0] == "affine" and nxt[1]["g"] is not None:  # fold the affine into the conv
                g = nxt[1]["g"]
                w, b = w * g[:, None, None, None], b * g + nxt[1]["b"]
            (py, px), s, k = d["pad"], d["stride"], w.shape[2]
            x = node(
                "Conv",
                [x, const(f"w{i}", w), const(f"b{i}", b)],
                kernel_shape=[k, k],
                strides=[s, s],
                pads=[py, px, py, px],
            )
            shape = (w.shape[0], 1 + (shape[1] + 2 * py - k) // s, 1 + (shape[2] + 2 * px - k) // s)
        elif kind == "affine":
            _check(layers[i - 1][0][0] == "con" or d["g"] is None, "an affine not after a conv")
        elif kind == "relu":
            x = x if d["disabled"] else node("Relu", [x])
        elif kind in ("max_pool", "avg_pool"):
            k, s = layer[1], layer[2]
            x = node(
                "MaxPool" if kind == "max_pool" else "AveragePool",
                [x],
                kernel_shape=[k, k],
                strides=[s, s],
            )
            shape = (shape[0], 1 + (shape[1] - k) // s, 1 + (shape[2] - k) // s)
        elif kind == "tag":
            tags[layer[1]] = (x, shape)
        elif kind == "skip":
            x, shape = tags[layer[1]]
        elif kind == "add_prev":  # dlib adds tensors of different shapes, zero-filling the rest
            (y, yshape), both = tags[layer[1]], []
            out_shape = tuple(max(a, b) for a, b in zip(shape, yshape))
            for t, sh in ((x, shape), (y, yshape)):
                if sh != out_shape:
                    pads = [0, 0, 0, 0, 0] + [o - s for o, s in zip(out_shape, sh)]
                    t = node("Pad", [t, const(f"pad{len(nodes)}", np.array(pads, np.int64))])
                both.append(t)
            x, shape = node("Add", both), out_shape
        elif kind == "avg_pool_everything":
            x = node("Flatten", [node("GlobalAveragePool", [x])], axis=1)
            shape = (shape[0], 1, 1)  # pooled and flattened: the channel count is what is read
        elif kind == "fc_no_bias":
            x = node("MatMul", [x, const("fc", d["w"])])
        else:
            raise AssertionError(kind)
    nodes[-1].output[0] = "descriptors"
    graph = helper.make_graph(
        nodes,
        "dlib_face_recognition_resnet_model_v1",
        [helper.make_tensor_value_info("chips", TensorProto.UINT8, ["N", 150, 150, 3])],
        [helper.make_tensor_value_info("descriptors", TensorProto.FLOAT, ["N", 128])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    checker.check_model(model)
    return model.SerializeToString()


@lru_cache(maxsize=1)
def session():
    """An onnxruntime session (1 thread: one worker process per core already) for the shipped
    model, built in memory from its .dat file (~0.1 s; nothing derived is written to disk)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    model = build_onnx(models.model_path(models.RESNET).read_bytes())
    return ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])


def available() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def descriptors(chips: np.ndarray) -> np.ndarray:
    """dlib's raw (unnormalised) 128-d descriptors of N aligned 150x150 RGB uint8 chips."""
    chips = np.asarray(chips)
    if chips.ndim == 3:
        chips = chips[None]
    if chips.dtype != np.uint8 or chips.shape[1:] != (150, 150, 3):
        raise ValueError(f"expected N x 150 x 150 x 3 uint8 chips, got {chips.dtype} {chips.shape}")
    return session().run(None, {"chips": np.ascontiguousarray(chips)})[0]
