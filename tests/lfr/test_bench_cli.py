"""`frt bench live` prints a table and writes the JSON the issue asks for."""

import json

import pytest
from typer.testing import CliRunner

from frt.cli.lfr import bench_app
from frt.lfr import synthetic

KEYS = {
    "frames",
    "seconds",
    "fps",
    "faces_detected",
    "templates",
    "alerts",
    "recognition_time_ms_p50",
    "recognition_time_ms_p95",
    "dropped_frames",
    "stages_ms",
}


@pytest.mark.req("LIVE-08")
def test_bench_live_writes_the_results(tmp_path, two_people_video):
    folder = synthetic.watchlist_folder(tmp_path / "wl", people=("astronaut",))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        bench_app,
        [
            "live",
            "--video",
            str(two_people_video),
            "--watchlist",
            str(folder),
            "--json",
            str(out),
            "--workers",
            "0",
            "--threshold",
            "0.95",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert KEYS <= set(data)
    assert data["frames"] == 24 and [a["identity"] for a in data["alerts"]] == ["astronaut"]
    assert {"identity", "score", "first_seen_s", "alert_s"} <= set(data["alerts"][0])
    assert "detect" in data["stages_ms"] and "fps" in result.output
    assert data["threshold"] == 0.95 and data["threshold_source"] == "given"


def _evaluation(tmp_path, comparisons: int):
    """An evaluation JSON as `frt eval identify` writes it, with a known non-mated tail."""
    import numpy as np

    from frt.eval.gallery_size import NonmatedTail

    tail = NonmatedTail.from_top(np.linspace(0.99, 0.80, 5000), comparisons)
    path = tmp_path / "eval.json"
    path.write_text(
        json.dumps(
            {
                "algorithm": "dlib-resnet",
                "algorithm_version": "1-flip-zoom",
                "detector": "thorough",
                "scoring": "raw similarity",
                "gallery_size": 650,
                "threshold_at_fpir_0.001": 0.97,
                "by_gallery_size": {"nonmated_tail": tail.to_dict()},
            }
        )
    )
    return path, tail


@pytest.mark.req("EVAL-01", "LIVE-02", "LIVE-08")
def test_bench_live_sets_its_threshold_by_the_operating_rule_for_the_watchlists_size(
    tmp_path, two_people_video
):
    folder = synthetic.watchlist_folder(tmp_path / "wl")
    evaluation, tail = _evaluation(tmp_path, 1_000_000)
    out = tmp_path / "out.json"
    result = CliRunner().invoke(
        bench_app,
        [
            "live",
            "--video",
            str(two_people_video),
            "--watchlist",
            str(folder),
            "--json",
            str(out),
            "--workers",
            "0",
            "--evaluation",
            str(evaluation),
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert data["watchlist_size"] == 2 and data["threshold_source"] == "operating rule"
    assert data["threshold"] == pytest.approx(tail.threshold(2, 0.001))
    assert data["algorithm_options"] == {"flip": True, "zoom": True, "jitters": 0}
    assert "004 §14.5" in data["threshold_rule_citation"]
    tracks = data["track_results"]
    assert tracks and all({"best_candidate", "best_score", "templates"} <= set(t) for t in tracks)
    assert {t["best_candidate"] for t in tracks} == {"astronaut", "grace_hopper"}


@pytest.mark.req("EVAL-01", "LIVE-02")
def test_bench_live_reports_the_refusal_when_the_evaluation_cannot_support_the_watchlist(
    tmp_path, two_people_video
):
    folder = synthetic.watchlist_folder(tmp_path / "wl")
    evaluation, _ = _evaluation(tmp_path, 2_000)  # 1 in 1,000 of 2,000 comparisons: too few
    result = CliRunner().invoke(
        bench_app,
        [
            "live",
            "--video",
            str(two_people_video),
            "--watchlist",
            str(folder),
            "--workers",
            "0",
            "--evaluation",
            str(evaluation),
        ],
    )
    assert result.exit_code == 2 and "refused" in result.output and "6.2(3)" in result.output
    result = CliRunner().invoke(
        bench_app,
        ["live", "--video", str(two_people_video), "--watchlist", str(folder), "--workers", "0"],
    )
    assert result.exit_code == 1 and "--evaluation" in result.output


def test_bench_live_refuses_a_missing_video(tmp_path):
    result = CliRunner().invoke(
        bench_app, ["live", "--video", str(tmp_path / "none.mp4"), "--watchlist", str(tmp_path)]
    )
    assert result.exit_code == 1
