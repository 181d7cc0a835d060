"""How live recognition scores, and at what Threshold (EVAL-01, EVAL-03, LIVE-02).

A Threshold means something only for the scoring it was measured with. So live recognition
scores exactly as the recorded evaluation that sets its Threshold did: the same algorithm
version, and — when that evaluation normalised its scores against a cohort — the same cohort
templates (found by digest among the cohorts stored with evaluations) and the same parameters
(top-k, raw weight). The Threshold is then the one that evaluation gives for the Watchlist's own
size (`frt.eval.gallery_size`), by the rule in `frt.policy.lfr_rules.operating_threshold`.

A Deployment uses the newest evaluation of its Watchlist's algorithm version whose scoring this
installation can reproduce (raw, or a cohort it holds). The benchmark (`frt bench live`) reads an
evaluation's JSON and the cohort folder named on its command line instead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from frt.engine.normalise import Cohort
from frt.policy.decision import Decision

logger = logging.getLogger(__name__)


class ScoringMismatch(ValueError):
    """A cohort was given for an evaluation without one, or the other way round."""


@dataclass
class Scoring:
    figures: dict  # the evaluation's recorded figures
    cohort: Cohort | None = None
    evaluation_id: str | None = None
    cohort_matches: bool = True  # the cohort's templates are the evaluation's own

    @property
    def label(self) -> str:
        return str(self.figures.get("scoring", "raw similarity"))

    def describe(self) -> dict:
        return {
            "scoring": self.label,
            "evaluation": self.evaluation_id,
            "cohort_size": len(self.cohort) if self.cohort is not None else 0,
            "cohort_digest": self.cohort.digest if self.cohort is not None else None,
            "cohort_matches_evaluation": self.cohort_matches,
        }


def cohort_parameters(figures: dict) -> dict | None:
    """The cohort parameters an evaluation recorded, or None for raw scoring."""
    if not figures.get("cohort_digest"):
        return None
    return {
        "digest": figures["cohort_digest"],
        "top_k": int(figures["cohort_top_k"]),
        "raw_weight": float(figures["cohort_raw_weight"]),
    }


def from_evaluation(
    figures: dict, cohort_matrix=None, algorithm: str = "", version: str = ""
) -> Scoring:
    """The scoring an evaluation's JSON prescribes, with cohort templates supplied by the caller
    (the benchmark's `--cohort`): refused when one is missing or superfluous."""
    params = cohort_parameters(figures)
    if params is None:
        if cohort_matrix is not None:
            raise ScoringMismatch(
                "the evaluation scored without a cohort: its Threshold does "
                "not hold for cohort-normalised scores (drop --cohort)"
            )
        return Scoring(figures)
    if cohort_matrix is None:
        raise ScoringMismatch(
            "the evaluation's Threshold is for cohort-normalised scores: give "
            "the cohort it was evaluated with (--cohort)"
        )
    cohort = Cohort(
        cohort_matrix, algorithm, version, top_k=params["top_k"], raw_weight=params["raw_weight"]
    )
    matches = cohort.digest == params["digest"]
    if not matches:
        logger.warning("the cohort's templates differ from those the evaluation used")
    return Scoring(figures, cohort, cohort_matches=matches)


def for_deployment(session, cipher, algorithm: str, version: str) -> Scoring | None:
    """The newest evaluation of this version whose scoring can be reproduced here, or None."""
    from frt.eval.models import evaluations, load_cohort

    for record in evaluations(session, algorithm, version):
        params = cohort_parameters(record.figures)
        if params is None:
            return Scoring(record.figures, None, record.id)
        cohort = load_cohort(
            session,
            cipher,
            algorithm,
            version,
            params["digest"],
            params["top_k"],
            params["raw_weight"],
        )
        if cohort is not None:
            return Scoring(record.figures, cohort, record.id)
        logger.warning("evaluation %s skipped: its cohort is not held here", record.id)
    return None


def operating_threshold(
    profile, minimum: float, scoring: Scoring | None, label: str, watchlist_size: int
) -> tuple[float | None, Decision]:
    """The Deployment's Threshold for a Watchlist of `watchlist_size` images (the policy rule)."""
    from frt.eval.gallery_size import threshold_for_size
    from frt.policy.lfr_rules import operating_threshold as rule

    return rule(
        profile,
        minimum,
        scoring.figures if scoring else None,
        label,
        watchlist_size=watchlist_size,
        for_size=threshold_for_size,
    )
