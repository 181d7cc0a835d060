"""Pytest plugin: collect each test's `req` IDs and outcome; write var/traceability.json."""

from __future__ import annotations

from pathlib import Path

from frt.traceability import catalogue_ids, write_table

_results: dict[str, dict] = {}


def pytest_collection_modifyitems(config, items):
    known = set(catalogue_ids())
    for item in items:
        ids = [i for m in item.iter_markers(name="req") for i in m.args]
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise ValueError(f"{item.nodeid}: unknown requirement ID(s) {unknown}")
        if ids:
            _results[item.nodeid] = {"ids": ids, "passed": None}


def pytest_runtest_logreport(report):
    entry = _results.get(report.nodeid)
    if entry is None:
        return
    if report.failed:
        entry["passed"] = False
    elif report.when == "call" and report.passed and entry["passed"] is None:
        entry["passed"] = True
    # A skipped test (one database's feature, an extra not installed) proves nothing either
    # way: it stays None and the requirement rests on the tests that ran.


def pytest_sessionfinish(session, exitstatus):
    if not _results or getattr(session.config.option, "collectonly", False):
        return
    # A partial run (-k, a path) writes the table of what ran; `make traceability` runs it all.
    write_table(_results, Path(session.config.rootpath) / "var" / "traceability.json")
