"""The Deployment metrics page's charts (issue 12, item 12): faces detected and templates made
over time, Alerts over time and the Recognition Time distribution, as inline SVG
(`frt.web.charts`) from `frt.lfr.report.live_series`."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from frt.web.charts import Series, histogram, time_chart
from frt.web.timefmt import zone_of


def _window(series: dict) -> tuple[datetime, datetime] | None:
    """From the first count or Alert recorded to the last (a Deployment started long before its
    cameras ran is charted over the time they ran)."""
    moments = [at for at, _ in series["counts"]] + list(series["alert_times"])
    if not moments:
        return None
    return min(moments), max(moments)


def _steps(times: list[datetime], start: datetime, end: datetime) -> list[tuple[float, float]]:
    """A running count that rises by one at each moment (Alerts so far)."""
    points = [(0.0, 0.0)]
    for n, at in enumerate(sorted(times), start=1):
        x = (at - start).total_seconds()
        points += [(x, n - 1.0), (x, float(n))]
    points.append(((end - start).total_seconds(), float(len(times))))
    return points


def charts_for(series: dict, profile) -> dict[str, Markup]:
    """{"counts", "alerts", "recognition"}: each chart as SVG; empty if nothing has run yet."""
    window = _window(series)
    if window is None:
        return {}
    start, end = window
    tz = zone_of(profile)

    def at(moment: datetime) -> float:
        return (moment - start).total_seconds()

    faces = [(0.0, 0.0)] + [(at(t), float(c["faces_detected"])) for t, c in series["counts"]]
    templates = [(0.0, 0.0)] + [(at(t), float(c["templates"])) for t, c in series["counts"]]
    return {
        "counts": time_chart(
            [Series("faces detected", faces), Series("templates made", templates)],
            "Faces detected and templates made so far",
            "count so far",
            start,
            end,
            tz,
        ),
        "alerts": time_chart(
            [Series("Alerts", _steps(list(series["alert_times"]), start, end))],
            "Alerts so far",
            "Alerts so far",
            start,
            end,
            tz,
        ),
        "recognition": histogram(
            series["recognition_times_ms"], "Recognition Time of each Alert", "milliseconds"
        ),
    }
