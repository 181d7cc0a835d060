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
