"""Files only their owner may read: the data folder (0700), the embedded database, keys and
certificates' private keys (0600) (DATA-07; 000 §12.1(a)–(b)).

A key file that others can read is refused, not silently used: whoever could read it may hold a
copy, and the fix (chmod 600, and perhaps a new key) is the owner's decision.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

logger = logging.getLogger(__name__)

CITATION = "000 §12.1(a)–(b)"


class ExposedKeyFile(PermissionError):
    """A private key file that users other than its owner can read or write."""


def private_dir(path: Path) -> Path:
    """Create `path` mode 0700, or take group and other access away from an existing one."""
    path = Path(path)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        try:
            path.chmod(0o700)
            logger.warning("data folder %s was mode %o; now 0700 (%s)", path, mode, CITATION)
        except PermissionError:
            logger.warning(
                "data folder %s is mode %o and cannot be made 0700 (%s)", path, mode, CITATION
            )
    return path


def private_file(path: Path) -> None:
    """Make an existing file 0600, or create it empty with mode 0600 (e.g. the SQLite database,
    whose -wal and -shm files SQLite then creates with the same mode)."""
    path = Path(path)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        return
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        path.chmod(0o600)
        logger.warning("%s was mode %o; now 0600 (%s)", path, mode, CITATION)


def write_private(path: Path, data: bytes, *, replace: bool = False) -> None:
    """Write `data` to a new file created 0600 (no moment when another user could read it)."""
    path = Path(path)
    if replace and path.exists():
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def check_private(path: Path, *, what: str) -> None:
    """Refuse a key file that group or others may read or write."""
    mode = stat.S_IMODE(Path(path).stat().st_mode)
    if mode & 0o077:
        raise ExposedKeyFile(
            f"the {what} {path} is mode {mode:o}: other users may read it. Run `chmod 600 {path}`"
            f" (and consider the key exposed if anyone else could have read it) ({CITATION})"
        )
