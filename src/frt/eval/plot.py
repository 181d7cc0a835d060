"""The DET plot: FNIR against FPIR on log axes, with the 1-in-1,000 False Alert Rate marked."""

from __future__ import annotations

import logging
from pathlib import Path

from frt.eval.metrics import Searches, det_curve

logger = logging.getLogger(__name__)

FALSE_ALERT_RULE = 0.001  # SOP §6.2(3): one false alert in 1,000


def axis_floor(run_floor: float, rule: float = FALSE_ALERT_RULE) -> float:
    """Where the FPIR axis starts: the run's own floor (1 / non-mated searches), or below the
    rule's line when the run is too small to reach it, so the 1-in-1,000 line is always inside
    the axes (issue 12, item 11)."""
    return min(run_floor, rule / 2)


def det_plot(curves: dict[str, Searches], out: str | Path, title: str = "") -> Path:
    """Write a DET plot (PNG or SVG by suffix) of one or more runs; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.8), dpi=120)
    floor = 1.0
    for label, searches in curves.items():
        fp, fn = det_curve(searches)
        keep = (fp > 0) & (fn > 0)  # zeros have no place on log axes
        if keep.any():
            ax.plot(fp[keep], fn[keep], label=label)
        floor = min(floor, 1.0 / max(1, len(searches.nonmated_score)))
    ax.axvline(
        FALSE_ALERT_RULE,
        color="crimson",
        linestyle="--",
        linewidth=1,
        label="FPIR 1 in 1,000 (SOP 6.2(3))",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(axis_floor(floor), 1.0)
    ax.set_ylim(1e-3, 1.0)
    ax.set_xlabel("FPIR (false positive identification rate)")
    ax.set_ylabel("FNIR (false negative identification rate)")
    ax.set_title(title or "Open-set identification (DET)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out)
    plt.close(fig)
    return out


def size_plot(
    padded,
    out: str | Path,
    sizes=(10, 100, 1000, 10_000),
    fpir_rule: float = FALSE_ALERT_RULE,
    title: str = "",
) -> Path:
    """NIST FRTE style: DET curves at several Watchlist sizes N (measured on padded galleries), and
    FPIR against N at fixed Thresholds (the recorded model as lines, measurements as points)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tail = padded.tail
    fig, (det, grow) = plt.subplots(1, 2, figsize=(11, 4.6), dpi=120)
    finite = padded.top[:, 0][np.isfinite(padded.top[:, 0])]
    thresholds = np.unique(
        np.quantile(np.concatenate([finite, padded.mate_score]), np.linspace(0.0, 1.0, 160))
    )
    measured = [n for n in sizes if n <= padded.max_measured_n] or [padded.max_measured_n]
    for n in measured:
        fp = np.array([padded.fpir(t, n) for t in thresholds])
        fn = np.array([1 - padded.tpir(t, n) for t in thresholds])
        keep = (fp > 0) & (fn > 0)
        det.plot(fp[keep], fn[keep], label=f"N = {n:,}")
    det.axvline(
        fpir_rule,
        color="crimson",
        linestyle="--",
        linewidth=1,
        label="FPIR 1 in 1,000 (000 §6.2(3))",
    )
    det.set_xscale("log")
    det.set_yscale("log")
    det.set_xlim(axis_floor(1.0 / max(1, padded.searches), fpir_rule), 1.0)
    det.set_ylim(1e-3, 1.0)
    det.set_xlabel("FPIR")
    det.set_ylabel("FNIR")
    det.set_title("DET at Watchlist size N (padded galleries)")
    det.grid(True, which="both", alpha=0.3)
    if det.get_legend_handles_labels()[0]:
        det.legend(loc="lower left", fontsize=8)
    grid = np.unique(np.round(np.logspace(0, 6, 61)).astype(int))
    for n_set in (10, 100, 1000):
        t = tail.threshold(n_set, fpir_rule)
        if t is None:
            continue
        line = grow.plot(
            grid,
            [tail.fpir(t, int(n)) for n in grid],
            label=f"t = {t:.4f} (1 in 1,000 at N = {n_set:,})",
        )[0]
        pts = [n for n in grid if n <= padded.max_measured_n]
        grow.plot(
            pts, [padded.fpir(t, int(n)) for n in pts], "o", markersize=3, color=line.get_color()
        )
    grow.axhline(fpir_rule, color="crimson", linestyle="--", linewidth=1)
    grow.set_xscale("log")
    grow.set_yscale("log")
    grow.set_ylim(1e-5, 1.0)
    grow.set_xlabel("Watchlist size N (images)")
    grow.set_ylabel("FPIR")
    grow.set_title("FPIR against N: model (lines), measured (points)")
    grow.grid(True, which="both", alpha=0.3)
    if grow.get_legend_handles_labels()[0]:
        grow.legend(loc="upper left", fontsize=8)
    if title:
        fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    out = Path(out)
    fig.savefig(out)
    plt.close(fig)
    return out
