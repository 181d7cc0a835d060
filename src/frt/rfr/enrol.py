"""Enrolling a library's images: bulk import from a folder or a CSV, and re-enrolment from the
originals under a new algorithm version (RFR-03; 003 §1.10(1), §3.1 'Template').

Images are templated on every core (`frt.engine.enrol.template_many`, one process per core), a
chunk at a time so memory stays bounded for millions of images. Each batch of results is one
transaction and one audit record: the originals sealed, the templates tagged with algorithm and
version, the per-image metadata retention will need, and the refusals with their reasons. A run
killed at any moment loses at most the batch in flight; running the same import again skips
what is already enrolled (the library's `item_key`s are unique), so nothing is duplicated.

CSV columns: `file` (relative to the CSV's folder), and optionally `captured_on` (YYYY-MM-DD),
`date_of_birth` (used only to work out the age band at capture; not stored), `age_band`
(under_13, 13_15, 16_18, over_18), `mopi_group` (1–3) and `source_reference`.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import select

from frt.core.actions import action, perform
from frt.core.context import Ctx
from frt.core.errors import InputError
from frt.engine.enrol import EngineSpec, Enrolment, template_many
from frt.people.roles import Role
from frt.policy import require
from frt.policy import rfr_rules as rules
from frt.rfr import libraries
from frt.rfr.models import RfrEnrolmentJob, RfrLibraryImage, RfrTemplate
from frt.store.base import new_id

logger = logging.getLogger(__name__)

ENROLLERS = (Role.FR_TEAM, Role.FR_OPERATIONAL_LEAD)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}
MAX_FILE_BYTES = 30 * 1024 * 1024
CHUNK = 1024  # images handed to the worker pool at a time (bounds memory)
# Images per transaction (FRT_RFR_ENROL_BATCH): what a kill can lose, and redo on resuming.
BATCH = int(os.environ.get("FRT_RFR_ENROL_BATCH", "64"))
AGE_BANDS = ("under_13", "13_15", "16_18", "over_18")  # the retention table's (003 §7.1(b)(i))
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Item:
    key: str  # path relative to the import's root: unique in the library
    path: Path
    captured_on: date | None = None
    age_band: str | None = None
    mopi_group: int | None = None
    source_reference: str = ""


@dataclass
class Summary:
    job_id: str
    total: int = 0
    enrolled: int = 0
    refused: int = 0
    skipped: int = 0
    reasons: Counter = field(default_factory=Counter)
    # 003 §7.1(b)(i): images whose age band or MOPI group is unknown, kept by the most cautious
    # cell of the retention table
    cautious: int = 0


# ---------------------------------------------------------------- reading the source
def read_source(source: Path) -> list[Item]:
    """The items of a folder (every image file below it) or of a CSV (see module docstring)."""
    source = Path(source)
    if source.is_dir():
        return [
            Item(p.relative_to(source).as_posix(), p)
            for p in sorted(source.rglob("*"))
            if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
        ]
    if source.is_file() and source.suffix.lower() == ".csv":
        return _read_csv(source)
    raise InputError(f"{source} is neither a folder of images nor a .csv file")


def _read_csv(path: Path) -> list[Item]:
    root, items, seen = path.parent, [], set()
    with path.open(newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        if not reader.fieldnames or "file" not in reader.fieldnames:
            raise InputError(f"{path}: the CSV needs a 'file' column")
        for line, row in enumerate(reader, start=2):
            name = (row.get("file") or "").strip()
            if not name or name in seen:
                raise InputError(
                    f"{path} line {line}: " + ("a file is named twice" if name else "no file named")
                )
            seen.add(name)
            full = (root / name).resolve()
            if root.resolve() not in full.parents:
                raise InputError(f"{path} line {line}: files must be inside the CSV's folder")
            captured = _date(row.get("captured_on"), path, line, "captured_on")
            born = _date(row.get("date_of_birth"), path, line, "date_of_birth")
            band = (row.get("age_band") or "").strip() or None
            if band is None and born and captured:
                band = age_band_at(born, captured)
            if band is not None and band not in AGE_BANDS:
                raise InputError(f"{path} line {line}: age_band is one of {', '.join(AGE_BANDS)}")
            mopi = (row.get("mopi_group") or "").strip()
            if mopi and mopi not in ("1", "2", "3"):
                raise InputError(f"{path} line {line}: mopi_group is 1, 2 or 3")
            items.append(
                Item(
                    name,
                    full,
                    captured,
                    band,
                    int(mopi) if mopi else None,
                    (row.get("source_reference") or "").strip()[:200],
                )
            )
    return items


def _date(text: str | None, path: Path, line: int, column: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{path} line {line}: {column} is not a date (YYYY-MM-DD)") from None


def age_band_at(born: date, captured: date) -> str:
    """The subject's age band at capture, as the retention table bands it (003 §7.1(b)(i))."""
    age = captured.year - born.year - ((captured.month, captured.day) < (born.month, born.day))
    if age < 13:
        return "under_13"
    if age < 16:
        return "13_15"
    return "16_18" if age <= 18 else "over_18"


# ---------------------------------------------------------------- the actions
@action("rfr.enrolment.start", roles=ENROLLERS, touches="rfr_library", key="library_id")
def start(
    ctx: Ctx, library_id: str, kind: str, source: str, algorithm: str, version: str, total: int
) -> RfrEnrolmentJob:
    lib = ctx.get(libraries.RfrLibrary, library_id)
    require(rules.enrolment_allowed(lib.status, lib.review_due, ctx.now))
    for old in ctx.session.scalars(
        select(RfrEnrolmentJob).where(
            RfrEnrolmentJob.library_id == lib.id, RfrEnrolmentJob.status == "running"
        )
    ):
        old.status, old.finished_at = "interrupted", ctx.now  # killed: this run carries on
    job = RfrEnrolmentJob(
        library_id=lib.id,
        kind=kind,
        source=source[:500],
        algorithm=algorithm,
        version=version,
        started_by=ctx.user.id,
        started_at=ctx.now,
        total=total,
        reasons={},
    )
    ctx.session.add(job)
    ctx.session.flush()
    ctx.note(
        job=job.id,
        kind=kind,
        total=total,
        algorithm=algorithm,
        version=version,
        citation="003 §1.10(1)",
    )
    return job


@dataclass
class Row:
    """One image's outcome, ready to store (sealed bytes only)."""

    item: Item | None
    image_id: str
    enrolment: Enrolment
    original: bytes | None = None  # import: the file's bytes (sealed on store)
    sha256: str = ""
    reason: str | None = None


@action("rfr.enrolment.batch", roles=ENROLLERS, touches="rfr_enrolment_job", key="job_id")
def store_batch(ctx: Ctx, job_id: str, rows: list[Row], skipped: int = 0) -> None:
    """One batch of an enrolment job, in one transaction."""
    job = ctx.get(RfrEnrolmentJob, job_id)
    reasons: Counter = Counter(job.reasons or {})
    enrolled = refused = 0
    for row in rows:
        template = row.enrolment.template
        if job.kind == "import":
            item = row.item
            assert item is not None  # an import's rows each carry their item
            reason = row.reason or (None if template is not None else row.enrolment.reason)
            image = RfrLibraryImage(
                id=row.image_id,
                library_id=job.library_id,
                item_key=item.key,
                sha256=row.sha256,
                status="refused" if reason else "enrolled",
                reason=(reason or "")[:300],
                faces_found=row.enrolment.faces_found,
                quality=round(row.enrolment.quality.score, 3) if row.enrolment.quality else None,
                captured_on=item.captured_on,
                age_band=item.age_band,
                mopi_group=item.mopi_group,
                source_reference=item.source_reference,
                job_id=job.id,
                created_at=ctx.now,
            )
            if row.original is not None and not row.reason:
                image.image_sealed = ctx.cipher.seal(
                    row.original, context=f"rfr_library_images.image:{row.image_id}".encode()
                )
            ctx.session.add(image)
        else:
            reason = None if template is not None else row.enrolment.reason
        if reason or template is None:
            refused += 1
            reasons[_short(reason or "no template could be made")] += 1
            continue
        tid = new_id()
        ctx.session.add(
            RfrTemplate(
                id=tid,
                image_id=row.image_id,
                library_id=job.library_id,
                algorithm=template.algorithm,
                version=template.version,
                template_sealed=ctx.cipher.seal(
                    template.to_bytes(), context=f"rfr_templates.template:{tid}".encode()
                ),
                job_id=job.id,
                created_at=ctx.now,
            )
        )
        enrolled += 1
    job.enrolled += enrolled
    job.refused += refused
    job.skipped += skipped
    job.reasons = dict(reasons)
    ctx.note(enrolled=enrolled, refused=refused, skipped=skipped)


@action("rfr.enrolment.finish", roles=ENROLLERS, touches="rfr_enrolment_job", key="job_id")
def finish(ctx: Ctx, job_id: str, cautious: int = 0) -> RfrEnrolmentJob:
    job = ctx.get(RfrEnrolmentJob, job_id)
    job.status, job.finished_at = "finished", ctx.now
    ctx.note(enrolled=job.enrolled, refused=job.refused, skipped=job.skipped, reasons=job.reasons)
    if cautious:
        ctx.note(most_cautious_retention=cautious, citation="003 §7.1(b)(i)")
    return job


def out_of_scope(item: Item, profile) -> str | None:
    """Why an image may not be enrolled under the retention table (a cell 'not in scope', e.g.
    a child under 13: 003 §7.1(b)(i)), or None."""
    from frt.policy.rfr_cache_rules import retention_cell

    cell, cautious = retention_cell(item.age_band, item.mopi_group, profile)
    if cell.value is None and not cautious:
        return f"not in scope for RFR Searching: {cell.cite}"
    return None


def _cautious(item: Item, profile) -> bool:
    from frt.policy.rfr_cache_rules import retention_cell

    return retention_cell(item.age_band, item.mopi_group, profile)[1]


def _short(reason: str) -> str:
    """A refusal reason as counted in the summary (no file names or personal data)."""
    return reason.split(":")[0].strip()[:120] if "cannot read" not in reason else "cannot read"


# ---------------------------------------------------------------- the drivers
def _chunks(seq, size):
    for start_at in range(0, len(seq), size):
        yield seq[start_at : start_at + size]


def run_import(
    store,
    user_id: str,
    library: str,
    source: Path,
    *,
    workers: int | None = None,
    spec: EngineSpec | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Enrol every image of `source` into `library`; resumable (see the module docstring)."""
    from frt.policy import load_profile

    spec = spec or EngineSpec(detector="thorough", quality_gate=True)
    profile = load_profile(store.settings.policy_profile)
    items = read_source(source)
    algo_name, version = _kind(spec)
    with store.session() as s:
        lib_id = libraries.find(s, library).id
    job = perform(
        store, user_id, start, lib_id, "import", str(source), algo_name, version, len(items)
    )
    summary = Summary(job.id, total=len(items))
    done = 0
    for chunk in _chunks(items, CHUNK):
        with store.session() as s:
            have = set(
                s.scalars(
                    select(RfrLibraryImage.item_key).where(
                        RfrLibraryImage.library_id == lib_id,
                        RfrLibraryImage.item_key.in_([i.key for i in chunk]),
                    )
                )
            )
        todo = [i for i in chunk if i.key not in have]
        skipped = len(chunk) - len(todo)
        summary.skipped += skipped
        done += skipped
        if progress:
            progress(done, len(items))
        if not todo:
            if skipped:
                perform(store, user_id, store_batch, job.id, [], skipped)
            continue
        scope = {i.key: out_of_scope(i, profile) for i in todo}
        sized = [(i, -2 if scope[i.key] else _size(i.path)) for i in todo]
        work = [(i.key, str(i.path)) for i, size in sized if 0 < size <= MAX_FILE_BYTES]
        results = iter(template_many(work, spec, workers=workers)) if work else iter(())
        batch: list[Row] = []
        seen: set[str] = set()
        for item, size in sized:
            if 0 < size <= MAX_FILE_BYTES:
                enrolment = next(results)
                row = _import_row(item, enrolment)
                summary.cautious += _cautious(item, profile)
            else:
                why = scope[item.key] or (
                    "empty or unreadable file"
                    if size <= 0
                    else f"file larger than {MAX_FILE_BYTES // 2**20} MB"
                )
                row = Row(item, new_id(), Enrolment(item.key, None, why), None, "", why)
            batch.append(row)
            if len(batch) >= BATCH:
                _flush(store, user_id, job.id, lib_id, batch, seen, summary, skipped)
                skipped = 0
                done += BATCH
                batch = []
                if progress:
                    progress(done, len(items))
        if batch or skipped:
            _flush(store, user_id, job.id, lib_id, batch, seen, summary, skipped)
            done += len(batch)
            if progress:
                progress(done, len(items))
    perform(store, user_id, finish, job.id, summary.cautious)
    _research_cache(store)
    return summary


def _research_cache(store) -> None:
    """New images in a library: cached probes are searched against them at once (003 §6.1)."""
    from frt.rfr import cache

    found = cache.run(store)
    if found.hits:
        logger.info("Unresolved Crime Cache: %d new candidates for adjudication", found.hits)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


def _import_row(item: Item, enrolment: Enrolment) -> Row:
    try:
        data = item.path.read_bytes()
    except OSError as exc:
        return Row(item, new_id(), enrolment, None, "", f"cannot read file: {exc.strerror}")
    return Row(item, new_id(), enrolment, data, hashlib.sha256(data).hexdigest())


def _flush(
    store, user_id, job_id, lib_id, batch: list[Row], seen: set[str], summary: Summary, skipped: int
) -> None:
    """Refuse duplicates of an image already in the library, then store the batch."""
    with store.session() as s:
        known = set(
            s.scalars(
                select(RfrLibraryImage.sha256).where(
                    RfrLibraryImage.library_id == lib_id,
                    RfrLibraryImage.sha256.in_([r.sha256 for r in batch if r.sha256]),
                )
            )
        )
    for row in batch:
        if row.sha256 and (row.sha256 in known or row.sha256 in seen) and not row.reason:
            row.reason = "duplicate: the same image is already in the library"
        seen.add(row.sha256)
        reason = row.reason or (
            None if row.enrolment.template is not None else row.enrolment.reason
        )
        if reason:
            summary.refused += 1
            summary.reasons[_short(reason)] += 1
        else:
            summary.enrolled += 1
    perform(store, user_id, store_batch, job_id, batch, skipped)


def _kind(spec: EngineSpec) -> tuple[str, str]:
    from frt.engine.template import get_algorithm

    algo = get_algorithm(spec.algorithm, **spec.algorithm_options)
    return algo.name, algo.version


def run_reenrol(
    store,
    user_id: str,
    library: str,
    *,
    spec: EngineSpec,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Template the library's enrolled originals under `spec`'s algorithm version (RFR-03):
    templates are never converted, they are made again from the originals. Resumable: images
    that already have a template of this version are skipped."""
    algo_name, version = _kind(spec)
    with store.session() as s:
        lib_id = libraries.find(s, library).id
        have = select(RfrTemplate.image_id).where(
            RfrTemplate.algorithm == algo_name, RfrTemplate.version == version
        )
        todo = list(
            s.scalars(
                select(RfrLibraryImage.id)
                .where(
                    RfrLibraryImage.library_id == lib_id,
                    RfrLibraryImage.status == "enrolled",
                    RfrLibraryImage.image_sealed.is_not(None),
                    RfrLibraryImage.id.not_in(have),
                )
                .order_by(RfrLibraryImage.id)
            )
        )
    job = perform(
        store,
        user_id,
        start,
        lib_id,
        "reenrol",
        f"originals of {library}",
        algo_name,
        version,
        len(todo),
    )
    summary, done = Summary(job.id, total=len(todo)), 0
    for chunk in _chunks(todo, CHUNK):
        results = template_many(_originals(store, chunk), spec, workers=workers)
        batch: list[Row] = []
        for image_id, enrolment in zip(chunk, results):
            batch.append(Row(None, image_id, enrolment))
            if enrolment.template is None:
                summary.refused += 1
                summary.reasons[_short(enrolment.reason or "no template")] += 1
            else:
                summary.enrolled += 1
            if len(batch) >= BATCH:
                perform(store, user_id, store_batch, job.id, batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, len(todo))
        if batch:
            perform(store, user_id, store_batch, job.id, batch)
            done += len(batch)
            if progress:
                progress(done, len(todo))
    perform(store, user_id, finish, job.id)
    return summary


def _originals(store, ids: list[str]) -> Iterator[tuple[str, bytes]]:
    """(image id, original bytes) for the workers, opened a few at a time."""
    for part in _chunks(ids, BATCH):
        with store.session() as s:
            rows = {
                i.id: i
                for i in s.scalars(select(RfrLibraryImage).where(RfrLibraryImage.id.in_(part)))
            }
        for image_id in part:
            yield image_id, libraries.open_image(store.cipher, rows[image_id])
