"""The traceability table: each requirement ID, the tests that prove it, and whether they pass.

The test suite's plugin (tests/traceability_plugin.py) writes var/traceability.json; this module
prints it. `make traceability` does both.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

CATALOGUE = Path(__file__).with_name("requirements_catalogue.txt")
TABLE = Path("var/traceability.json")


def catalogue() -> dict[str, str]:
    rows = {}
    for line in CATALOGUE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            req_id, _, title = line.partition("\t")
            rows[req_id] = title
    return rows


def catalogue_ids() -> list[str]:
    return list(catalogue())


def write_table(results: dict[str, dict], path: Path) -> dict:
    """results: {nodeid: {"ids": [...], "passed": bool|None}} -> {ID: {tests, passed}}. A
    requirement passes when a test of it ran and passed and none failed (None: skipped)."""
    table: dict[str, dict[str, Any]] = {
        req_id: {"tests": [], "passed": False} for req_id in catalogue_ids()
    }
    outcomes: dict[str, list[bool]] = {req_id: [] for req_id in table}
    for nodeid, entry in sorted(results.items()):
        for req_id in entry["ids"]:
            table[req_id]["tests"].append(nodeid)
            if entry["passed"] is not None:
                outcomes[req_id].append(bool(entry["passed"]))
    for req_id, passed in outcomes.items():
        table[req_id]["passed"] = bool(passed) and all(passed)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    return table


def print_table(path: Path = TABLE) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    if not path.exists():
        print(f"{path} not found: run the test suite first (make traceability)", file=sys.stderr)
        return 1
    table = json.loads(path.read_text(encoding="utf-8"))
    titles = catalogue()
    out = Table(title="Requirements traceability")
    for col in ("ID", "requirement", "tests", "result"):
        out.add_column(col)
    untested = []
    for req_id, title in titles.items():
        row = table.get(req_id, {"tests": [], "passed": False})
        if not row["tests"]:
            untested.append(req_id)
            continue
        result = "[green]pass[/]" if row["passed"] else "[red]FAIL[/]"
        # escape: a parametrised test's "[param]" would otherwise be read as Rich markup
        out.add_row(req_id, title, escape("\n".join(row["tests"])), result)
    console = Console(width=200)
    console.print(out)
    console.print(f"IDs with no test ({len(untested)}): {', '.join(untested) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(print_table())
