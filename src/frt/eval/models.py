"""The stored evaluation record (EVAL-01, EVAL-03): algorithm, data, figures, date, who ran it."""

from __future__ import annotations

import logging
from datetime import datetime

import numpy as np
from sqlalchemy import JSON, Integer, LargeBinary, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from frt.store.base import Base, UTCDateTime, new_id, utcnow

logger = logging.getLogger(__name__)


class EvaluationRecord(Base):
    __tablename__ = "evaluation_record"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    algorithm: Mapped[str] = mapped_column(String(100), index=True)
    algorithm_version: Mapped[str] = mapped_column(String(100))
    data_description: Mapped[str] = mapped_column(Text)
    figures: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class CohortRecord(Base):
    """The score-normalisation cohort an evaluation set its Threshold with: templates of people on
    no list that the force holds lawfully (its labelled set or another), sealed like any template
    (DATA-07). A Deployment scores with it so its Threshold means what the evaluation measured."""

    __tablename__ = "evaluation_cohort"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    algorithm: Mapped[str] = mapped_column(String(100))
    algorithm_version: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    dim: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text, default="")  # no personal data: a folder
    templates_sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


def _cohort_context(record_id: str) -> bytes:
    return f"evaluation_cohort.templates:{record_id}".encode()


def save_cohort(
    session: Session, cipher, cohort, description: str = "", created_by: str | None = None
) -> CohortRecord:
    """Seal and store a cohort's templates once (by digest); the caller commits."""
    found = session.scalars(
        select(CohortRecord).where(
            CohortRecord.digest == cohort.digest,
            CohortRecord.algorithm == cohort.kind[0],
            CohortRecord.algorithm_version == cohort.kind[1],
        )
    ).first()
    if found is not None:
        return found
    record = CohortRecord(
        algorithm=cohort.kind[0],
        algorithm_version=cohort.kind[1],
        digest=cohort.digest,
        size=len(cohort),
        dim=cohort.matrix.shape[1],
        description=description,
        templates_sealed=b"",
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(record)
    session.flush()
    data = np.ascontiguousarray(cohort.matrix, dtype="<f4").tobytes()
    record.templates_sealed = cipher.seal(data, context=_cohort_context(record.id))
    return record


def load_cohort(
    session: Session,
    cipher,
    algorithm: str,
    version: str,
    digest: str,
    top_k: int,
    raw_weight: float,
):
    """The stored cohort with this digest, as a `Cohort` with the evaluation's parameters, or
    None when this installation does not hold it."""
    from frt.engine.normalise import Cohort

    record = session.scalars(
        select(CohortRecord).where(
            CohortRecord.digest == digest,
            CohortRecord.algorithm == algorithm,
            CohortRecord.algorithm_version == version,
        )
    ).first()
    if record is None:
        return None
    data = cipher.open(record.templates_sealed, context=_cohort_context(record.id))
    matrix = np.frombuffer(data, dtype="<f4").astype(np.float32).reshape(record.size, record.dim)
    cohort = Cohort(matrix, algorithm, version, top_k=top_k, raw_weight=raw_weight)
    if cohort.digest != digest:
        raise ValueError(f"stored cohort {record.id} does not match its digest")
    return cohort


def evaluations(session: Session, algorithm: str, version: str) -> list[EvaluationRecord]:
    """Every evaluation of this algorithm version, newest first."""
    return list(
        session.scalars(
            select(EvaluationRecord)
            .where(
                EvaluationRecord.algorithm == algorithm,
                EvaluationRecord.algorithm_version == version,
            )
            .order_by(EvaluationRecord.created_at.desc())
        )
    )


class NotEvaluated(Exception):
    """An algorithm version was about to be used without a recorded evaluation (EVAL-03)."""


def save_evaluation(
    session: Session,
    algorithm: str,
    algorithm_version: str,
    data_description: str,
    figures: dict,
    created_by: str | None = None,
) -> EvaluationRecord:
    """Store one evaluation; the caller commits (and writes the audit entry)."""
    record = EvaluationRecord(
        algorithm=algorithm,
        algorithm_version=algorithm_version,
        data_description=data_description,
        figures=figures,
        created_by=created_by,
        created_at=utcnow(),
    )
    session.add(record)
    session.flush()
    logger.info("evaluation of %s %s recorded", algorithm, algorithm_version)
    return record


def latest_evaluation(
    session: Session, algorithm: str, version: str, scoring: str | None = None
) -> EvaluationRecord | None:
    """The newest evaluation of this algorithm version (with this scoring, if given)."""
    stmt = (
        select(EvaluationRecord)
        .where(
            EvaluationRecord.algorithm == algorithm, EvaluationRecord.algorithm_version == version
        )
        .order_by(EvaluationRecord.created_at.desc())
    )
    for record in session.scalars(stmt):
        if scoring is None or record.figures.get("scoring") == scoring:
            return record
    return None


def require_evaluated(session: Session, algorithm: str, version: str) -> EvaluationRecord:
    """The recorded evaluation of this algorithm version, or `NotEvaluated` (EVAL-03)."""
    record = latest_evaluation(session, algorithm, version)
    if record is None:
        raise NotEvaluated(
            f"{algorithm} {version} has no recorded evaluation; run `frt eval identify` "
            "on labelled data before templates of it are used (Cumbria 10.14; RFR 3.1)"
        )
    return record
