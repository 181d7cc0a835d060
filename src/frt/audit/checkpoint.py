"""Signed checkpoints of the audit chain, kept outside the database (DATA-04; 000 §12.1(h)).

A checkpoint states how many records the chain held and the MAC of its last link, at a time, for
one installation, signed with Ed25519. Someone who can rewrite the database cannot make a chain
that is shorter than a checkpoint (truncation, deletion of everything) or different at its
position (re-forging) without it showing, because the signing key is not in the database: it is a
file beside the data key (`audit-signing.key`, mode 0600, made on first use). It is a key of its
own, not derived from the data key, so that a leaked data key (it may sit in an environment
variable) does not also let checkpoints be forged, and so that auditors keep one public key for
the life of the installation (`frt audit public-key`).

Checkpoints are written by `frt serve` at intervals and by `frt audit checkpoint`, as JSON files in
`FRT_DATA_DIR/audit-checkpoints/`; an auditor keeps copies and the public key.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from frt.store.files import check_private, write_private

FORMAT = "frt-audit-checkpoint/1"
SIGNER_INFO = "frt.audit_signer"  # where a Store's sessions carry the Signer (Session.info)


class CheckpointError(ValueError):
    """A checkpoint file or public key that cannot be read."""


@dataclass(frozen=True)
class Checkpoint:
    installation: str  # the data key's id: which installation's chain this is
    records: int  # chain length
    head: str  # MAC of the link at position `records` (GENESIS if none)
    at: str  # ISO 8601 UTC
    public_key: str  # hex of the raw Ed25519 public key that signed it
    signature: str = ""  # base64

    def body(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(
            {"format": FORMAT, **fields}, sort_keys=True, separators=(",", ":")
        ).encode("utf-8")

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, **asdict(self)}, indent=2) + "\n"

    @classmethod
    def from_json(cls, text: str, *, source: str = "checkpoint") -> Checkpoint:
        try:
            data = json.loads(text)
            if data.pop("format") != FORMAT:
                raise ValueError("unknown format")
            return cls(
                installation=str(data["installation"]),
                records=int(data["records"]),
                head=str(data["head"]),
                at=str(data["at"]),
                public_key=str(data["public_key"]),
                signature=str(data["signature"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CheckpointError(f"{source} is not an FRT audit checkpoint ({exc})") from exc

    @classmethod
    def load(cls, path: Path) -> Checkpoint:
        try:
            return cls.from_json(Path(path).read_text(encoding="utf-8"), source=str(path))
        except OSError as exc:
            raise CheckpointError(f"cannot read checkpoint {path}: {exc.strerror}") from exc

    def signature_problem(self, trusted: bytes | None) -> str | None:
        """None if signed by `trusted` (raw public key); else what is wrong, as a phrase."""
        if trusted is None:
            return "cannot be checked: no public key (give the auditor's copy)"
        if bytes.fromhex(self.public_key) != trusted:
            return "was not signed by the trusted public key"
        try:
            Ed25519PublicKey.from_public_bytes(trusted).verify(
                base64.b64decode(self.signature), self.body()
            )
        except (InvalidSignature, ValueError):
            return "has a signature that does not verify (altered or forged)"
        return None


@dataclass(frozen=True)
class Signer:
    """This installation's checkpoint key and folder (both outside the database)."""

    key_file: Path
    folder: Path
    installation: str

    def private_key(self) -> Ed25519PrivateKey:
        """The signing key, made on first use (O_EXCL, 0600); refused if others can read it."""
        if not self.key_file.exists():
            key = Ed25519PrivateKey.generate()
            write_private(
                self.key_file,
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                ),
            )
            return key
        check_private(self.key_file, what="audit signing key")
        loaded = serialization.load_pem_private_key(self.key_file.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise CheckpointError(f"{self.key_file} is not an Ed25519 private key")
        return loaded

    def public_key_bytes(self) -> bytes | None:
        if not self.key_file.exists():
            return None
        return raw_public(self.private_key().public_key())

    def sign(self, records: int, head: str, at: str) -> Checkpoint:
        key = self.private_key()
        unsigned = Checkpoint(
            self.installation, records, head, at, raw_public(key.public_key()).hex()
        )
        signature = base64.b64encode(key.sign(unsigned.body())).decode("ascii")
        return Checkpoint(**{**asdict(unsigned), "signature": signature})

    def write(self, checkpoint: Checkpoint) -> Path:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        stamp = checkpoint.at.replace(":", "").replace("-", "")
        path = self.folder / f"checkpoint-{checkpoint.records:012d}-{stamp}.json"
        write_private(path, checkpoint.to_json().encode("utf-8"), replace=True)
        return path

    def latest(self) -> Checkpoint | None:
        """The newest checkpoint kept here (names sort by chain length, then time)."""
        if not self.folder.is_dir():
            return None
        files = sorted(self.folder.glob("checkpoint-*.json"))
        return Checkpoint.load(files[-1]) if files else None


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(raw: bytes) -> str:
    key = Ed25519PublicKey.from_public_bytes(raw)
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public(path: Path) -> bytes:
    """An auditor's copy of the public key (PEM, as `frt audit public-key` writes it)."""
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"{path} is not a PEM public key ({exc})") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"{path} is not an Ed25519 public key")
    return raw_public(key)


def write_new(path: Path, text: str) -> None:
    """Write an exported file (a checkpoint or public key for an auditor), readable by others."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
