"""Is an evaluation large enough to set a Threshold? (issue 12, item 2)

A Threshold for a False Alert Rate of 1 in N is where about one non-mated search in N scores
above it; with fewer than about 3·N non-mated searches that point is set by a handful of scores
(or by none) and means little. Such an evaluation is a "small sample": `frt eval identify` says
so, and wherever its Threshold is shown (console, Deployment page, public page, `deploy run`) it
is marked so.
"""

from __future__ import annotations

SEARCHES_PER_RATE = 3  # non-mated searches needed per "1 in N"


def needed(rate: float) -> int:
    """Non-mated searches needed for a Threshold at False Alert Rate `rate` (1 in N → 3·N)."""
    return int(round(SEARCHES_PER_RATE / rate)) if rate else 0


def small_sample(figures: dict | None, rate: float | None) -> str | None:
    """Why an evaluation's Threshold at `rate` is a small-sample figure, or None if it is not."""
    if not figures or not rate:
        return None
    searches = int(figures.get("nonmated_searches") or 0)
    want = needed(rate)
    if searches >= want:
        return None
    return (
        f"small sample: {searches:,} non-mated searches, where a False Alert Rate of "
        f"1 in {round(1 / rate):,} needs about {want:,}"
    )
