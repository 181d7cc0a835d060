"""`frt rfr jobs` runs the RFR jobs once; the retention report lists RFR items too (DATA-03)."""

from __future__ import annotations

import pytest

from tests.test_cli import env, frt  # noqa: F401 (fixture)


@pytest.mark.req("RFR-11", "DATA-03")
def test_rfr_jobs_run_once_and_the_retention_report_is_empty(env):  # noqa: F811
    assert frt("db", "upgrade").exit_code == 0
    ran = frt("rfr", "jobs")
    assert ran.exit_code == 0, ran.output
    assert "retention: 0 libraries" in ran.output and "re-searched" in ran.output
    report = frt("deploy", "retention-report")
    assert report.exit_code == 0 and "nothing held past its retention limit" in report.output
