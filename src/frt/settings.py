"""Installation settings, read from the environment.

Everything a force may change about *how* FRT runs lives here; everything the *policy* fixes
lives in the force's policy profile (`frt.policy`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    policy_profile: str
    secret_key: str | None  # base64 AES-256 key; None -> key file in data_dir

    @property
    def is_embedded(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def key_file(self) -> Path:
        return self.data_dir / "frt.key"

    @property
    def audit_signing_key_file(self) -> Path:
        """The Ed25519 key that signs audit checkpoints: beside the data key, never in the DB."""
        return self.data_dir / "audit-signing.key"

    @property
    def audit_checkpoint_dir(self) -> Path:
        """Where signed audit checkpoints are kept (outside the database)."""
        return self.data_dir / "audit-checkpoints"


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("FRT_DATA_DIR", "var")).resolve()
    url = os.environ.get("FRT_DATABASE_URL") or f"sqlite:///{data_dir / 'frt.sqlite3'}"
    return Settings(
        data_dir=data_dir,
        database_url=url,
        policy_profile=os.environ.get("FRT_POLICY_PROFILE", "mps"),
        secret_key=os.environ.get("FRT_SECRET_KEY") or None,
    )
