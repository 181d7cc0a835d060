"""`make demo`'s RFR part: an approved library enrolled from package photos, and a probe."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from frt.demo import seed
from frt.rfr import libraries
from frt.rfr.models import RfrLibrary
from frt.store.base import utcnow


@pytest.mark.req("RFR-01", "RFR-03")
def test_the_demo_holds_an_approved_enrolled_library_and_a_probe(store, tmp_path, capsys):
    seed(store, tmp_path)
    with store.session() as s:
        lib = s.scalars(select(RfrLibrary)).one()
        assert libraries.searchable(lib, utcnow()) and lib.image_level == 1
        assert libraries.image_count(s, lib.id) == 8
    assert (tmp_path / "demo" / "rfr" / "probe.png").is_file()
    assert "Sign in as rfr" in capsys.readouterr().out
    seed(store, tmp_path)  # again: nothing more
    with store.session() as s:
        assert len(list(s.scalars(select(RfrLibrary)))) == 1
