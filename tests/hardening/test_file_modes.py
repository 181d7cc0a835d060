"""The data folder is 0700 and the database, keys and checkpoints 0600; a key file that others
can read is refused (DATA-07; hardening issue, item 9)."""

from __future__ import annotations

import stat

import pytest

from frt.app import open_store
from frt.store.crypto import EncryptionKeyError

pytestmark = pytest.mark.req("DATA-07")


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_installation_is_readable_by_its_owner_only(tmp_path):
    from frt.settings import Settings

    data = tmp_path / "var"
    settings = Settings(data, f"sqlite:///{data / 'frt.sqlite3'}", "mps", None)
    store = open_store(settings)  # the embedded default: creates and migrates everything
    from frt.audit.jobs import checkpoint

    _made, kept = checkpoint(store)
    store.dispose()
    assert _mode(data) == 0o700
    for name in ("frt.sqlite3", "frt.key", "audit-signing.key"):
        assert _mode(data / name) == 0o600, name
    for wal in data.glob("frt.sqlite3-*"):
        assert _mode(wal) == 0o600, wal.name
    assert _mode(kept) == 0o600 and _mode(kept.parent) == 0o700


def test_an_existing_open_folder_and_database_are_closed_up(settings):
    settings.data_dir.chmod(0o755)
    open_store(settings, migrate=False).dispose()
    assert _mode(settings.data_dir) == 0o700
    if settings.is_embedded:
        assert _mode(settings.data_dir / "frt.sqlite3") == 0o600


def test_a_key_file_others_can_read_is_refused_with_the_fix(settings):
    open_store(settings, migrate=False).dispose()
    settings.key_file.chmod(0o644)
    with pytest.raises(EncryptionKeyError, match="chmod 600") as refused:
        open_store(settings, migrate=False)
    assert "000 §12.1(a)" in str(refused.value)
    settings.key_file.chmod(0o600)
    open_store(settings, migrate=False).dispose()


def test_an_audit_signing_key_others_can_read_is_refused(store):
    from frt.audit.checkpoint import SIGNER_INFO
    from frt.audit.jobs import checkpoint
    from frt.store.files import ExposedKeyFile

    checkpoint(store)
    with store.sessions() as s:
        signer = s.info[SIGNER_INFO]
    signer.key_file.chmod(0o640)
    with pytest.raises(ExposedKeyFile, match="chmod 600"):
        checkpoint(store)
