"""Labelled face folders (`<identity>/<images>`) and the open-set identification protocol split.

The protocol (`testdata/README.md`, after national face recognition evaluations):
- gallery: the first image, in sorted file-name order, of every identity with two or more images;
- mated searches: every other image of those identities;
- non-mated searches: every image of a one-image identity, and every mated-search image searched
  again with its own identity removed from the gallery.
"""

from __future__ import annotations

import logging
import zlib
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp", ".gif"}


@dataclass(frozen=True)
class Item:
    identity: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.identity}/{self.path.name}"


@dataclass(frozen=True)
class Split:
    gallery: list[Item]  # one per identity with 2+ images
    mated: list[Item]  # the other images of those identities
    singletons: list[Item]  # images of one-image identities (non-mated only)

    @property
    def items(self) -> list[Item]:
        return self.gallery + self.mated + self.singletons


def scan(root: str | Path) -> dict[str, list[Path]]:
    """Identity name -> its image files in sorted file-name order."""
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"not a folder: {root}")
    out: dict[str, list[Path]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        images = sorted(
            (p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES),
            key=lambda p: p.name,
        )
        if images:
            out[folder.name] = images
    return out


def in_fold(identity: str, fold: tuple[int, int] | None) -> bool:
    """Stable assignment of identities to one of k folds (for cohort / evaluation splits)."""
    if fold is None:
        return True
    index, count = fold
    return zlib.crc32(identity.encode()) % count == index


def parse_fold(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    index, count = (int(x) for x in text.split("/"))
    if not 0 <= index < count:
        raise ValueError(f"fold {text}: index must be 0..{count - 1}")
    return index, count


def split(identities: dict[str, list[Path]], limit: int | None = None) -> Split:
    """The protocol split; `limit` keeps the first N identities (for quick runs)."""
    names = sorted(identities)[:limit] if limit else sorted(identities)
    gallery: list[Item] = []
    mated: list[Item] = []
    singletons: list[Item] = []
    for name in names:
        images = identities[name]
        if len(images) == 1:
            singletons.append(Item(name, images[0]))
        else:
            gallery.append(Item(name, images[0]))
            mated.extend(Item(name, p) for p in images[1:])
    return Split(gallery, mated, singletons)


def cohort_items(root: str | Path, exclude: set[str]) -> list[Item]:
    """Every image of a cohort folder, leaving out identities that are also being evaluated."""
    identities = scan(root)
    overlap = exclude & set(identities)
    if overlap:
        logger.info("cohort: %d identities also under evaluation left out", len(overlap))
    return [Item(n, p) for n, paths in identities.items() if n not in exclude for p in paths]
