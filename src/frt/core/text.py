"""Text as it enters FRT and as it leaves in a CSV file (hardening items 7 and 8).

Entering: every action checks a person's arguments before it runs (`frt.core.actions`): each
string — in lists, dicts (keys too) and dataclasses such as the AO's terms — must be text
(`frt.policy.input_rules.text_valid`: no lone surrogates, no control characters but tab and line
breaks, at most 20,000 characters unless the action declares a longer bound for an argument),
each integer must fit a database column, each float must be finite. So a page, the API, the CLI
and any adapter to come get the same clear 400 naming rule INPUT-TEXT or INPUT-NUMBER, never a
server error from the database's encoder.

Leaving: `csv_cell` neutralises a cell a spreadsheet would run as a formula (a leading `=`, `+`,
`-`, `@`, tab or carriage return: CWE-1236) by prefixing an apostrophe, as OWASP advises; every
CSV FRT writes goes through `csv_rows`.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, is_dataclass
from typing import Any

from frt.core.errors import InputRefused
from frt.policy import Decision
from frt.policy.input_rules import BOUNDS, MAX_TEXT_CHARS, text_valid

__all__ = ["MAX_TEXT_CHARS", "check_arguments", "csv_cell", "csv_rows", "require_input"]

# The widest integer a database column holds (SQLite INTEGER, PostgreSQL BIGINT).
MAX_INTEGER = 2**63 - 1
_NESTING = 8  # deeper than any action's arguments: refused rather than walked
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def require_input(decision: Decision) -> Decision:
    """Return an allowed decision, or raise `InputRefused` (a 400 naming the rule)."""
    if not decision.allowed:
        raise InputRefused(decision)
    return decision


def check_arguments(arguments: Mapping[str, Any], limits: Mapping[str, int] | None = None) -> None:
    """Refuse an action's arguments holding text that is not text, or numbers no column holds.

    `limits` gives an argument a longer bound than MAX_TEXT_CHARS (a document's text)."""
    for name, value in arguments.items():
        _check(name, value, (limits or {}).get(name, MAX_TEXT_CHARS), 0)


def _check(field: str, value: Any, limit: int, depth: int) -> None:
    if depth > _NESTING:
        require_input(Decision.refuse(f"{field} is nested too deeply", BOUNDS, "INPUT-TEXT"))
    if isinstance(value, str):
        require_input(text_valid(field.replace("_", " "), value, max_chars=limit))
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            require_input(
                Decision.refuse(
                    f"{field.replace('_', ' ')} is too large a number", BOUNDS, "INPUT-NUMBER"
                )
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            require_input(
                Decision.refuse(
                    f"{field.replace('_', ' ')} must be a finite number", BOUNDS, "INPUT-NUMBER"
                )
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _check(field, key, MAX_TEXT_CHARS, depth + 1)
            named = isinstance(key, str) and key.isidentifier() and len(key) <= 40
            _check(key if named else field, item, limit, depth + 1)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            _check(field, item, limit, depth + 1)
    elif is_dataclass(value) and not isinstance(value, type):
        for f in fields(value):
            _check(f"{field} {f.name}", getattr(value, f.name), limit, depth + 1)


# ------------------------------------------------------------------ CSV out
def csv_cell(value: Any) -> Any:
    """A cell a spreadsheet shows as text: a string starting with a formula prefix gets a leading
    apostrophe (`=HYPERLINK(…)` → `'=HYPERLINK(…)`). Numbers are left as numbers: a negative
    number is data, and only text can smuggle a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_rows(header: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """A CSV document of `rows` under `header`, every cell through `csv_cell`."""
    buf = io.StringIO(newline="")
    # RFC 4180 line ends: a cell holding a bare CR or LF is then quoted, never a row break.
    writer = csv.DictWriter(buf, fieldnames=list(header), lineterminator="\r\n")
    writer.writerow({name: csv_cell(name) for name in header})
    for row in rows:
        writer.writerow({name: csv_cell(row.get(name, "")) for name in header})
    return buf.getvalue()
