"""The register's rows read as people write them (issue 12, item 8): each Deployment from its start
to its end, both in the force's zone, its duration in hours and minutes, plurals that agree."""

from __future__ import annotations

import re

import pytest

from tests.lfr.test_live_web import client_for

pytestmark = pytest.mark.req("GOV-13")


def test_a_register_row_has_its_start_and_end_in_the_forces_zone(store, authority):
    authority()
    page = client_for(store, "ao").get("/lfr/register").text
    when = page.split('class="when">', 1)[1].split("</td>", 1)[0]
    assert re.fullmatch(r".+ (GMT|BST) – .+ (GMT|BST)", when), when
    assert "UTC" not in page and "['" not in page
    assert re.search(r"\d+ h( \d+ min)?</td>", page)  # a duration, not 4.0 hours
