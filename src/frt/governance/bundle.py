"""The encrypted Watchlist bundle: how a Watchlist travels to FRT (WL-05, DATA-07, 000 §12.1(a)).

Format (version 1), documented for other tools in `docs/watchlist-bundle.md`:

    bundle  = MAGIC (8 bytes, b"FRTWLB01") | key id (8) | nonce (12) | AES-256-GCM(zip) + tag (16)
    key id  = first 8 bytes of SHA-256(key)  — a bundle for another key is named as such
    AAD     = MAGIC | key id                 — the header cannot be altered either
    zip     = manifest.json + images/NNNN-M.<ext>   (no original filenames: they may name people)

manifest.json:

    {"format": "frt-watchlist-bundle", "version": 1, "created_at": "<ISO 8601 UTC>",
     "entries": [{"reference": "…", "category": "suspect", "warning_markers": ["violence"],
                  "image_source": "police_custody" | "police_other" | "non_police",
                  "image_layer": null | "A" | "B" | "C", "legal_basis": "…",
                  "flags": ["under_18", …], "rationale": "…",
                  "images": [{"file": "images/0001-1.jpg", "sha256": "…",
                              "captured_on": "2025-06-01", "threshold": null | 0.93,
                              "threshold_reason": ""}]}]}

The key is 32 random bytes, kept base64 in a key file (`frt watchlist keygen`); without one, an
installation uses a key derived from its own data key, so a bundle packed on the same FRT
installation imports there and nowhere else.

`pack` builds a bundle from a folder of images and a CSV (one row per image; rows sharing a
reference are one subject with several images). `open_bundle` checks everything it can without
policy: size, header, key, authentication, the zip, the manifest's shape and every image's hash.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from frt.policy.input_rules import EARLIEST_PHOTO, MAX_TEXT_CHARS, bad_character
from frt.policy.vocabulary import Category, ImageSource, SubjectFlag

MAGIC = b"FRTWLB01"
FORMAT = "frt-watchlist-bundle"
VERSION = 1
MAX_BUNDLE_BYTES = 256 * 1024 * 1024  # a bundle larger than this is refused before decryption
MAX_ENTRIES = 20_000
# Inside the archive (checked against what each member declares, and again while it is read, so
# a member that lies about its size is cut off): a custody or watchlist photo is well under 20 MB,
# and images are stored, not compressed, so the whole expands to no more than the bundle's bound.
MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_MANIFEST_BYTES = 16 * 1024 * 1024
MAX_EXPANDED_BYTES = MAX_BUNDLE_BYTES
_HEADER = len(MAGIC) + 8 + 12

REQUIRED_COLUMNS = [
    "reference",
    "category",
    "image_source",
    "legal_basis",
    "image",
    "image_captured_on",
]
OPTIONAL_COLUMNS = [
    "warning_markers",
    "image_layer",
    "flags",
    "rationale",
    "threshold",
    "threshold_reason",
]
_SUBJECT_COLUMNS = [
    "category",
    "image_source",
    "image_layer",
    "legal_basis",
    "flags",
    "rationale",
    "warning_markers",
]


class BundleError(Exception):
    """A bundle, its key, or the CSV it is packed from is unusable; the message says why."""


def _text(value: str) -> str:
    """Text in a manifest is text (rule INPUT-TEXT): no lone surrogates or control characters."""
    problem = bad_character(value)
    if problem is not None:
        raise ValueError(f"holds {problem} (rule INPUT-TEXT)")
    return value


def _photo_day(value: date) -> date:
    if value < EARLIEST_PHOTO:
        raise ValueError(f"a photo taken before {EARLIEST_PHOTO:%Y} (rule INPUT-PHOTO-DATE)")
    return value


# Strings of a manifest: a reference, a legal basis, markers and rationales a person typed.
Text = Annotated[str, Field(max_length=MAX_TEXT_CHARS), AfterValidator(_text)]
Word = Annotated[str, Field(max_length=100), AfterValidator(_text)]


class BundleImage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field(pattern=r"^images/[0-9]{4,5}-[0-9]{1,3}\.[a-z0-9]{1,5}$")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    captured_on: Annotated[date, AfterValidator(_photo_day)]
    threshold: float | None = Field(default=None, gt=0, le=1, allow_inf_nan=False)
    threshold_reason: Text = ""


class BundleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    reference: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(_text)]
    category: Word
    warning_markers: list[Word] = Field(default=[], max_length=50)
    image_source: Word
    image_layer: Word | None = None
    legal_basis: Annotated[
        str, Field(min_length=1, max_length=MAX_TEXT_CHARS), AfterValidator(_text)
    ]
    flags: list[Word] = Field(default=[], max_length=20)
    rationale: Text = ""
    images: list[BundleImage] = Field(min_length=1, max_length=50)


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    format: str = Field(pattern=f"^{FORMAT}$")
    version: int = Field(ge=VERSION, le=VERSION)
    created_at: datetime
    entries: list[BundleEntry] = Field(min_length=1, max_length=MAX_ENTRIES)


class BundleImages(Mapping[str, bytes]):
    """The bundle's images by file name, read from the archive one at a time when asked for.

    Only one image is ever inflated at once; each is bounded and checked against its hash.
    """

    def __init__(self, archive: zipfile.ZipFile, hashes: dict[str, str]):
        self._archive, self._hashes = archive, hashes

    def __getitem__(self, name: str) -> bytes:
        blob = _read_member(self._archive, name, MAX_IMAGE_BYTES)
        if hashlib.sha256(blob).hexdigest() != self._hashes[name]:
            raise BundleError(f"image {name} does not match its hash")
        return blob

    def __iter__(self) -> Iterator[str]:
        return iter(self._hashes)

    def __len__(self) -> int:
        return len(self._hashes)


@dataclass(frozen=True)
class Bundle:
    manifest: Manifest
    images: Mapping[str, bytes]  # file -> bytes, read on demand
    sha256: str  # of the sealed bundle as received

    @property
    def image_count(self) -> int:
        return sum(len(e.images) for e in self.manifest.entries)


# ------------------------------------------------------------------ keys
def generate_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def read_key(path: str | Path) -> bytes:
    try:
        text = Path(path).read_text(encoding="ascii")
    except (OSError, ValueError) as exc:
        raise BundleError(f"cannot read the bundle key file {path}: {exc}") from None
    return parse_key(text, source=str(path))


def parse_key(text: str | bytes, source: str = "the key file") -> bytes:
    """A bundle key from its base64 text (a key file's contents)."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError):
        raise BundleError(f"{source} is not a base64 bundle key") from None
    if len(key) != 32:
        raise BundleError(f"the bundle key in {source} is not 32 bytes (AES-256)")
    return key


def installation_key(cipher) -> bytes:
    """The key this installation uses when no bundle key file is given."""
    return cipher.derive_secret(b"watchlist-bundle")


def key_id(key: bytes) -> bytes:
    return hashlib.sha256(key).digest()[:8]


# ------------------------------------------------------------------ seal / open
def seal(manifest: Manifest, images: dict[str, bytes], key: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("manifest.json", manifest.model_dump_json(indent=1))
        for name, data in sorted(images.items()):
            zf.writestr(name, data)
    kid, nonce = key_id(key), os.urandom(12)
    return MAGIC + kid + nonce + AESGCM(key).encrypt(nonce, buf.getvalue(), MAGIC + kid)


def open_bundle(data: bytes, key: bytes, *, max_bytes: int = MAX_BUNDLE_BYTES) -> Bundle:
    """Decrypt and check a bundle; every problem is a `BundleError` with a clear reason."""
    if len(data) > max_bytes:
        raise BundleError(f"the bundle is {len(data):,} bytes; the limit is {max_bytes:,}")
    if len(data) < _HEADER + 16 or not data.startswith(MAGIC):
        raise BundleError("not an FRT Watchlist bundle (no FRTWLB01 header)")
    kid = data[8:16]
    if kid != key_id(key):
        raise BundleError(
            f"the bundle was sealed for key {kid.hex()}, not this key "
            f"({key_id(key).hex()}): use the bundle's key file"
        )
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        plain = AESGCM(key).decrypt(data[16:28], data[28:], data[:16])
    except InvalidTag:
        raise BundleError("the bundle failed authentication: it was altered or damaged") from None
    try:
        zf = zipfile.ZipFile(io.BytesIO(plain))
        _check_members(zf)
        manifest = Manifest.model_validate_json(
            _read_member(zf, "manifest.json", MAX_MANIFEST_BYTES)
        )
        hashes = {image.file: image.sha256 for entry in manifest.entries for image in entry.images}
        images = BundleImages(zf, hashes)
        for name in hashes:
            images[name]  # every image present, within its bound and matching its hash
    except KeyError as exc:
        raise BundleError(f"the bundle lacks {exc.args[0]}") from None
    except _BAD_ARCHIVE:
        raise BundleError("the bundle's contents are not a valid archive") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise BundleError(f"the bundle's manifest is invalid at {where}: {first['msg']}") from None
    return Bundle(manifest, images, sha256)


# What zipfile raises for a damaged, encrypted or unsupported member.
_BAD_ARCHIVE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def _check_members(archive: zipfile.ZipFile) -> None:
    """Refuse an archive whose members declare more than a Watchlist can hold, before inflating."""
    members = archive.infolist()
    if len(members) > MAX_ENTRIES * 50 + 1:
        raise BundleError(f"the bundle holds {len(members):,} files; a Watchlist holds fewer")
    declared = sum(member.file_size for member in members)
    if declared > MAX_EXPANDED_BYTES:
        raise BundleError(
            f"the bundle's contents expand to {declared:,} bytes; the limit is "
            f"{MAX_EXPANDED_BYTES:,}"
        )


def _read_member(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """One member, refused if it declares or yields more than `limit` bytes."""
    info = archive.getinfo(name)  # KeyError if absent: the caller names it
    if info.file_size > limit:
        raise BundleError(f"{name} expands to {info.file_size:,} bytes; the limit is {limit:,}")
    try:
        with archive.open(info) as member:
            blob = member.read(limit + 1)
    except _BAD_ARCHIVE:
        raise BundleError(f"{name} is damaged in the bundle's archive") from None
    if len(blob) > limit:
        raise BundleError(f"{name} expands beyond {limit:,} bytes")
    return blob


# ------------------------------------------------------------------ pack from a folder + CSV
def pack(
    folder: str | Path, csv_path: str | Path, key: bytes, check_image=None
) -> tuple[bytes, Manifest]:
    """Build a bundle from `folder` (the images) and `csv_path` (one row per image).

    `check_image(bytes)` may raise to refuse an image (the CLI passes the engine's decoder).
    """
    folder = Path(folder)
    try:
        text = Path(csv_path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BundleError(f"cannot read the CSV {csv_path}: {exc.strerror}") from None
    rows = _read_rows(text)
    entries, images = [], {}
    for n, (reference, subject_rows) in enumerate(rows.items(), start=1):
        first = subject_rows[0]
        for line, row in subject_rows[1:]:
            for col in _SUBJECT_COLUMNS:
                if row.get(col, "") != first[1].get(col, ""):
                    raise BundleError(
                        f"CSV line {line}: '{col}' differs from the subject's "
                        f"first row (line {first[0]})"
                    )
        bundle_images = []
        for m, (line, row) in enumerate(subject_rows, start=1):
            path = folder / row["image"]
            if not path.resolve().is_relative_to(folder.resolve()) or not path.is_file():
                raise BundleError(f"CSV line {line}: image file not found in the folder")
            blob = path.read_bytes()
            if check_image is not None:
                try:
                    check_image(blob)
                except Exception as exc:  # the engine's ImageError: say which line
                    raise BundleError(f"CSV line {line}: {exc}") from None
            name = f"images/{n:04d}-{m}{path.suffix.lower() or '.img'}"
            images[name] = blob
            bundle_images.append(_image(line, row, name, blob))
        entries.append(_entry(first[0], first[1], reference, bundle_images))
    try:
        manifest = Manifest(
            format=FORMAT, version=VERSION, created_at=datetime.now(UTC), entries=entries
        )
    except ValidationError as exc:
        raise BundleError(f"cannot build the manifest: {exc.errors()[0]['msg']}") from None
    return seal(manifest, images, key), manifest


def _read_rows(text: str) -> dict[str, list[tuple[int, dict]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise BundleError(
            "the CSV lacks the column(s): "
            + ", ".join(missing)
            + " (required: "
            + ", ".join(REQUIRED_COLUMNS)
            + ")"
        )
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise BundleError("the CSV has unknown column(s): " + ", ".join(unknown))
    rows: dict[str, list[tuple[int, dict]]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        for col in REQUIRED_COLUMNS:
            if not row.get(col):
                raise BundleError(f"CSV line {line}: '{col}' is empty")
        rows.setdefault(row["reference"], []).append((line, row))
    if not rows:
        raise BundleError("the CSV has no rows")
    return rows


def _split(value: str) -> list[str]:
    return sorted({v.strip() for v in value.replace(",", ";").split(";") if v.strip()})


def _entry(line: int, row: dict, reference: str, images: list[BundleImage]) -> BundleEntry:
    _check_choice(line, "category", row["category"], Category)
    _check_choice(line, "image_source", row["image_source"], ImageSource)
    flags = _split(row.get("flags", ""))
    for flag in flags:
        _check_choice(line, "flags", flag, SubjectFlag)
    layer = row.get("image_layer") or None
    if layer is not None and layer.upper() not in ("A", "B", "C"):
        raise BundleError(f"CSV line {line}: image_layer is A, B or C")
    return BundleEntry(
        reference=reference,
        category=row["category"],
        warning_markers=_split(row.get("warning_markers", "")),
        image_source=row["image_source"],
        image_layer=layer and layer.upper(),
        legal_basis=row["legal_basis"],
        flags=flags,
        rationale=row.get("rationale", ""),
        images=images,
    )


def _image(line: int, row: dict, name: str, blob: bytes) -> BundleImage:
    try:
        captured = date.fromisoformat(row["image_captured_on"])
        threshold = float(row["threshold"]) if row.get("threshold") else None
        return BundleImage(
            file=name,
            sha256=hashlib.sha256(blob).hexdigest(),
            captured_on=captured,
            threshold=threshold,
            threshold_reason=row.get("threshold_reason", ""),
        )
    except (ValueError, ValidationError) as exc:
        raise BundleError(f"CSV line {line}: {_short(exc)}") from None


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def _check_choice(line: int, column: str, value: str, kind) -> None:
    if value not in {k.value for k in kind}:
        raise BundleError(
            f"CSV line {line}: {column} '{value}' is not one of " + ", ".join(k.value for k in kind)
        )


def describe(bundle: Bundle) -> dict:
    """What `frt watchlist inspect` shows: counts only, no personal data."""
    by_category: dict[str, dict[str, int]] = {}
    for entry in bundle.manifest.entries:
        row = by_category.setdefault(entry.category, {"individuals": 0, "images": 0})
        row["individuals"] += 1
        row["images"] += len(entry.images)
    return {
        "format": bundle.manifest.format,
        "version": bundle.manifest.version,
        "created_at": bundle.manifest.created_at.isoformat(),
        "individuals": len(bundle.manifest.entries),
        "images": bundle.image_count,
        "by_category": by_category,
        "sha256": bundle.sha256,
    }


def manifest_json(bundle: Bundle) -> str:
    return json.dumps(describe(bundle), indent=2)
