"""What the installation chose shows on its pages (issue 12, items 1 and 5): a training
installation's banner on every page, and the public contact only once a force chose it."""

from __future__ import annotations

import pytest

from frt.installation import TRAINING_BANNER, Installation, write_installation
from tests.conftest import ON_POSTGRES


@pytest.mark.skipif(ON_POSTGRES, reason="a training installation is only ever embedded SQLite")
def test_a_training_installation_says_so_on_every_page(client, store):
    assert TRAINING_BANNER not in client.get("/login").text
    write_installation(store.settings, Installation("mps", training=True))
    for path in ("/login", "/public/"):
        assert TRAINING_BANNER in client.get(path).text


@pytest.mark.req("GOV-14")
def test_the_public_contact_is_the_one_the_installation_chose(client, store):
    page = client.get("/public/").text
    assert "LFR@met.police.uk" not in page and "not yet chosen" in page
    write_installation(store.settings, Installation("mps", contact="foi@force.example"))
    assert "foi@force.example" in client.get("/public/").text
