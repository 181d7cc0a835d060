"""What was chosen when this installation was set up: the force's policy profile, its public
contact, and whether it is a *training* installation (issue 12, items 1 and 5).

Kept in `FRT_DATA_DIR/installation.json` (mode 0600), written by `frt setup` (a force's
installation) or by `frt serve --demo` (a training installation). Until then the public page
names no contact: an installation that has not chosen its profile does not speak for any force.

A training installation exists only on the embedded SQLite database, is made only by the demo,
and is said on every page and in every CLI output. In it — and nowhere else — the demo
Deployment may run on the profile's minimum Threshold without a recorded evaluation of the
algorithm (EVAL-03 stands everywhere else: `training_minimum`). It can never be a force's: it is
refused on PostgreSQL, and `frt setup` refuses a data directory that holds one.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

FILE = "installation.json"
TRAINING_BANNER = (
    "TRAINING INSTALLATION — demo data only, no real force, no real people. "
    "The demo Deployment may run on the minimum Threshold without an evaluation."
)


class InstallationError(ValueError):
    """The installation cannot be set up as asked (the message says why)."""


@dataclass(frozen=True)
class Installation:
    profile: str
    contact: str | None = None
    training: bool = False
    training_deployment: str | None = None  # the one demo Deployment allowed the minimum


def path_of(settings) -> Path:
    return Path(settings.data_dir) / FILE


def read_installation(settings) -> Installation | None:
    """The installation's choices, or None if it was never set up. A training file on any
    database but the embedded one is ignored (a training installation is never a force's)."""
    try:
        data = json.loads(path_of(settings).read_text())
        chosen = Installation(
            **{k: data.get(k) for k in Installation.__dataclass_fields__ if k in data}
        )
    except (OSError, ValueError, TypeError):
        return None
    if chosen.training and not settings.is_embedded:
        return None
    return chosen


def is_training(settings) -> bool:
    chosen = read_installation(settings)
    return bool(chosen and chosen.training)


def write_installation(settings, chosen: Installation) -> Installation:
    if chosen.training and not settings.is_embedded:
        raise InstallationError(
            "a training installation is only ever the embedded demo "
            "database, never a force's PostgreSQL"
        )
    existing = read_installation(settings)
    if existing is not None and existing.training and not chosen.training:
        raise InstallationError(
            f"{settings.data_dir} holds a training installation: set up a "
            "force's installation in a data directory of its own"
        )
    if existing is not None and not existing.training and chosen.training:
        raise InstallationError(
            f"{settings.data_dir} is a force's installation: the demo "
            "(a training installation) needs a data directory of its own"
        )
    folder = Path(settings.data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = path_of(settings)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(chosen), indent=2) + "\n")
    os.chmod(tmp, 0o600)
    tmp.replace(target)
    return chosen


def training_minimum(settings, deployment_id: str) -> bool:
    """May this Deployment run on the minimum Threshold without an evaluation? Only the demo
    Deployment of a training installation on the embedded database."""
    chosen = read_installation(settings)
    return bool(
        chosen
        and chosen.training
        and settings.is_embedded
        and chosen.training_deployment == deployment_id
    )
