"""The audit log's background work: linking committed records into the chain every few seconds and
writing a signed checkpoint outside the database at intervals (`frt serve`), and the same on
demand (`frt audit verify`, `frt audit checkpoint`). DATA-04; 000 §12.1(h).
"""

from __future__ import annotations

import logging
from pathlib import Path

from frt.audit import chain
from frt.audit.checkpoint import SIGNER_INFO, Checkpoint, Signer
from frt.store.base import utcnow

logger = logging.getLogger(__name__)

LINK_EVERY_SECONDS = 5.0
CHECKPOINT_EVERY_MINUTES = 60.0


def link_all(store, *, full: bool = False) -> int:
    """Link every committed record not yet in the chain (its own short transaction)."""
    with store.session() as session:
        return chain.link(session, full=full)


def checkpoint(store, *, only_if_grown: bool = False) -> tuple[Checkpoint, Path] | None:
    """Link everything, then sign the chain's length and head and keep it outside the database.

    With `only_if_grown`, nothing is written when the chain has not grown since the newest kept
    checkpoint (the scheduler's runs on an idle installation)."""
    link_all(store, full=True)
    with store.session() as session:
        signer: Signer = session.info[SIGNER_INFO]
        records, head = chain.head(session)
    latest = signer.latest()
    if only_if_grown and latest is not None and latest.records == records:
        return None
    made = signer.sign(records, head, utcnow().strftime("%Y-%m-%dT%H:%M:%SZ"))
    return made, signer.write(made)


def _link_job(store) -> None:
    try:
        linked = link_all(store)
        if linked:
            logger.debug("linked %d audit records", linked)
    except Exception:  # the next run tries again; a stopped sequencer must be visible in the log
        logger.exception("audit link pass failed")


def _checkpoint_job(store) -> None:
    try:
        made = checkpoint(store, only_if_grown=True)
        if made:
            logger.info("audit checkpoint: %d records, kept at %s", made[0].records, made[1])
    except Exception:
        logger.exception("audit checkpoint failed")


def schedule(
    store,
    *,
    link_every: float = LINK_EVERY_SECONDS,
    checkpoint_every: float = CHECKPOINT_EVERY_MINUTES,
):
    """A background APScheduler that links every `link_every` seconds and checkpoints every
    `checkpoint_every` minutes (first now), for `frt serve`."""
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        _link_job,
        "interval",
        args=[store],
        seconds=link_every,
        id="audit-link",
        max_instances=1,
        coalesce=True,
    )
    if checkpoint_every > 0:
        scheduler.add_job(
            _checkpoint_job,
            "interval",
            args=[store],
            minutes=checkpoint_every,
            next_run_time=utcnow(),
            id="audit-checkpoint",
            max_instances=1,
            coalesce=True,
        )
    return scheduler
