"""The DET plot: FNIR against FPIR on log axes, with the 1-in-1,000 False Alert Rate marked."""

from __future__ import annotations

import logging
from pathlib import Path

from frt.eval.metrics import Searches, det_curve

logger = logging.getLogger(__name__)

FALSE_ALERT_RULE = 0.001  # SOP §6.2(3): one false alert in 1,000


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
    ax.axvline(FALSE_ALERT_RULE, color="crimson", linestyle="--", linewidth=1,
               label="FPIR 1 in 1,000 (SOP 6.2(3))")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(floor, 1.0)
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
