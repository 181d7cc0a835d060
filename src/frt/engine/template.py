"""Face templates and the algorithms that make them, registered by name and version.

A `Template` is a unit-length float32 vector tagged with the algorithm and version that made it;
templates of different algorithms or versions are never compared (`frt.engine.compare`).

Shipped algorithms:
- ``dlib-resnet``: 5-point alignment to a 150x150 chip and dlib's 128-d ResNet descriptor.
  The template averages the descriptors of several views of the chip: with ``flip=True`` its
  mirror image, with ``zoom=True`` a slightly tighter crop (both the default; each view gained
  on every figure measured, bench/RESULTS.md). The views are part of the version.
  The network runs on onnxruntime where it is installed (``frt.engine.dlib_onnx``: dlib's own
  weights, ~17x faster than dlib-bin, which has no BLAS), else in dlib. The two give the same
  descriptor to within 1e-4 (measured 3e-7; tests/engine/test_dlib_onnx.py), so the runtime is
  not part of the version: templates, evaluations and Thresholds hold for both.
- ``onnx``: a force's own (licensed) embedding model, an ONNX file at a path the operator gives,
  run with onnxruntime on the same aligned chip; its version is the file's SHA-256.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol, runtime_checkable

import numpy as np

from frt.engine import models
from frt.engine.detect import Face, check_rgb, landmarks_5
from frt.engine.errors import EngineError, UnknownName

logger = logging.getLogger(__name__)

CHIP_PADDING = 0.25  # dlib's default: the ResNet was trained on chips with this margin


@dataclass(frozen=True, eq=False)
class Template:
    vector: np.ndarray  # float32, unit length
    algorithm: str
    version: str

    @property
    def dim(self) -> int:
        return int(self.vector.shape[0])

    @property
    def kind(self) -> tuple[str, str]:
        return (self.algorithm, self.version)

    def to_bytes(self) -> bytes:
        return np.asarray(self.vector, dtype="<f4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, algorithm: str, version: str) -> "Template":
        return cls(np.frombuffer(data, dtype="<f4").astype(np.float32), algorithm, version)


@runtime_checkable
class TemplateAlgorithm(Protocol):
    name: str
    version: str
    dim: int

    def embed(self, rgb: np.ndarray, faces: list[Face]) -> list[Template]: ...


def unit(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (float32)."""
    v = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.maximum(norms, 1e-12)


def aligned_chips(
    rgb: np.ndarray, faces: list[Face], size: int, padding: float = CHIP_PADDING
) -> list[np.ndarray]:
    """Each face rotated, scaled and cropped to a size x size chip from its 5 landmarks."""
    import dlib

    chips = []
    for face in faces:
        marks = face.landmarks if face.landmarks is not None else landmarks_5(rgb, face.box)
        points = dlib.points([dlib.point(int(round(x)), int(round(y))) for x, y in marks])
        shape = dlib.full_object_detection(dlib.rectangle(*face.box), points)
        chips.append(dlib.get_face_chip(rgb, shape, size=size, padding=padding))
    return chips


ZOOM = 1.5 / 1.4  # the chip with padding 0.20 instead of 0.25 (a face box of 1.4 chip widths)


def _zoomed(chip: np.ndarray) -> np.ndarray:
    """The tighter crop, cut from the chip itself (so live chips need nothing more): its centre
    resized back to full size. Equal to cutting the 0.20 chip from the photo (RESULTS.md)."""
    import cv2

    h = chip.shape[0]
    m = int(round(h * (1 - 1 / ZOOM) / 2))
    return cv2.resize(
        np.ascontiguousarray(chip[m : h - m, m : h - m]), (h, h), interpolation=cv2.INTER_LINEAR
    )


class DlibResNet:
    """dlib's 128-d face descriptor (face_recognition_models' ResNet), optionally flip-averaged."""

    name = "dlib-resnet"
    dim = 128
    # dlib's published same-person rule (Euclidean distance < 0.6 between raw descriptors, whose
    # length is about 1.46) expressed in FRT's score. A starting point only: the operational
    # threshold is the one `frt eval threshold` finds for the force's False Alert Rate rule.
    reference_threshold = 0.958

    def __init__(
        self, flip: bool = True, zoom: bool = True, jitters: int = 0, runtime: str = "auto"
    ):
        from frt.engine import dlib_onnx

        self.flip, self.zoom, self.jitters = flip, zoom, int(jitters)
        self.version = (
            "1"
            + ("-flip" if flip else "")
            + ("-zoom" if zoom else "")
            + (f"-j{jitters}" if jitters else "")
        )
        if runtime not in ("auto", "dlib", "onnxruntime"):
            raise UnknownName(f"unknown runtime {runtime!r}: auto, dlib or onnxruntime")
        if runtime == "auto":
            runtime = "onnxruntime" if dlib_onnx.available() else "dlib"
        # dlib's jitters are its own random crops: only dlib makes them.
        self.runtime = "dlib" if self.jitters else runtime

    @staticmethod
    def options_for(version: str) -> dict:
        """The constructor options that make templates of `version` (e.g. '1-flip-zoom')."""
        parts = version.split("-")
        jitters = [int(p[1:]) for p in parts if p.startswith("j") and p[1:].isdigit()]
        return {"flip": "flip" in parts, "zoom": "zoom" in parts, "jitters": sum(jitters)}

    def embed(self, rgb: np.ndarray, faces: list[Face]) -> list[Template]:
        if not faces:
            return []
        chips = aligned_chips(check_rgb(rgb), faces, size=150)
        return [Template(v, self.name, self.version) for v in self.embed_chips(chips)]

    def embed_chips(self, chips: list[np.ndarray]) -> np.ndarray:
        views = list(chips) + ([_zoomed(c) for c in chips] if self.zoom else [])
        if self.flip:
            views += [np.ascontiguousarray(c[:, ::-1]) for c in views]
        try:
            vecs = unit(self._descriptors(views))
        finally:
            for made in views[len(chips) :]:  # the copies made here go as soon as they are used
                made.fill(0)
        n = len(chips)
        return unit(vecs.reshape(-1, n, vecs.shape[1]).sum(axis=0))  # mean of each chip's views

    def _descriptors(self, batch: list[np.ndarray]) -> np.ndarray:
        if self.runtime == "onnxruntime":
            from frt.engine import dlib_onnx

            stacked = np.stack(batch)
            try:
                return dlib_onnx.descriptors(stacked)
            finally:
                stacked.fill(0)
        net = models.resnet()
        if self.jitters:
            return np.array([net.compute_face_descriptor(c, self.jitters) for c in batch])
        return np.array(net.compute_face_descriptor(batch))


class OnnxAlgorithm:
    """An embedding model supplied by the force as an ONNX file (NCHW or NHWC float input)."""

    dim: int

    def __init__(
        self,
        model_path: str | Path,
        name: str = "onnx",
        mean: float = 127.5,
        std: float = 127.5,
        padding: float = CHIP_PADDING,
        flip: bool = False,
        threads: int = 1,
    ):
        import onnxruntime as ort

        path = Path(model_path)
        if not path.is_file():
            raise EngineError(f"ONNX model file not found: {path}")
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        self.name, self.version = name, f"sha256:{digest[:16]}"
        self.mean, self.std, self.padding, self.flip = mean, std, padding, flip
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads  # bulk enrolment parallelises over processes
        self._session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self._input = self._session.get_inputs()[0]
        self._nchw, self.size = _input_layout(self._input.shape)
        probe = np.zeros((1, self.size, self.size, 3), dtype=np.uint8)
        self.dim = int(self._run(probe).shape[1])

    def embed(self, rgb: np.ndarray, faces: list[Face]) -> list[Template]:
        if not faces:
            return []
        chips = np.stack(aligned_chips(check_rgb(rgb), faces, self.size, self.padding))
        vecs = self._run(chips)
        if self.flip:
            vecs = unit(vecs) + unit(self._run(np.ascontiguousarray(chips[:, :, ::-1])))
        return [Template(v, self.name, self.version) for v in unit(vecs)]

    def _run(self, chips: np.ndarray) -> np.ndarray:
        x = (chips.astype(np.float32) - self.mean) / self.std
        if self._nchw:
            x = x.transpose(0, 3, 1, 2)
        out = self._session.run(None, {self._input.name: np.ascontiguousarray(x)})[0]
        return np.asarray(out, dtype=np.float32).reshape(len(chips), -1)


def _input_layout(shape) -> tuple[bool, int]:
    """(is NCHW, square input size) from an ONNX input shape such as [N, 3, 112, 112]."""
    dims = list(shape)
    if len(dims) != 4:
        raise EngineError(f"ONNX model input must be 4-d images, got shape {dims}")
    if dims[1] == 3 and isinstance(dims[2], int):
        return True, int(dims[2])
    if dims[3] == 3 and isinstance(dims[1], int):
        return False, int(dims[1])
    raise EngineError(f"ONNX model input shape {dims} is not N,3,H,W or N,H,W,3 with fixed size")


_REGISTRY: dict[str, Callable[..., TemplateAlgorithm]] = {
    DlibResNet.name: DlibResNet,
    "onnx": OnnxAlgorithm,
}
DEFAULT_ALGORITHM = DlibResNet.name


def register_algorithm(name: str, factory: Callable[..., TemplateAlgorithm]) -> None:
    """Make a template algorithm available by name (a force's licensed engine, for example)."""
    _REGISTRY[name] = factory


def get_algorithm(name: str = DEFAULT_ALGORITHM, **options) -> TemplateAlgorithm:
    """An algorithm by registered name; `options` go to its constructor (``model_path=`` etc.)."""
    try:
        factory = _REGISTRY[name]
    except KeyError:
        raise UnknownName(
            f"no template algorithm named {name!r}; known: {sorted(_REGISTRY)}"
        ) from None
    return factory(**options)


def algorithm_names() -> list[str]:
    return sorted(_REGISTRY)
