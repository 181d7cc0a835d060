"""Force policy profiles: every number or rule that differs between forces, with its citation.

A profile is a YAML file in `profiles/` (one per force). Each entry is `{value: …, cite: "…"}`,
validated into the models below; a bad file is refused naming the file and the key.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Generic, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from frt.policy.ranks import Rank

PROFILES_DIR = Path(__file__).with_name("profiles")

T = TypeVar("T")


class ProfileError(Exception):
    """A policy profile is missing, unreadable or invalid. The message names the file and key."""


class Cited(BaseModel, Generic[T]):
    model_config = ConfigDict(extra="forbid", frozen=True)
    value: T
    cite: str = Field(min_length=3)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Authority(_Section):
    authoriser_min_rank: Cited[Rank]
    urgent_authoriser_min_rank: Cited[Rank | None]
    max_period_days: Cited[int] = Field()
    series_max_days: Cited[int]
    npcc_consultation_required: Cited[bool]
    verbal_allowed: Cited[bool]


class Command(_Section):
    gold_min_rank: Cited[Rank]
    gold_urgent_min_rank: Cited[Rank | None]
    silver_min_rank: Cited[Rank]
    bronze_min_rank: Cited[Rank]
    silver_review_interval_hours: Cited[float]


class Training(_Section):
    lfr_operator: Cited[list[str]]
    engagement_officer: Cited[list[str]]
    system_engineer: Cited[list[str]]


class Watchlist(_Section):
    import_window_hours: Cited[float]
    deletion_hours_after_end: Cited[float]


class Retention(_Section):
    alert_hours: Cited[float]
    footage_hours: Cited[float]


class Threshold(_Section):
    max_false_alert_rate: Cited[float | None]
    minimum: Cited[float | None]


class Recognition(_Section):
    """The faces live recognition templates: smaller or poorer ones cannot be matched reliably
    at the operating Threshold, so they are counted, not templated (LIVE-02)."""

    min_inter_eye_px: Cited[float] = Cited[float](value=20.0, cite="004 §13.1")
    min_face_quality: Cited[float] = Cited[float](value=0.25, cite="000 §6.2(3)")


class Reporting(_Section):
    cancellation_report_due_days: Cited[int]


class Governance(_Section):
    """The LFR governance path (issue 4): documents, advice, overt use, reporting."""

    required_documents: Cited[list[str]]  # before submission (GOV-02); reviewed before authority
    protected_advice_documents: Cited[list[str]]  # under 18/13, disability, reassignment (WL-03)
    advance_notice_required: Cited[bool]  # unless an exception is recorded (GOV-11)
    contact_point: Cited[str | None]  # published for the public (GOV-11)
    outside_policy_needs_legal_advice: Cited[bool]  # GOV-16


class Offence(BaseModel):
    """An offence a Form 3 may name, and whether it is a Recordable Offence (PACE 1984)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=2)
    recordable: bool
    mopi_group: int = Field(default=2, ge=1, le=3)
    tier: int = Field(default=3, ge=1, le=3)  # 003 Annex C: Tier 3 covers "other" offences


_OFFENCES = (
    [
        Offence(name=n, recordable=True, mopi_group=1, tier=1)
        for n in (
            "murder",
            "attempted murder",
            "rape",
            "sexual assault",
            "robbery",
            "kidnap",
            "possession of a firearm",
            "grievous bodily harm",
            "arson",
        )
    ]
    + [
        Offence(name=n, recordable=True, tier=2)
        for n in (
            "actual bodily harm",
            "burglary",
            "theft from a motor vehicle",
            "criminal damage",
            "supply of controlled drugs",
            "affray",
        )
    ]
    + [
        Offence(name=n, recordable=True, tier=3)
        for n in (
            "common assault",
            "theft",
            "fraud",
            "handling stolen goods",
            "possession of controlled drugs",
            "harassment",
            "possession of an offensive weapon",
        )
    ]
    + [
        Offence(name=n, recordable=False, mopi_group=3)
        for n in ("speeding", "failing to wear a seat belt", "dropping litter", "no TV licence")
    ]
)


def _cited(value, cite: str):
    return Field(default_factory=lambda: Cited(value=value, cite=cite))


CAVEAT = (
    "This type of identification has come from a Facial Recognition Search (FRS) the FR Operator "
    "uploaded and searched the image above through Facial Recognition Software. They believe the "
    "suspect shows good likeness to this image. This is not an expert facial comparison and "
    "therefore, this does not meet the evidential requirements under PACE Code D for Recognition "
    "and an MG11 from the identifying officer will not be provided.\n\n"
    "Performance of the RFR System: The MPS has outlined details as regards performance and "
    "demographic differential considerations in relation to its FR systems here: "
    "https://www.met.police.uk/SysSiteAssets/media/downloads/force-content/met/advice/lfr/new/"
    "understanding-accuracy-and-demographic-differences-v3..pdf"
)


class Rfr(_Section):
    substantive_library_review_days: Cited[int]
    temporary_library_first_review_days: Cited[int]
    temporary_library_review_max_days: Cited[int]
    expired_library_deletion_days: Cited[int]
    probe_retention_days: Cited[int]
    cache_review_months: Cited[dict[str, int]]
    # 003 §7.1(b)(i): age band at capture -> MOPI group -> years from capture (None: not in
    # scope for RFR Searching), each cell with its own citation.
    library_retention_years: Cited[dict[str, dict[str, Cited[int | None]]]]
    # Issue 10 (RFR libraries, Form 3, safeguards, results). Defaults are the MPS policy's.
    temporary_library_min_rank: Cited[Rank] = _cited(Rank.SUPERINTENDENT, "003 §5.5(b)(iii)")
    temporary_library_urgent_min_rank: Cited[Rank] = _cited(Rank.INSPECTOR, "003 §5.10")
    search_approver_min_rank: Cited[Rank] = _cited(Rank.INSPECTOR, "003 §8.21")
    # Image Levels (Annex A) of a Probe Image or a library that need an Inspector's approval.
    approval_image_levels: Cited[list[int]] = _cited([4, 5], "003 §8.21")
    candidate_list_length: Cited[int] = _cited(50, "003 §8.25")
    match_report_caveat: Cited[str] = _cited(CAVEAT, "003 §8.27")
    offences: Cited[list[Offence]] = _cited(_OFFENCES, "003 §8.6; PACE 1984 s.27(4)")
    # Issue 11 (Unresolved Crime Cache, retention, reports). Defaults are the MPS policy's.
    cache_approver_min_rank: Cited[Rank] = _cited(Rank.INSPECTOR, "003 §6.2, §8.21")
    # A cached probe's re-search makes a work item only for candidates scoring at least this
    # (the engine's similarity; 0.91 is dlib's usual same-person distance of 0.6).
    cache_match_threshold: Cited[float] = _cited(0.91, "003 §6.1; engine.compare")


class Profile(_Section):
    name: str
    force: str
    authority: Authority
    command: Command
    training: Training
    watchlist: Watchlist
    retention: Retention
    threshold: Threshold
    recognition: Recognition = Recognition()
    reporting: Reporting
    governance: Governance
    rfr: Rfr
    crime_tiers: Cited[dict[str, list[str]]]

    def entries(self) -> list[tuple[str, object, str]]:
        """Every entry as (dotted key, value, citation), for display."""
        rows: list[tuple[str, object, str]] = []
        for key in type(self).model_fields:
            _flatten(key, getattr(self, key), rows)
        return rows


def _flatten(prefix: str, node: object, rows: list) -> None:
    if isinstance(node, Cited) and _has_cells(node.value):
        for key, cell in node.value.items():  # a table whose cells carry their own citations
            _flatten(f"{prefix}.{key}", cell, rows)
    elif isinstance(node, dict) and _has_cells(node):
        for key, cell in node.items():
            _flatten(f"{prefix}.{key}", cell, rows)
    elif isinstance(node, Cited):
        value = node.value.value if isinstance(node.value, Rank) else node.value
        rows.append((prefix, value, node.cite))
    elif isinstance(node, BaseModel):
        for key in type(node).model_fields:
            _flatten(f"{prefix}.{key}", getattr(node, key), rows)


def _has_cells(value: object) -> bool:
    return isinstance(value, dict) and any(
        isinstance(v, Cited) or _has_cells(v) for v in value.values()
    )


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILES_DIR.glob("*.yaml"))


def load_profile_file(path: Path) -> Profile:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"cannot read policy profile {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"policy profile {path} is not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ProfileError(f"policy profile {path} must be a mapping of sections")
    try:
        return Profile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(p) for p in first["loc"])
        raise ProfileError(
            f"policy profile {path}: key '{key}': {first['msg']}"
            + (f" ({len(exc.errors())} problems in all)" if len(exc.errors()) > 1 else "")
        ) from exc


@lru_cache(maxsize=8)
def load_profile(name: str) -> Profile:
    """The named force's profile (`mps`, `cumbria`, …) from the packaged profiles folder."""
    path = PROFILES_DIR / f"{name}.yaml"
    if not path.is_file():
        raise ProfileError(
            f"unknown policy profile '{name}' (no file {path}); "
            f"available: {', '.join(available_profiles())}"
        )
    return load_profile_file(path)
