"""Encryption at rest of sensitive blobs (images, templates) with AES-256-GCM (DATA-07, 000 §12.1(a)).

A sealed blob is `b"FRT1" | key id (8 bytes) | nonce (12 bytes) | ciphertext+tag`. The key id is
the first 8 bytes of SHA-256 of the key, so a blob sealed under another key is recognised as such
and refused with a clear error instead of a bare authentication failure.

The key comes from `FRT_SECRET_KEY` (base64 of 32 bytes) or from a key file created on first use
with mode 0600 (one that others can read is refused). A key file is only created when the database holds no sealed data yet: a lost key
is reported, never silently replaced (which would orphan everything already recorded).
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from frt.store.files import ExposedKeyFile, check_private, private_dir, write_private

MAGIC = b"FRT1"
_HEADER = len(MAGIC) + 8 + 12


class EncryptionKeyError(Exception):
    """The encryption key is missing, malformed, or not the key this data was sealed with."""


class BlobCipher:
    def __init__(self, key: bytes):
        if len(key) != 32:
            raise EncryptionKeyError(f"encryption key must be 32 bytes (AES-256), got {len(key)}")
        self._aead = AESGCM(key)
        self._key = key
        self.key_id = hashlib.sha256(key).digest()[:8]

    def derive_secret(self, purpose: bytes, length: int = 32) -> bytes:
        """A secret for another use (e.g. signing session cookies), derived with HKDF-SHA256.

        Each `purpose` gets an independent secret, so the data key itself never leaves here.
        """
        if not purpose:
            raise ValueError("derive_secret needs a purpose label")
        hkdf = HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=b"frt:" + purpose)
        return hkdf.derive(self._key)

    def seal(self, plaintext: bytes, *, context: bytes = b"") -> bytes:
        """Encrypt; `context` (e.g. a table and row id) is authenticated, so blobs can't be swapped."""
        nonce = os.urandom(12)
        return MAGIC + self.key_id + nonce + self._aead.encrypt(nonce, plaintext, context)

    def open(self, sealed: bytes, *, context: bytes = b"") -> bytes:
        if len(sealed) < _HEADER + 16 or not sealed.startswith(MAGIC):
            raise EncryptionKeyError("not an FRT sealed blob (missing header)")
        key_id = sealed[4:12]
        if key_id != self.key_id:
            raise EncryptionKeyError(
                f"blob was sealed with key {key_id.hex()}, but the configured key is "
                f"{self.key_id.hex()}: set FRT_SECRET_KEY or restore the key file"
            )
        try:
            return self._aead.decrypt(sealed[12:24], sealed[24:], context)
        except InvalidTag as exc:
            raise EncryptionKeyError(
                "blob failed authentication: altered or wrong context"
            ) from exc


def generate_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def encode_key(key: bytes) -> str:
    return base64.b64encode(key).decode("ascii")


def decode_key(text: str, *, source: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (ValueError, TypeError) as exc:
        raise EncryptionKeyError(f"{source} is not valid base64") from exc
    if len(key) != 32:
        raise EncryptionKeyError(f"{source} must hold 32 bytes (AES-256), it holds {len(key)}")
    return key


def load_key(env_value: str | None, key_file: Path, *, may_create: bool) -> bytes:
    """The installation's key: from the environment, else the key file, else a new key file."""
    if env_value:
        return decode_key(env_value, source="FRT_SECRET_KEY")
    if key_file.exists():
        try:
            check_private(key_file, what="key file")
        except ExposedKeyFile as exc:
            raise EncryptionKeyError(str(exc)) from exc
        return decode_key(key_file.read_text(encoding="ascii"), source=f"key file {key_file}")
    if not may_create:
        raise EncryptionKeyError(
            f"no encryption key: FRT_SECRET_KEY is unset and {key_file} is missing, but the "
            "database already holds encrypted data. Restore the key; a new one cannot read it."
        )
    private_dir(key_file.parent)
    key = generate_key()
    # O_EXCL + 0600: never overwrite a key, never let another user read it.
    write_private(key_file, (encode_key(key) + "\n").encode("ascii"))
    return key
