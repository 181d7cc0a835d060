"""Importing a Watchlist for a Deployment, its composition, and the runtime's read API (WL-01 … WL-09).

`import_bundle` is all-or-nothing: it opens the bundle, applies every rule to every entry, decodes
and quality-checks every image with the face engine and makes every template *before* it writes
anything, so a refusal or a bad image leaves nothing half-imported. The refusals (each naming its
rule and paragraph): earlier than the profile's window before the start (000 §6.2(4)); a category
outside the authority (000 §6.2, §6.8); a victim/witness/associate without rationale (000 §6.19);
a non-police image the authority does not allow (000 §6.12); a flagged person without the advice
recorded and the AO's decision (000 §6.7). Poor quality is a warning kept with the image (WL-04);
an image with no face is refused.

`load_for_recognition` is what `frt.lfr` calls: subjects with category, warning markers (WL-06)
and decrypted templates, each image's Threshold (the authority's minimum or a raise, WL-09).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.core.actions import action
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.governance import bundle as bundles
from frt.governance.access import reads_deployment
from frt.governance.applications import latest_documents
from frt.governance.enums import AuthorityStatus, DeploymentState, Duty
from frt.governance.models import Application, Authority, Deployment
from frt.governance.outside_policy import WATCHLIST_IMPORT, Scope, use
from frt.governance.oversight_models import CommandAppointment, RosterEntry
from frt.governance.watchlist_models import Watchlist, WatchlistEntry, WatchlistImage
from frt.people.roles import LFR_ROLES, Role
from frt.policy import Decision, require
from frt.policy.access import object_access
from frt.policy.input_rules import photo_date
from frt.policy.lfr_rules import (
    category_authorised,
    image_source_allowed,
    image_threshold_raise,
    import_window,
    intelligence_current,
    protected_inclusion,
    rationale_given,
)

if TYPE_CHECKING:  # the engine loads its models when first used, not at import
    from frt.engine.template import Template

logger = logging.getLogger(__name__)


class WatchlistImportError(InputError):
    """The bundle or one of its images cannot be imported; nothing was imported."""


@dataclass(frozen=True)
class Analysis:
    template: Template
    score: float
    warnings: list[str]


class ImportEngine(Protocol):
    algorithm: str
    version: str

    def analyse(self, image: bytes) -> Analysis: ...


class FaceEngine:
    """The face engine at import: decode, detect (thorough), assess quality, template."""

    def __init__(self, detector: str = "thorough", algorithm: str = "dlib-resnet"):
        from frt.engine.detect import get_detector
        from frt.engine.template import get_algorithm

        self._detector = get_detector(detector)
        self._algorithm = get_algorithm(algorithm)
        self.algorithm, self.version = self._algorithm.name, self._algorithm.version

    def analyse(self, image: bytes) -> Analysis:
        from frt.engine.enrol import template_image
        from frt.engine.errors import EngineError
        from frt.engine.images import decode_image

        try:
            rgb = decode_image(image)
            result = template_image(rgb, self._detector, self._algorithm)
        except EngineError as exc:  # not an image, corrupt, truncated, too many pixels
            raise WatchlistImportError(str(exc)) from None
        except (OSError, ValueError) as exc:  # a decoder's own error the engine did not name
            logger.warning("image decoding failed: %s", type(exc).__name__)
            raise WatchlistImportError("the image cannot be decoded") from None
        if result.template is None or result.quality is None:
            raise WatchlistImportError(result.reason or "no template could be made")
        warnings = list(result.quality.reasons)
        if result.faces_found > 1:
            warnings.append(f"{result.faces_found} faces found; the largest was used")
        return Analysis(result.template, float(result.quality.score), warnings)


@lru_cache(maxsize=1)
def default_engine() -> FaceEngine:
    return FaceEngine()


# ------------------------------------------------------------------ import
def _may_import(ctx: Ctx, arguments: dict) -> Decision:
    """The Deployment's command team, or a System Engineer rostered on it (000 §12.1(d))."""
    dep = ctx.get(Deployment, arguments["deployment_id"])
    commander = ctx.session.scalar(
        select(CommandAppointment.id).where(
            CommandAppointment.authority_id == dep.authority_id,
            CommandAppointment.user_id == ctx.user.id,
            CommandAppointment.ended_at.is_(None),
        )
    )
    engineer = ctx.session.scalar(
        select(RosterEntry.id).where(
            RosterEntry.deployment_id == dep.id,
            RosterEntry.user_id == ctx.user.id,
            RosterEntry.duty == Duty.SYSTEM_ENGINEER.value,
        )
    )
    return object_access(
        commander is not None or engineer is not None,
        "only the Deployment's command team or a rostered System Engineer imports its Watchlist",
    )


@action(
    "lfr.watchlist.import",
    roles=[Role.GOLD, Role.SILVER, Role.BRONZE, Role.SYSTEM_ENGINEER],
    touches="lfr_deployment",
    key="deployment_id",
    guard=_may_import,
)
def import_bundle(
    ctx: Ctx,
    deployment_id: str,
    data: bytes,
    *,
    key: bytes | None = None,
    intelligence_reconfirmed: bool,
    exception_id: str | None = None,
    engine: ImportEngine | None = None,
    replace: bool = False,
    max_bytes: int = bundles.MAX_BUNDLE_BYTES,
) -> Watchlist:
    dep = ctx.get(Deployment, deployment_id)
    auth = dep.authority
    if auth.status != AuthorityStatus.IN_FORCE.value or DeploymentState(dep.state).finished:
        raise InputError("the Deployment has finished or its authority was stopped")
    require(intelligence_current(intelligence_reconfirmed))
    window = import_window(ctx.profile, dep.starts_at, dep.ends_at, ctx.now)
    exc = use(ctx, Scope(WATCHLIST_IMPORT, dep.id), window, exception_id)  # GOV-16
    existing = ctx.session.scalar(select(Watchlist).where(Watchlist.deployment_id == dep.id))
    if existing is not None and not replace:
        raise InputError("this Deployment already has a Watchlist; replace it explicitly")
    try:
        bundle = bundles.open_bundle(
            data, key or bundles.installation_key(ctx.cipher), max_bytes=max_bytes
        )
    except bundles.BundleError as err:
        raise WatchlistImportError(str(err)) from None
    app = ctx.get(Application, auth.application_id)
    _check_entries(ctx, auth, app, bundle)
    engine = engine or default_engine()
    analyses = _analyse(bundle, engine)
    if existing is not None:
        ctx.session.delete(existing)
        ctx.session.flush()
    watchlist = _write(ctx, dep, bundle, analyses, engine, exc)
    stats = composition(ctx.session, watchlist.id)
    ctx.note(
        watchlist_id=watchlist.id,
        individuals=stats["individuals"],
        images=stats["images"],
        bundle_sha256=bundle.sha256,
        exception_id=watchlist.exception_id,
        citation=window.citation,
    )
    return watchlist


def _check_entries(ctx: Ctx, auth: Authority, app: Application, bundle: bundles.Bundle) -> None:
    advice_rule = ctx.profile.governance.protected_advice_documents
    advice = list(latest_documents(app))
    for n, entry in enumerate(bundle.manifest.entries, start=1):
        checks = [
            category_authorised(entry.category, auth.categories),
            rationale_given(entry.category, entry.rationale),
            image_source_allowed(
                entry.image_source,
                entry.image_layer,
                auth.non_police_allowed,
                auth.non_police_layers,
            ),
            protected_inclusion(entry.flags, auth.protected_inclusions, advice, advice_rule.value),
        ]
        checks += [
            image_threshold_raise(auth.min_threshold, image.threshold, image.threshold_reason)
            for image in entry.images
            if image.threshold is not None
        ]
        for decision in checks:
            require(decision.about(f"Watchlist entry {n}: ", "; nothing was imported"))
        for m, image in enumerate(entry.images, start=1):
            decision = photo_date("the image's capture date", image.captured_on, ctx.now.date())
            if not decision:
                raise WatchlistImportError(
                    f"Watchlist entry {n}, image {m}: {decision.reason} (rule {decision.rule}); "
                    "nothing was imported"
                )


def _analyse(bundle: bundles.Bundle, engine: ImportEngine) -> dict[str, Analysis]:
    results = {}
    for n, entry in enumerate(bundle.manifest.entries, start=1):
        for m, image in enumerate(entry.images, start=1):
            try:
                results[image.file] = engine.analyse(bundle.images[image.file])
            except (WatchlistImportError, bundles.BundleError) as err:
                raise WatchlistImportError(
                    f"Watchlist entry {n}, image {m}: {err}; nothing was imported"
                ) from None
    return results


def _write(
    ctx: Ctx,
    dep: Deployment,
    bundle: bundles.Bundle,
    analyses: dict[str, Analysis],
    engine: ImportEngine,
    exc,
) -> Watchlist:
    watchlist = Watchlist(
        deployment_id=dep.id,
        imported_by=ctx.user.id,
        imported_at=ctx.now,
        bundle_sha256=bundle.sha256,
        intelligence_reconfirmed=True,
        algorithm=engine.algorithm,
        algorithm_version=engine.version,
        exception_id=exc.id if exc else None,
    )
    ctx.session.add(watchlist)
    ctx.session.flush()
    for n, item in enumerate(bundle.manifest.entries, start=1):
        entry = WatchlistEntry(
            watchlist_id=watchlist.id,
            position=n,
            category=item.category,
            image_source=item.image_source,
            image_layer=item.image_layer,
            flags=sorted(item.flags),
            details_sealed=b"",
        )
        ctx.session.add(entry)
        ctx.session.flush()
        details = {
            "reference": item.reference,
            "warning_markers": item.warning_markers,
            "legal_basis": item.legal_basis,
            "rationale": item.rationale,
        }
        entry.details_sealed = WatchlistEntry.DETAILS.seal(
            ctx.cipher, entry.id, json.dumps(details).encode()
        )
        for m, image in enumerate(item.images, start=1):
            found = analyses[image.file]
            row = WatchlistImage(
                entry_id=entry.id,
                position=m,
                captured_on=image.captured_on,
                image_sealed=b"",
                template_sealed=b"",
                quality_score=found.score,
                warnings=found.warnings,
                threshold=image.threshold,
                threshold_reason=image.threshold_reason.strip(),
            )
            ctx.session.add(row)
            ctx.session.flush()
            row.image_sealed = WatchlistImage.IMAGE.seal(
                ctx.cipher, row.id, bundle.images[image.file]
            )
            row.template_sealed = WatchlistImage.TEMPLATE.seal(
                ctx.cipher, row.id, found.template.to_bytes()
            )
    ctx.session.flush()
    return watchlist


# ------------------------------------------------------------------ after import
def _rostered_for_thresholds(ctx: Ctx, arguments: dict) -> Decision:
    image = ctx.get(WatchlistImage, arguments["image_id"])
    duties = set(
        ctx.session.scalars(
            select(RosterEntry.duty).where(
                RosterEntry.deployment_id == image.entry.watchlist.deployment_id,
                RosterEntry.user_id == ctx.user.id,
            )
        )
    )
    return object_access(
        bool(duties & {Duty.LFR_OPERATOR.value, Duty.SYSTEM_ENGINEER.value}),
        "only an LFR Operator or System Engineer rostered for this Deployment raises an image's "
        "Threshold",
        "000 §6.2(3), §12.1(d)",
    )


@action(
    "lfr.watchlist.raise_threshold",
    roles=[Role.LFR_OPERATOR, Role.SYSTEM_ENGINEER],
    touches="lfr_watchlist_image",
    key="image_id",
    guard=_rostered_for_thresholds,
)
def raise_image_threshold(ctx: Ctx, image_id: str, threshold: float, reason: str) -> WatchlistImage:
    """WL-09: the Deployment's LFR Operator or System Engineer raises one image's Threshold, with
    the reason, to keep the False Alert Rate within policy (000 §6.2(3): "at the outset or as
    part of the ongoing responsibilities of the LFR Operator"). Never lowered."""
    image = ctx.get(WatchlistImage, image_id)
    dep = ctx.get(Deployment, image.entry.watchlist.deployment_id)
    if DeploymentState(dep.state).finished:
        raise InputError("the Deployment has finished")
    previous = image.threshold
    require(image_threshold_raise(dep.authority.min_threshold, threshold, reason, previous))
    image.threshold, image.threshold_reason = threshold, reason.strip()
    image.threshold_raised_by, image.threshold_raised_at = ctx.user.id, ctx.now
    ctx.note(deployment_id=dep.id, threshold=threshold, previous=previous, citation="000 §6.2(3)")
    return image


@action(
    "lfr.watchlist.read_summary",
    roles=LFR_ROLES,
    touches="lfr_deployment",
    key="deployment_id",
    guard=reads_deployment,
)
def read_summary(ctx: Ctx, deployment_id: str) -> dict | None:
    """The Deployment's Watchlist as its page and the API show it — composition and per-image
    quality and Threshold, no personal data — to those who may see the Deployment (hardening
    item 2); None if none was imported."""
    watchlist = watchlist_for(ctx.session, ctx.get(Deployment, deployment_id).id)
    if watchlist is None:
        return None
    return {
        "id": watchlist.id,
        "composition": composition(ctx.session, watchlist.id),
        "images": image_warnings(ctx.session, watchlist.id),
    }


def watchlist_for(session: Session, deployment_id: str) -> Watchlist | None:
    return session.scalar(select(Watchlist).where(Watchlist.deployment_id == deployment_id))


def composition(session: Session, watchlist_id: str | None) -> dict:
    """WL-07: individuals and images by category, flags and image sources — no personal data."""
    stats: dict[str, Any] = {
        "individuals": 0,
        "images": 0,
        "by_category": {},
        "flags": {},
        "non_police": {},
    }
    if watchlist_id is None:
        return stats
    for entry in session.scalars(
        select(WatchlistEntry).where(WatchlistEntry.watchlist_id == watchlist_id)
    ):
        images = len(entry.images)
        stats["individuals"] += 1
        stats["images"] += images
        row = stats["by_category"].setdefault(entry.category, {"individuals": 0, "images": 0})
        row["individuals"] += 1
        row["images"] += images
        for flag in entry.flags:
            stats["flags"][flag] = stats["flags"].get(flag, 0) + 1
        if entry.image_source == "non_police":
            layer = f"layer_{entry.image_layer}"
            stats["non_police"][layer] = stats["non_police"].get(layer, 0) + images
    return stats


def image_warnings(session: Session, watchlist_id: str) -> list[dict]:
    """Quality warnings per image, by entry position (no references): WL-04."""
    rows = []
    for entry in session.scalars(
        select(WatchlistEntry)
        .where(WatchlistEntry.watchlist_id == watchlist_id)
        .order_by(WatchlistEntry.position)
    ):
        for image in entry.images:
            rows.append(
                {
                    "entry": entry.position,
                    "image": image.position,
                    "image_id": image.id,
                    "category": entry.category,
                    "captured_on": image.captured_on.isoformat(),
                    "quality": round(image.quality_score, 2),
                    "warnings": image.warnings,
                    "threshold": image.threshold,
                    "threshold_reason": image.threshold_reason,
                    "threshold_raised_at": image.threshold_raised_at,
                }
            )
    return rows


# ------------------------------------------------------------------ the live runtime's view
@dataclass(frozen=True)
class GalleryImage:
    image_id: str
    template: Template
    threshold: float  # the authority's minimum, or the image's raise (WL-09)
    captured_on: date


@dataclass(frozen=True)
class Subject:
    entry_id: str
    reference: str
    category: str
    warning_markers: tuple[str, ...]
    images: tuple[GalleryImage, ...]


@dataclass(frozen=True)
class RecognitionWatchlist:
    deployment_id: str
    watchlist_id: str
    min_threshold: float
    algorithm: str
    version: str
    subjects: tuple[Subject, ...]

    def vectors(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(image ids, templates matrix, per-row thresholds) for exact search."""
        ids, rows, limits = [], [], []
        for subject in self.subjects:
            for image in subject.images:
                ids.append(image.image_id)
                rows.append(image.template.vector)
                limits.append(image.threshold)
        matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)
        return ids, matrix, np.asarray(limits, dtype=np.float32)


def load_for_recognition(session: Session, cipher, deployment_id: str) -> RecognitionWatchlist:
    """The Deployment's Watchlist, decrypted, for the live runtime (WL-06, WL-09).

    The caller (the runtime) holds it in memory only while the Deployment runs and audits its
    own use; nothing here is written anywhere.
    """
    from frt.engine.template import Template

    dep = session.get(Deployment, deployment_id)
    if dep is None:
        raise InputError(f"no Deployment '{deployment_id}'")
    watchlist = watchlist_for(session, deployment_id)
    if watchlist is None:
        raise InputError("no Watchlist has been imported for this Deployment")
    minimum = dep.authority.min_threshold
    subjects = []
    for entry in watchlist.entries:
        details = json.loads(WatchlistEntry.DETAILS.open(cipher, entry.id, entry.details_sealed))
        images = tuple(
            GalleryImage(
                image.id,
                Template.from_bytes(
                    WatchlistImage.TEMPLATE.open(cipher, image.id, image.template_sealed),
                    watchlist.algorithm,
                    watchlist.algorithm_version,
                ),
                max(minimum, image.threshold or minimum),
                image.captured_on,
            )
            for image in entry.images
        )
        subjects.append(
            Subject(
                entry.id,
                details["reference"],
                entry.category,
                tuple(details["warning_markers"]),
                images,
            )
        )
    return RecognitionWatchlist(
        dep.id,
        watchlist.id,
        minimum,
        watchlist.algorithm,
        watchlist.algorithm_version,
        tuple(subjects),
    )
