"""`frt eval identify` and `threshold` end to end on package-shipped photos, and the record."""

from __future__ import annotations

import io
import json
import os

import cv2
import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from frt.cli.eval import app, choose_threshold, policy_rule

REQUIRED_KEYS = {
    "gallery_size",
    "images",
    "failed_to_template",
    "mated_searches",
    "nonmated_searches",
    "rank1",
    "rank10",
    "rank50",
    "tpir_at_fpir_0.001",
    "threshold_at_fpir_0.001",
    "tpir_at_fpir_0.01",
    "threshold_at_fpir_0.01",
    "algorithm",
    "seconds",
}


def _save(path, rgb):
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())


@pytest.fixture(scope="module")
def people(tmp_path_factory):
    import matplotlib
    from skimage import data

    from frt.engine.images import load_image

    root = tmp_path_factory.mktemp("people")
    astronaut = data.astronaut()
    grace = load_image(os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg"))
    for name, rgb in (("astronaut", astronaut), ("grace", grace)):
        (root / name).mkdir()
        _save(root / name / "1.jpg", rgb)
        _save(root / name / "2.jpg", cv2.resize(rgb, None, fx=0.7, fy=0.7))
    (root / "nobody").mkdir()
    _save(root / "nobody" / "1.jpg", np.full((120, 120, 3), 90, np.uint8))  # no face in it
    return root


@pytest.mark.req("EVAL-01", "RFR-08")
def test_identify_writes_the_figures_and_the_det_plot(people, tmp_path, monkeypatch):
    monkeypatch.setenv("FRT_DATA_DIR", str(tmp_path / "var"))
    out, plot = tmp_path / "out.json", tmp_path / "det.png"
    result = CliRunner().invoke(
        app,
        [
            "identify",
            str(people),
            "--json",
            str(out),
            "--plot",
            str(plot),
            "--workers",
            "1",
            "--no-cache",
            "--no-progress",
            "--no-record",
            "--candidates",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    figs = json.loads(out.read_text())
    assert REQUIRED_KEYS <= set(figs)
    assert figs["gallery_size"] == 2 and figs["mated_searches"] == 2 and figs["images"] == 5
    assert figs["failed_to_template"] == 1  # the picture with no face
    assert figs["rank1"] == 1.0 and figs["rank50"] == 1.0
    assert figs["investigation"] == {
        "candidates": 2,
        "hit_rate_rank1": 1.0,
        "hit_rate_rank10": 1.0,
        "hit_rate_rank2": 1.0,
        "fnir_at_rank2": 0.0,
    }
    assert plot.stat().st_size > 1000
    assert len(figs["det"]["fpir"]) == len(figs["det"]["fnir"]) >= 1  # for the evaluations page
    assert figs["by_gallery_size"]["nonmated_tail"]["comparisons"] == 4  # 2 x 2 photos of 2 people
    assert (tmp_path / "det-by-size.png").stat().st_size > 1000


@pytest.mark.req("EVAL-01")
def test_threshold_follows_the_mps_false_alert_rule_and_the_cumbria_minimum():
    far, minimum, cite = policy_rule("mps")
    assert far == 0.001 and "6.2(3)" in cite
    scores = np.linspace(0, 1, 10_000)
    t = choose_threshold(scores, far, minimum)
    assert (scores >= t).mean() <= 0.001
    far_c, min_c, cite_c = policy_rule("cumbria")
    assert min_c == 0.64 and "11.11" in cite_c
    # Cumbria's 0.64 is a floor on its supplier's scale; FRT's own 1-in-1,000 point applies too
    assert choose_threshold(scores, far_c, min_c) == max(
        0.64, choose_threshold(scores, far_c, None)
    )
    assert choose_threshold(scores, 0.5, 0.64) == 0.64  # never below the minimum


@pytest.mark.req("EVAL-03", "EVAL-01")
def test_an_algorithm_is_usable_only_after_its_evaluation_is_recorded():
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from frt.eval.models import EvaluationRecord, NotEvaluated, require_evaluated, save_evaluation

    engine = create_engine("sqlite://")
    EvaluationRecord.__table__.create(engine)
    with Session(engine) as session:
        with pytest.raises(NotEvaluated, match="no recorded evaluation"):
            require_evaluated(session, "dlib-resnet", "1-flip")
        save_evaluation(
            session, "dlib-resnet", "1-flip", "labelled set", {"rank1": 0.97}, created_by="u1"
        )
        record = require_evaluated(session, "dlib-resnet", "1-flip")
        assert record.figures["rank1"] == 0.97 and record.created_by == "u1"
        assert record.created_at.tzinfo is not None
        with pytest.raises(NotEvaluated):
            require_evaluated(session, "dlib-resnet", "2")


@pytest.mark.req("EVAL-03", "EVAL-01")
def test_a_recorded_cohort_evaluation_keeps_its_cohort_sealed_for_deployments(
    store, settings, monkeypatch
):
    from frt.cli.eval import _maybe_record
    from frt.engine.normalise import Cohort
    from frt.eval.identify import Run
    from frt.eval.models import CohortRecord, EvaluationRecord
    from frt.lfr.scoring import for_deployment

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    rng = np.random.default_rng(0)
    rows = rng.normal(size=(60, 128)).astype(np.float32)
    cohort = Cohort(rows, "dlib-resnet", "1-flip-zoom", top_k=30, raw_weight=4.0)
    figures = {
        "scoring": "cohort-normalised",
        "cohort_digest": cohort.digest,
        "cohort_top_k": 30,
        "cohort_raw_weight": 4.0,
        "threshold_at_fpir_0.001": 0.9,
    }
    run = Run(
        figures,
        None,
        "labelled set",
        "dlib-resnet",
        "1-flip-zoom",
        {"cohort": cohort, "cohort_dir": "/data/consented"},
    )
    _maybe_record(True, run, dict(figures), "u1")
    with store.session() as session:
        record = session.query(EvaluationRecord).one()
        kept = session.query(CohortRecord).one()
        assert record.figures["cohort_record"] == kept.id and kept.digest == cohort.digest
        assert cohort.matrix.tobytes()[:64] not in kept.templates_sealed  # sealed, not plain
        chosen = for_deployment(session, store.cipher, "dlib-resnet", "1-flip-zoom")
    assert chosen.cohort.digest == cohort.digest and chosen.cohort.top_k == 30
    assert np.allclose(chosen.cohort.matrix, cohort.matrix, atol=1e-7)


def test_the_det_plots_1_in_1000_line_is_inside_its_axes_for_a_small_run():
    """Issue 12, item 11: 83 non-mated searches reach 1 in 83, not 1 in 1,000."""
    from frt.eval.plot import FALSE_ALERT_RULE, axis_floor

    assert axis_floor(1 / 83) < FALSE_ALERT_RULE
    assert axis_floor(1 / 100_000) == 1 / 100_000  # a large run keeps its own floor
