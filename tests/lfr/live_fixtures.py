"""Fixtures for the live-delivery tests: an authorised, active Deployment whose Watchlist (imported
through governance) holds the astronaut, an Engagement Officer, and videos made from
package-shipped photos. Time is fixed: the Deployment runs at `RUN_AT` (an injected clock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from frt.governance import command, deployments, watchlists
from frt.governance.bundle import installation_key
from frt.lfr import synthetic
from frt.people.models import User
from frt.people.roles import Role
from tests.conftest import setup_session
from tests.governance.conftest import (  # noqa: F401 (fixtures)
    END,
    START,
    act,
    authority,
    engine,
    entry,
    make_bundle,
    password_hash,
    people,
    photos,
    submitted,
)

RUN_AT = START + timedelta(hours=1)
MARKERS = ["weapons"]
# What an evaluation of dlib's templates with raw similarity finds for 1 in 1,000 is about 0.96;
# the tests record a lower floor so each test's own Threshold is the one that decides.
EVALUATED_THRESHOLD = 0.9


def record_evaluation(store, dep_id: str, threshold: float = EVALUATED_THRESHOLD) -> None:
    """Record an evaluation of the algorithm the Deployment's Watchlist was templated with
    (EVAL-03: nothing runs on an algorithm version that was not evaluated)."""
    from frt.eval.models import save_evaluation
    from frt.policy.lfr_rules import RAW_SCORING

    with setup_session(store) as session:
        rw = watchlists.load_for_recognition(session, store.cipher, dep_id)
        algorithm, version = rw.subjects[0].images[0].template.kind
        save_evaluation(
            session,
            algorithm,
            version,
            "test figures",
            {
                "scoring": RAW_SCORING,
                "gallery_size": 650,
                "threshold_at_fpir_0.001": threshold,
                "threshold_at_fpir_0.01": threshold - 0.02,
            },
        )


def clock_at(when=RUN_AT):
    return lambda: when


@pytest.fixture
def officer(store, password_hash):  # noqa: F811
    with setup_session(store) as session:
        user = User(
            username="eo",
            display_name="Eo",
            rank="police_constable",
            roles_json=[Role.ENGAGEMENT_OFFICER.value],
            password_hash=password_hash,
        )
        session.add(user)
        session.flush()
        return user.id


@pytest.fixture
def live(act, authority, engine, photos, store):  # noqa: F811
    """An active Deployment at RUN_AT with the astronaut on its Watchlist: (authority, deployment)."""

    def _make(start=True, **overrides) -> tuple[str, str]:
        auth_id, dep_id = authority(**overrides)
        with act("silver") as ctx:
            data = make_bundle(
                installation_key(ctx.cipher),
                entry(reference="W-1", photos=photos, warning_markers=MARKERS),
            )
            watchlists.import_bundle(
                ctx, dep_id, data, intelligence_reconfirmed=True, engine=engine
            )
            command.record_overt_use(
                ctx, auth_id, notice_published=True, notice_channels="force website", signage=True
            )
        record_evaluation(store, dep_id)
        roster_live_team(store, dep_id)
        if start:
            with act("silver", now=RUN_AT) as ctx:
                deployments.set_state(ctx, dep_id, "active")
        return auth_id, dep_id

    return _make


def roster_live_team(store, dep_id: str) -> None:
    """The LFR Operator and the Engagement Officer ("eo", if the test made one) rostered on the
    Deployment, as its command team would: live data is theirs only (hardening item 2)."""
    from frt.governance.oversight_models import RosterEntry

    with setup_session(store) as session:
        users = {
            u.username: u.id
            for u in session.scalars(select(User).where(User.username.in_(["operator", "eo"])))
        }
        for username, duty in (("operator", "lfr_operator"), ("eo", "engagement_officer")):
            if username in users:
                session.add(
                    RosterEntry(
                        deployment_id=dep_id,
                        user_id=users[username],
                        duty=duty,
                        rostered_by=users[username],
                        rostered_at=RUN_AT,
                    )
                )


def set_state(act, dep_id: str, state: str, now=RUN_AT) -> None:  # noqa: F811
    with act("silver", now=now) as ctx:
        deployments.set_state(ctx, dep_id, state)


@pytest.fixture(scope="session")
def live_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("live")


@pytest.fixture(scope="session")
def astronaut_video(live_dir):
    """640x360, 30 frames: the astronaut walks into view."""
    return synthetic.write_video(
        live_dir / "astronaut.mp4",
        synthetic.scene_frames(30, faces=1, size=(640, 360), people=("astronaut",)),
    )


@pytest.fixture(scope="session")
def passers_by_video(live_dir):
    """640x360, 30 frames: Grace Hopper only — nobody on the Watchlist."""
    return synthetic.write_video(
        live_dir / "hopper.mp4",
        synthetic.scene_frames(30, faces=1, size=(640, 360), people=("grace_hopper",)),
    )


def passes(n: int, on: int = 14, off: int = 16, person: str = "astronaut"):
    """BGR frames: `person` walks through the zone `n` times (a new track each time)."""
    import numpy as np

    frames = list(synthetic.scene_frames(on, faces=1, size=(640, 360), people=(person,)))
    blank = np.empty_like(frames[0])
    blank[:] = synthetic.WALL_BGR
    for _ in range(n):
        yield from frames
        for _ in range(off):
            yield blank.copy()


@pytest.fixture
def web_clock(monkeypatch):
    """The web app's units of work run at RUN_AT, inside the authorised window."""
    monkeypatch.setattr("frt.core.actions.utcnow", lambda: RUN_AT)
    return RUN_AT


def probe_of(store, session, alert_id: str) -> bytes | None:
    """The Alert's camera face as stored (tests look at it directly, unaudited)."""
    from frt.lfr.models import LiveAlert

    row = session.get(LiveAlert, alert_id)
    if row is None or row.probe_sealed is None:
        return None
    return LiveAlert.PROBE.open(store.cipher, row.id, row.probe_sealed)
