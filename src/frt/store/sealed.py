"""Encrypted columns, sealed and opened in one place (DATA-07, 000 §12.1(a)).

Each encrypted column is declared once, beside its model, with the context string AES-GCM
authenticates alongside the blob — its table, column and the row's id — so a blob copied into
another row or column fails to open:

    PROBE = SealedColumn("lfr_alerts.probe")
    row.probe_sealed = PROBE.seal(cipher, row.id, png)
    png = PROBE.open(cipher, row.id, row.probe_sealed)

The strings are part of the data at rest: changing one makes every stored blob unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass

from frt.store.crypto import BlobCipher


@dataclass(frozen=True)
class SealedColumn:
    context_prefix: str  # e.g. "lfr_alerts.probe"

    def context(self, row_id: str) -> bytes:
        return f"{self.context_prefix}:{row_id}".encode()

    def seal(self, cipher: BlobCipher, row_id: str, plaintext: bytes) -> bytes:
        return cipher.seal(plaintext, context=self.context(row_id))

    def open(self, cipher: BlobCipher, row_id: str, sealed: bytes) -> bytes:
        return cipher.open(sealed, context=self.context(row_id))
