"""Governance fixtures: the people of an LFR Deployment, a fixed clock, an Application that can be
submitted, an authority, package-shipped photos and bundles, and a memoised face engine (so the
slow engine work happens once per photo per test session)."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from frt.audit import Actor
from frt.core.actions import acting
from frt.core.context import Ctx
from frt.governance import applications, decisions
from frt.governance.bundle import BundleEntry, BundleImage, Manifest, seal
from frt.governance.decisions import Terms
from frt.people.models import User
from frt.people.roles import Role, TrainingKind
from frt.people.service import add_training, hash_password
from frt.policy import Rank, load_profile
from frt.policy.decision_rules import REASON_HEADINGS

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
START = NOW + timedelta(hours=12)  # the Deployment starts inside the 24-hour import window
END = START + timedelta(hours=8)
PASSWORD = "correct horse battery staple"

PEOPLE = {
    "applicant": (Rank.SERGEANT, {Role.APPLICANT}),
    "npcc": (Rank.COMMANDER, {Role.NPCC_OFFICER}),
    "ao": (Rank.SUPERINTENDENT, {Role.AUTHORISING_OFFICER}),
    "inspector": (Rank.INSPECTOR, {Role.AUTHORISING_OFFICER, Role.GOLD}),
    "gold": (Rank.CHIEF_SUPERINTENDENT, {Role.GOLD}),
    "silver": (Rank.INSPECTOR, {Role.SILVER}),
    "bronze": (Rank.SERGEANT, {Role.BRONZE, Role.BRONZE_COMMUNITY}),
    "constable": (Rank.POLICE_CONSTABLE, {Role.BRONZE}),
    "operator": (Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}),
    "untrained": (Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}),
    "unsafe": (Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}),
    "engineer": (Rank.STAFF_BAND_D, {Role.SYSTEM_ENGINEER}),
    "dpo": (Rank.STAFF_BAND_C, {Role.DPO}),
    "sro": (Rank.COMMANDER, {Role.SRO}),
}
TRAINING = {
    "operator": [TrainingKind.LFR, TrainingKind.OFFICER_SAFETY],
    "unsafe": [TrainingKind.LFR],  # LFR-trained, officer safety missing
    "engineer": [TrainingKind.LFR],
}

MPS, CUMBRIA = load_profile("mps"), load_profile("cumbria")


@pytest.fixture(scope="session")
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow by design: once per session


@pytest.fixture
def people(store, password_hash) -> dict[str, str]:
    """username -> user id, everyone with in-date training where TRAINING says so."""
    ids = {}
    with store.session() as session:
        actor = Actor.system("test")
        for name, (rank, roles) in PEOPLE.items():
            user = User(
                username=name,
                display_name=name.title(),
                rank=rank.value,
                roles_json=sorted(r.value for r in roles),
                password_hash=password_hash,
            )
            session.add(user)
            session.flush()
            ids[name] = user.id
            for kind in TRAINING.get(name, []):
                add_training(session, actor, name, kind, date(2026, 1, 1), date(2027, 12, 31))
    return ids


@pytest.fixture
def act(store, people):
    """`with act("ao") as ctx:` — a governance unit of work as that person, at NOW."""

    @contextmanager
    def _act(username: str, *, now: datetime = NOW, profile=MPS) -> Iterator[Ctx]:
        with acting(store, people[username], profile=profile, now=now) as ctx:
            yield ctx

    return _act


FORM = dict(
    use_case="intelligence",
    deployment_styles=["marked_vans"],
    camera_count=2,
    legal_basis="Common law policing powers",
    legitimate_aim="Locate people wanted by the courts",
    echr_articles=[8, 11],
    dpa_schedule8_grounds="Statutory purposes (Sch 8 para 1)",
    necessity="Repeated failure to locate by other means",
    alternatives_considered="Patrols",
    awareness_measures="Signs and leaflets",
    watchlist_criteria="Wanted on warrant",
    proposed_categories=["wanted_by_courts", "suspect"],
    proposed_composition="About 200",
    proposed_threshold=0.64,
    resources="Two vans, ten officers",
)


def draft(ctx: Ctx, *, profile=MPS, documents=True, **overrides):
    fields = {**FORM, "starts_at": START, "ends_at": END, **overrides}
    app = applications.create(ctx, "High Street operation", **fields)
    applications.add_location(
        ctx,
        app.id,
        name="High Street north",
        locality="High Street",
        reason="Intelligence places wanted persons here on Fridays",
    )
    if documents:
        for kind in profile.governance.required_documents.value:
            applications.attach_document(ctx, app.id, kind, title=kind, text=f"{kind} text")
    return app


def all_reasons(text: str = "considered and recorded") -> dict[str, str]:
    return {h: text for h in REASON_HEADINGS}


@pytest.fixture
def submitted(act):
    """A submitted MPS Application with reviewed documents and an NPCC consultation."""

    def _make(profile=MPS, consult=True, extra_documents=(), **overrides) -> str:
        with act("applicant", profile=profile) as ctx:
            app = draft(ctx, profile=profile, **overrides)
            for kind in extra_documents:
                applications.attach_document(ctx, app.id, kind, title=kind, text="advice")
            applications.submit(ctx, app.id)
            app_id = app.id
        with act("ao", profile=profile) as ctx:
            for doc in ctx.get(applications.Application, app_id).documents:
                applications.review_document(ctx, doc.id, "reviewed")
        if consult:
            with act("npcc", profile=profile) as ctx:
                decisions.consult(ctx, app_id, "supported")
        return app_id

    return _make


def terms(ctx: Ctx, app_id: str, people: dict, **overrides) -> Terms:
    app = ctx.get(applications.Application, app_id)
    base = dict(
        starts_at=START,
        ends_at=END,
        place_ids=[app.locations[0].id],
        categories=["wanted_by_courts", "suspect"],
        min_threshold=0.64,
        gold_id=people["gold"],
    )
    return Terms(**{**base, **overrides})


@pytest.fixture
def authority(act, people, submitted):
    """An MPS authority in force with its Silver and Bronze appointed; returns (authority id,
    deployment id)."""

    def _make(**overrides) -> tuple[str, str]:
        app_id = submitted(extra_documents=overrides.pop("extra_documents", []))
        with act("ao") as ctx:
            auth = decisions.decide(
                ctx,
                app_id,
                "authorise",
                all_reasons(),
                terms=terms(ctx, app_id, people, **overrides),
            )
            ids = auth.id, auth.deployments[0].id
        from frt.governance import command

        with act("gold") as ctx:
            command.appoint(ctx, ids[0], "silver", people["silver"])
            command.appoint(ctx, ids[0], "bronze", people["bronze"])
        return ids

    return _make


# ------------------------------------------------------------------ photos and the engine
@pytest.fixture(scope="session")
def photos() -> dict[str, bytes]:
    """Two real, package-shipped photos of different people, as JPEG bytes."""
    import matplotlib
    from PIL import Image
    from skimage import data

    def jpeg(img) -> bytes:
        buf = io.BytesIO()
        img.convert("RGB").save(buf, "JPEG", quality=92)
        return buf.getvalue()

    astronaut = Image.fromarray(np.ascontiguousarray(data.astronaut()))
    path = os.path.join(matplotlib.get_data_path(), "sample_data", "grace_hopper.jpg")
    with open(path, "rb") as f:
        hopper = f.read()
    return {
        "astronaut": jpeg(astronaut),
        "hopper": hopper,
        "hopper_mirrored": jpeg(Image.open(io.BytesIO(hopper)).transpose(Image.FLIP_LEFT_RIGHT)),
        "astronaut_dark": jpeg(Image.eval(astronaut, lambda v: v // 5)),  # a quality warning
        "not_an_image": b"this is a text file, not a photograph",
        "truncated": hopper[: len(hopper) // 3],
    }


class MemoEngine:
    """The real FaceEngine, remembered per image: each photo is analysed once per session."""

    def __init__(self):
        from frt.governance.watchlists import FaceEngine

        self._engine = FaceEngine()
        self.algorithm, self.version = self._engine.algorithm, self._engine.version
        self._seen: dict[str, object] = {}

    def analyse(self, image: bytes):
        key = hashlib.sha256(image).hexdigest()
        if key not in self._seen:
            try:
                self._seen[key] = self._engine.analyse(image)
            except Exception as exc:  # remember refusals too
                self._seen[key] = exc
        found = self._seen[key]
        if isinstance(found, Exception):
            raise found
        return found


@pytest.fixture(scope="session")
def engine() -> MemoEngine:
    return MemoEngine()


def entry(
    reference="W-1",
    category="wanted_by_courts",
    images=(("astronaut", None, ""),),
    photos=None,
    **fields,
) -> tuple[dict, dict[str, bytes]]:
    """One bundle entry (as a dict) and its image files."""
    files, imgs = {}, []
    for m, (photo, threshold, reason) in enumerate(images, start=1):
        n = int(hashlib.sha256(reference.encode()).hexdigest(), 16) % 9000 + 1000
        name = f"images/{n:04d}-{m}.jpg"
        files[name] = photos[photo]
        imgs.append(
            BundleImage(
                file=name,
                sha256=hashlib.sha256(photos[photo]).hexdigest(),
                captured_on=date(2025, 6, 1),
                threshold=threshold,
                threshold_reason=reason,
            )
        )
    base = dict(
        reference=reference,
        category=category,
        image_source="police_custody",
        legal_basis="PACE s.64A",
        images=imgs,
    )
    return {**base, **fields}, files


def make_bundle(key: bytes, *entries: tuple[dict, dict[str, bytes]]) -> bytes:
    files, items = {}, []
    for data, imgs in entries:
        files.update(imgs)
        items.append(BundleEntry(**data))
    manifest = Manifest(format="frt-watchlist-bundle", version=1, created_at=NOW, entries=items)
    return seal(manifest, files, key)
