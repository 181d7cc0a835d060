"""A template cache for evaluation runs, keyed by image content and engine configuration.

Lives outside the repository's tracked files (default `./var/cache/templates`, or
`$FRT_CACHE_DIR`). Holds templates of *evaluation* data only — never live or operational images.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np

from frt.engine.enrol import EngineSpec, Enrolment
from frt.engine.template import Template

logger = logging.getLogger(__name__)


def default_cache_dir() -> Path:
    return Path(os.environ.get("FRT_CACHE_DIR", "var/cache")) / "templates"


# Options already reflected in an algorithm's version string (which names the cache folder).
IN_VERSION = {"flip", "zoom", "jitters", "model_path"}


def spec_key(spec: EngineSpec) -> str:
    options = {k: str(v) for k, v in spec.algorithm_options.items() if k not in IN_VERSION}
    text = json.dumps(
        [spec.detector, spec.detector_options, spec.algorithm, options, spec.quality_gate],
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class TemplateCache:
    """One small .npz per (engine configuration, image content)."""

    def __init__(self, root: Path | None, spec: EngineSpec, algorithm_version: str):
        self.enabled = root is not None
        self.dir = (root or Path()) / f"{spec.algorithm}-{algorithm_version}" / spec_key(spec)
        self.algorithm, self.version = spec.algorithm, algorithm_version
        if self.enabled:
            self.dir.mkdir(parents=True, exist_ok=True)

    def _file(self, path: Path) -> Path:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        return self.dir / digest[:2] / f"{digest}.npz"

    def get(self, path: Path, key: str) -> Enrolment | None:
        if not self.enabled:
            return None
        file = self._file(path)
        if not file.exists():
            return None
        with np.load(file) as data:
            reason = str(data["reason"]) or None
            vector = data["vector"]
        template = (
            Template(vector.astype(np.float32), self.algorithm, self.version)
            if reason is None
            else None
        )
        return Enrolment(key, template, reason)

    def put(self, path: Path, result: Enrolment) -> None:
        if not self.enabled:
            return
        file = self._file(path)
        file.parent.mkdir(exist_ok=True)
        vector = result.template.vector if result.template is not None else np.zeros(0, np.float32)
        tmp = file.with_suffix(".tmp.npz")
        np.savez(tmp, vector=vector, reason=np.array(result.reason or ""))
        os.replace(tmp, file)
