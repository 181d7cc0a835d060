"""The Deployment metrics page draws faces, templates and Alerts over time and the Recognition
Time distribution as inline SVG (issue 12, item 12): no script, no CDN; its figures are the
counts the page's table shows."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from frt.lfr.records import counter_series, counter_totals
from frt.lfr.runner import Runner
from frt.web import charts
from tests.lfr.live_fixtures import *  # noqa: F401,F403 (fixtures)
from tests.lfr.live_fixtures import clock_at, roster_live_team
from tests.lfr.test_live_web import client_for, raise_alert
from tests.web.test_metrics_counts import THRESHOLD, short_clip  # noqa: F401 (fixture)

pytestmark = pytest.mark.req("LIVE-08")


def test_a_run_is_sampled_over_time_and_its_last_sample_is_the_total(store, live, short_clip):
    video, n_frames = short_clip
    _, dep_id = live(min_threshold=THRESHOLD)
    Runner(
        store, dep_id, [str(video)], workers=0, poll_s=0.3, clock=clock_at(), realtime_files=True
    ).run()
    with store.session() as db:
        series, totals = counter_series(db, dep_id), counter_totals(db, dep_id)
    assert len(series) >= 2, series  # the first counts and the last
    moments = [at for at, _ in series]
    assert moments == sorted(moments)
    assert series[-1][1]["frames"] == totals["frames"] == n_frames
    assert series[-1][1]["faces_detected"] == totals["faces_detected"]
    frames = [c["frames"] for _, c in series]
    assert frames == sorted(frames)  # running counts never fall


def test_the_metrics_page_shows_the_charts_as_inline_svg(store, live, short_clip, web_clock):
    video, _ = short_clip
    _, dep_id = live(min_threshold=THRESHOLD)
    roster_live_team(store, dep_id)
    operator = client_for(store, "operator")
    before = operator.get(f"/live/deployments/{dep_id}/metrics").text
    assert 'data-chart="none"' in before and "<svg" not in before
    Runner(
        store, dep_id, [str(video)], workers=0, poll_s=0.3, clock=clock_at(), realtime_files=True
    ).run()
    raise_alert(store, dep_id)
    page = operator.get(f"/live/deployments/{dep_id}/metrics")
    assert page.status_code == 200
    for chart in ("counts", "alerts", "recognition"):
        assert f'data-chart="{chart}"' in page.text
    assert page.text.count("<svg") == 3
    assert "<script" not in re.sub(r'<script src="/static/[^"]+"( defer)?></script>', "", page.text)
    assert "http://" not in page.text.split("<svg", 1)[1].replace("http://www.w3.org", "")
    assert "Faces detected and templates made so far" in page.text
    assert "Recognition Time of each Alert" in page.text
    panel = operator.get(f"/live/deployments/{dep_id}/metrics/panel").text
    assert panel.count("<svg") == 3  # the panel refreshed every 2 seconds draws them too


def test_a_chart_scales_to_round_ticks_and_escapes_its_labels():
    assert charts.nice_ticks(248) == [0, 100, 200, 300]
    assert charts.nice_ticks(3) == [0, 1, 2, 3]
    assert charts.nice_ticks(2) == [0, 1, 2]  # no half an Alert
    start = datetime(2026, 12, 2, 10, tzinfo=UTC)
    svg = charts.time_chart(
        [charts.Series("<faces>", [(0, 0), (60, 248)])],
        "t",
        "count",
        start,
        start + timedelta(minutes=1),
        UTC,
    )
    assert "&lt;faces&gt;" in svg and "<faces>" not in svg
    assert 'style="' not in svg  # the Content-Security-Policy allows no inline style


def test_the_det_chart_keeps_the_1_in_1000_line_inside_its_axes_for_a_small_sample():
    # 83 non-mated searches: the run's own floor (1/83) lies above 1 in 1,000
    fpir = [1 / 83 * k for k in range(1, 84)]
    fnir = [max(0.001, 1 - f) for f in fpir]
    svg = str(charts.det_chart(fpir, fnir, 0.001, "DET"))
    rule_x = float(re.search(r'<line x1="([\d.]+)"[^>]*stroke="#b00020"', svg).group(1))
    assert charts.LEFT < rule_x < charts.WIDTH - charts.RIGHT
    assert "1 in 1,000" in svg


@pytest.mark.req("EVAL-03")
def test_the_console_shows_the_threshold_in_use_and_marks_a_small_sample(store, live, web_clock):
    """Issue 12, item 2: wherever the Threshold appears, a small-sample evaluation is marked (the
    test evaluation records no non-mated searches at all)."""
    _, dep_id = live(min_threshold=THRESHOLD)
    roster_live_team(store, dep_id)
    console = client_for(store, "operator").get(f"/live/deployments/{dep_id}").text
    shown = console.split('id="operating-threshold"', 1)[1].split("</span></span>", 1)[0]
    assert "0.970" in shown and "small sample" in shown, shown


def test_the_panel_refreshed_every_2_seconds_adds_no_audit_record_per_refresh(
    store, live, web_clock
):
    """The page's opening is the audited read (`lfr.metrics.read`); each refresh of its panel
    checks the same rule (`core.actions.may`; outsiders are refused by the route walk) without
    a record every two seconds."""
    from sqlalchemy import func, select

    from frt.audit.models import AuditRecord

    _, dep_id = live(min_threshold=THRESHOLD)
    roster_live_team(store, dep_id)
    operator = client_for(store, "operator")

    def reads() -> int:
        with store.session() as db:
            return db.scalar(
                select(func.count())
                .select_from(AuditRecord)
                .where(AuditRecord.action == "lfr.metrics.read")
            )

    assert operator.get(f"/live/deployments/{dep_id}/metrics").status_code == 200
    opened = reads()
    assert opened == 1
    for _ in range(3):
        assert operator.get(f"/live/deployments/{dep_id}/metrics/panel").status_code == 200
    assert reads() == opened
