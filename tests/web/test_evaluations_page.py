"""The recorded evaluations have a page for the SRO and the System Engineers (issue 12, item 12;
EVAL-02): the DET plot with the 1-in-1,000 line, the per-group table, and the small-sample mark."""

from __future__ import annotations

import numpy as np
import pytest

from frt.audit import Actor
from frt.eval.groups import group_figures
from frt.eval.metrics import Searches, det_points, figures
from frt.eval.models import save_evaluation
from frt.people.roles import Role
from frt.people.service import create_user
from frt.policy import Rank
from tests.conftest import setup_session
from tests.web.conftest import sign_in

pytestmark = pytest.mark.req("EVAL-01", "EVAL-02")


def searches(mated: int = 200, nonmated: int = 83, seed: int = 1) -> Searches:
    rng = np.random.default_rng(seed)
    ids = np.array([f"p{i}" for i in range(mated)])
    return Searches(
        ids,
        rng.uniform(0.5, 1.0, mated),
        np.where(rng.uniform(size=mated) < 0.95, 1, 5),
        np.array([f"q{i}" for i in range(nonmated)]),
        rng.uniform(0.0, 0.8, nonmated),
    )


@pytest.fixture
def recorded(store):
    run = searches()
    groups = {f"p{i}": ("group A" if i % 2 else "group B") for i in range(200)}
    groups |= {f"q{i}": ("group A" if i % 2 else "group B") for i in range(83)}
    figs = {
        **figures(run),
        "det": det_points(run),
        "groups": {"at_fpir_0.001": group_figures(run, groups, 0.001)},
        "algorithm": "dlib",
        "gallery_size": 200,
        "scoring": "raw similarity",
    }
    with setup_session(store) as session:
        record = save_evaluation(session, "dlib", "19.24", "a labelled set (283 images)", figs)
        return record.id


@pytest.fixture
def readers(store):
    with store.session() as db:
        for username, rank, role in (
            ("sro", Rank.COMMANDER, Role.SRO),
            ("engineer", Rank.STAFF_BAND_D, Role.SYSTEM_ENGINEER),
            ("operator", Rank.POLICE_CONSTABLE, Role.LFR_OPERATOR),
        ):
            create_user(
                db,
                Actor.system("test"),
                username=username,
                display_name=username.title(),
                rank=rank,
                roles={role},
                password="correct horse battery staple 1",
            )


def _signed_in(client, username: str):
    assert sign_in(client, username, "correct horse battery staple 1").status_code == 200
    return client


def test_the_sro_sees_the_det_plot_the_groups_and_the_small_sample(client, recorded, readers):
    page = _signed_in(client, "sro").get("/eval")
    assert page.status_code == 200
    assert f'data-evaluation="{recorded}"' in page.text
    assert 'data-chart="det"' in page.text and page.text.count("<svg") == 1
    assert "1 in 1,000" in page.text  # the rule's line, inside the axes
    assert 'data-group="group A"' in page.text and 'data-group="group B"' in page.text
    assert 'id="small-sample"' in page.text and "83 non-mated searches" in page.text
    assert "cdn" not in page.text.lower()


def test_the_engineer_reads_it_and_an_operator_may_not(client, recorded, readers):
    engineer = _signed_in(client, "engineer")
    assert engineer.get(f"/eval?id={recorded}").status_code == 200
    home = engineer.get("/").text
    assert 'href="/eval"' in home
    client.cookies.clear()
    operator = _signed_in(client, "operator")
    assert operator.get("/eval").status_code == 403


def test_with_no_evaluation_the_page_says_how_to_record_one(client, readers):
    page = _signed_in(client, "sro").get("/eval")
    assert page.status_code == 200 and "frt eval identify" in page.text
