"""`frt bench live` prints a table and writes the JSON the issue asks for."""

import json

import pytest
from typer.testing import CliRunner

from frt.lfr import synthetic
from frt.lfr.cli import bench_app

KEYS = {"frames", "seconds", "fps", "faces_detected", "templates", "alerts",
        "recognition_time_ms_p50", "recognition_time_ms_p95", "dropped_frames", "stages_ms"}


@pytest.mark.req("LIVE-08")
def test_bench_live_writes_the_results(tmp_path, two_people_video):
    folder = synthetic.watchlist_folder(tmp_path / "wl", people=("astronaut",))
    out = tmp_path / "out.json"
    result = CliRunner().invoke(bench_app, ["live", "--video", str(two_people_video),
                                            "--watchlist", str(folder), "--json", str(out),
                                            "--workers", "0"])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert KEYS <= set(data)
    assert data["frames"] == 24 and [a["identity"] for a in data["alerts"]] == ["astronaut"]
    assert {"identity", "score", "first_seen_s", "alert_s"} <= set(data["alerts"][0])
    assert "detect" in data["stages_ms"] and "fps" in result.output


def test_bench_live_refuses_a_missing_video(tmp_path):
    result = CliRunner().invoke(bench_app, ["live", "--video", str(tmp_path / "none.mp4"),
                                            "--watchlist", str(tmp_path)])
    assert result.exit_code == 1
