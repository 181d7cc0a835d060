"""`frt serve --demo`: demo users and demo LFR data made through the real services, once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from frt.audit import Actor
from frt.audit.log import verify
from frt.demo import TITLE_AUTHORISED, TITLE_PENDING, seed
from frt.governance.applications import Application
from frt.governance.watchlist_models import Watchlist


@pytest.mark.req("GOV-01", "WL-05")
def test_the_demo_holds_one_application_to_decide_and_one_authorised_deployment(store, tmp_path):
    import cv2

    demo = seed(store, tmp_path)
    assert demo.password and demo.deployment_id and not demo.watchlist_note
    with store.session() as s:
        status = dict(s.execute(select(Application.title, Application.status)).all())
        assert status[TITLE_PENDING] == "submitted"  # waits for the NPCC officer and the AO
        assert status[TITLE_AUTHORISED] == "authorised"
        watchlist = s.scalar(select(Watchlist).where(Watchlist.deployment_id == demo.deployment_id))
        assert watchlist is not None  # imported from a sealed bundle, through the import rules
        assert verify(s, Actor.system("test")).ok  # every step went through the audit log
    video = cv2.VideoCapture(str(demo.video))
    assert video.isOpened() and int(video.get(cv2.CAP_PROP_FRAME_COUNT)) == 75


def test_seeding_the_demo_again_adds_nothing(store, tmp_path):
    seed(store, tmp_path)
    again = seed(store, tmp_path)
    assert again.password is None and again.deployment_id is None
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 2


@pytest.mark.req("DATA-05")
def test_demo_data_is_refused_on_a_forces_database(store, settings):
    import dataclasses

    import typer

    from frt.cli import _seed_demo

    force = dataclasses.replace(settings, database_url="postgresql+psycopg://frt@db.example/frt")
    with pytest.raises(typer.Exit):
        _seed_demo(store, force)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 0


def test_the_demo_again_after_its_window_closed_gives_a_fresh_window(store, tmp_path):
    """Issue 12, item 13: `make demo` after the demo authority's 8 hours gives a new one."""
    from datetime import timedelta

    from frt.governance.models import Deployment
    from frt.store.base import utcnow
    from tests.conftest import setup_session

    first = seed(store, tmp_path)
    with setup_session(store) as s:  # the 8 hours pass
        dep = s.get(Deployment, first.deployment_id)
        dep.starts_at, dep.ends_at = utcnow() - timedelta(hours=10), utcnow() - timedelta(hours=2)
    again = seed(store, tmp_path)
    assert again.deployment_id and again.deployment_id != first.deployment_id
    with store.session() as s:
        fresh = s.get(Deployment, again.deployment_id)
        assert fresh.ends_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)
    assert seed(store, tmp_path).deployment_id is None  # still open: nothing more


@pytest.mark.req("EVAL-03")
def test_a_training_installation_is_only_ever_the_embedded_demo(settings, tmp_path):
    """Issue 12, item 1: the training installation is refused on PostgreSQL and never becomes a
    force's; only its own demo Deployment may run on the minimum Threshold."""
    import dataclasses

    from frt.installation import (
        Installation,
        InstallationError,
        is_training,
        read_installation,
        training_minimum,
        write_installation,
    )

    local = dataclasses.replace(  # the embedded default, whichever database the suite runs on
        settings,
        data_dir=tmp_path / "var",
        database_url=f"sqlite:///{tmp_path / 'var' / 'frt.sqlite3'}",
    )
    force = dataclasses.replace(local, database_url="postgresql+psycopg://frt@db.example/frt")
    with pytest.raises(InstallationError):
        write_installation(force, Installation("mps", training=True))
    write_installation(local, Installation("mps", training=True, training_deployment="D1"))
    assert is_training(local) and training_minimum(local, "D1")
    assert not training_minimum(local, "D2")  # no other Deployment
    assert read_installation(force) is None and not training_minimum(force, "D1")
    with pytest.raises(InstallationError):  # a training installation never becomes a force's
        write_installation(local, Installation("mps", contact="foi@force.example"))
