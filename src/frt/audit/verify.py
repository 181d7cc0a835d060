"""Checking the audit log (DATA-04): every record against its MAC, every link against the one
before it, records not yet linked against their own MAC, and the chain against signed checkpoints.

What each finding means for an auditor is in docs/security.md ("Verifying the audit log").
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from frt.audit.chain import GENESIS, link_mac, record_mac
from frt.audit.checkpoint import Checkpoint
from frt.audit.models import AuditLink, AuditRecord


@dataclass
class Verification:
    ok: bool
    records: int
    first_bad_seq: int | None = None
    problem: str | None = None
    details: list[str] = field(default_factory=list)
    linked: int = 0
    checkpoints: int = 0

    def __str__(self) -> str:
        if self.ok:
            pending = self.records - self.linked
            waiting = f" ({pending} awaiting their link)" if pending else ""
            against = (
                f", matching {self.checkpoints} signed checkpoint(s)" if self.checkpoints else ""
            )
            return f"audit chain intact: {self.records} records verified{waiting}{against}"
        where = f" at record {self.first_bad_seq}" if self.first_bad_seq is not None else ""
        return f"audit chain broken{where}: {self.problem}"


class _Findings:
    def __init__(self) -> None:
        self.first: tuple[int | None, str] | None = None
        self.all: list[str] = []

    def add(self, seq: int | None, problem: str) -> None:
        self.all.append(f"record {seq}: {problem}" if seq is not None else problem)
        if self.first is None:
            self.first = (seq, problem)


def check(
    session: Session,
    key: bytes,
    checkpoints: Sequence[Checkpoint],
    trusted: bytes | None,
    installation: str | None = None,
    problems: Sequence[str] = (),
) -> Verification:
    found = _Findings()
    for problem in problems:
        found.add(None, problem)
    linked = _walk_links(session, key, found)
    pending = _check_pending(session, key, found)
    for checkpoint in checkpoints:
        if installation is not None and checkpoint.installation != installation:
            found.add(
                None,
                f"the checkpoint of {checkpoint.at} is of another installation "
                f"({checkpoint.installation}, this is {installation})",
            )
            continue
        _check_checkpoint(session, checkpoint, linked, trusted, found)
    total = linked.records + pending
    if found.first is None:
        return Verification(True, total, linked=linked.records, checkpoints=len(checkpoints))
    seq, problem = found.first
    return Verification(
        False, total, seq, problem, found.all[:50], linked.records, len(checkpoints)
    )


@dataclass
class _Chain:
    length: int = 0
    records: int = 0


def _walk_links(session: Session, key: bytes, found: _Findings) -> _Chain:
    rows = session.execute(
        select(AuditLink, AuditRecord)
        .outerjoin(AuditRecord, AuditRecord.seq == AuditLink.record_seq)
        .order_by(AuditLink.pos)
        .execution_options(yield_per=1000)
    )
    expected, prev, chain = 1, GENESIS, _Chain()
    for link, entry in rows:
        if link.pos != expected:
            found.add(
                link.record_seq,
                f"chain positions {expected}–{link.pos - 1} are missing (links deleted)",
            )
        if entry is None:
            found.add(
                link.record_seq, f"the record linked at position {link.pos} is missing (deleted)"
            )
        else:
            chain.records += 1
            _check_linked_record(key, link, entry, found)
        if not hmac.compare_digest(
            link.mac, link_mac(key, link.pos, link.record_seq, link.record_mac, prev)
        ):
            found.add(
                link.record_seq,
                f"its link at position {link.pos} does not follow the one "
                "before it (links reordered, replaced or re-made without "
                "the key)",
            )
        expected, prev, chain.length = link.pos + 1, link.mac, link.pos
    return chain


def _check_linked_record(key: bytes, link: AuditLink, entry: AuditRecord, found: _Findings) -> None:
    mac = record_mac(key, entry)
    if not entry.legacy and not hmac.compare_digest(mac, entry.hash):
        found.add(
            entry.seq, "its content does not match its MAC (edited, or re-hashed without the key)"
        )
    elif not hmac.compare_digest(mac, link.record_mac):
        found.add(
            entry.seq,
            f"it is not the record linked at position {link.pos} (edited, replaced or renumbered)",
        )


def _check_pending(session: Session, key: bytes, found: _Findings) -> int:
    """Records committed since the last link pass: each must still carry a valid MAC."""
    count = 0
    unlinked = (
        select(AuditRecord)
        .where(~exists().where(AuditLink.record_seq == AuditRecord.seq))
        .order_by(AuditRecord.seq)
        .execution_options(yield_per=1000)
    )
    for entry in session.scalars(unlinked):
        count += 1
        if entry.legacy:
            found.add(entry.seq, "it carries no MAC and was never linked (written outside FRT)")
        elif not hmac.compare_digest(record_mac(key, entry), entry.hash):
            found.add(entry.seq, "its content does not match its MAC (edited or forged)")
    return count


def _check_checkpoint(
    session: Session,
    checkpoint: Checkpoint,
    chain: _Chain,
    trusted: bytes | None,
    found: _Findings,
) -> None:
    when = checkpoint.at
    problem = checkpoint.signature_problem(trusted)
    if problem:
        found.add(None, f"the checkpoint of {when} {problem}")
        return
    if checkpoint.records > chain.length:
        lost = (
            "every record was deleted" if chain.length == 0 else "records were deleted from the end"
        )
        found.add(
            None,
            f"the chain holds {chain.length} records but the checkpoint signed at "
            f"{when} counted {checkpoint.records}: {lost} (truncated)",
        )
        return
    if checkpoint.records == 0:
        return
    mac = session.scalar(select(AuditLink.mac).where(AuditLink.pos == checkpoint.records))
    if mac is None or not hmac.compare_digest(mac, checkpoint.head):
        seq = session.scalar(
            select(AuditLink.record_seq).where(AuditLink.pos == checkpoint.records)
        )
        found.add(
            seq,
            f"the chain at position {checkpoint.records} is not the one signed at "
            f"{when} (re-forged)",
        )
