"""Times, durations, labels and counts as people read them (issue 12, item 8)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from frt.web import timefmt


def test_times_are_in_the_forces_zone_to_the_minute_with_gmt_or_bst():
    winter = datetime(2025, 1, 15, 14, 5, 33, 123456, tzinfo=UTC)
    summer = datetime(2025, 7, 15, 14, 5, 33, 123456, tzinfo=UTC)
    assert timefmt.local(winter) == "Wed 15 Jan 2025 14:05 GMT"
    assert timefmt.local(summer) == "Tue 15 Jul 2025 15:05 BST"
    assert timefmt.form_value(summer) == "2025-07-15T15:05"


def test_durations_retention_labels_articles_and_plurals():
    assert timefmt.duration(timedelta(hours=7, minutes=30)) == "7 h 30 min"
    assert timefmt.duration(8.0) == "8 h"
    assert timefmt.retention(744) == "31 days" and timefmt.retention(24) == "1 day"
    assert timefmt.label(["marked_vans"]) == "Marked vans"
    assert timefmt.label("echr_articles") == "ECHR articles"
    assert timefmt.articles([8, 11]) == "ECHR Articles 8 and 11"
    assert timefmt.count(1, "alert") == "1 alert" and timefmt.count(2, "alert") == "2 alerts"
