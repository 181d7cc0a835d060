"""DATA-09 (004 §10.10–10.12): no breakdown of Watchlist subjects by race, sex or similar is kept;
the only characteristics recorded are the age, disability and reassignment flags of 000 §6.6."""

import re

import pytest

import frt.models  # noqa: F401 (every table)
from frt.policy.vocabulary import SubjectFlag
from frt.store.base import Base
from tests.governance.test_bundle_cli import HEADER, _pack, flat, folder  # noqa: F401

PROTECTED = re.compile(r"race|ethnic|sex|gender|religio|belief|nationality|skin|orientation")


@pytest.mark.req("DATA-09")
def test_no_table_has_a_column_for_a_protected_characteristic():
    columns = [f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns]
    assert [c for c in columns if PROTECTED.search(c)] == []


@pytest.mark.req("DATA-09", "WL-03")
def test_the_only_subject_flags_are_those_the_sop_requires():
    assert {f.value for f in SubjectFlag} == {
        "under_18",
        "under_13",
        "disability",
        "pre_reassignment_image",
    }


@pytest.mark.req("DATA-09")
@pytest.mark.parametrize("flag", ["ethnicity_asian", "female", "muslim"])
def test_a_bundle_cannot_carry_a_protected_characteristic_as_a_flag(folder, flag):  # noqa: F811
    result = _pack(
        folder, HEADER + f"X-1,suspect,,police_custody,,b,{flag},,hopper.jpg,2025-01-01,,\n"
    )
    assert result.exit_code == 1 and f"flags '{flag}'" in flat(result)
    assert not (folder / "list.frtwl").exists()
