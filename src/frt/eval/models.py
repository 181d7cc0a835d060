"""The stored evaluation record (EVAL-01, EVAL-03): algorithm, data, figures, date, who ran it."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import JSON, String, Text, select
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


class NotEvaluated(Exception):
    """An algorithm version was about to be used without a recorded evaluation (EVAL-03)."""


def save_evaluation(session: Session, algorithm: str, algorithm_version: str,
                    data_description: str, figures: dict,
                    created_by: str | None = None) -> EvaluationRecord:
    """Store one evaluation; the caller commits (and writes the audit entry)."""
    record = EvaluationRecord(algorithm=algorithm, algorithm_version=algorithm_version,
                              data_description=data_description, figures=figures,
                              created_by=created_by, created_at=utcnow())
    session.add(record)
    session.flush()
    logger.info("evaluation of %s %s recorded", algorithm, algorithm_version)
    return record


def latest_evaluation(session: Session, algorithm: str, version: str,
                      scoring: str | None = None) -> EvaluationRecord | None:
    """The newest evaluation of this algorithm version (with this scoring, if given)."""
    stmt = (select(EvaluationRecord)
            .where(EvaluationRecord.algorithm == algorithm,
                   EvaluationRecord.algorithm_version == version)
            .order_by(EvaluationRecord.created_at.desc()))
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
            "on labelled data before templates of it are used (Cumbria 10.14; RFR 3.1)")
    return record
