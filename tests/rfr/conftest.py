"""RFR fixtures: the people of the RFR policy, approved libraries, package-shipped photos (the
astronaut and Grace Hopper: two real, different people) and a group photo of both."""

from __future__ import annotations

import io
from datetime import date, timedelta

import numpy as np
import pytest

from frt.audit import Actor
from frt.core.actions import perform
from frt.people.roles import Role, TrainingKind
from frt.people.service import add_training, create_user
from frt.policy.ranks import Rank
from frt.rfr import libraries
from frt.rfr.models import RfrLibraryImage, RfrTemplate
from frt.store.base import new_id
from tests.conftest import setup_session

PASSWORD = "correct-horse-battery"
PEOPLE = {
    "rfr": (Rank.POLICE_CONSTABLE, {Role.RFR_USER}, True),
    "rfr2": (Rank.POLICE_CONSTABLE, {Role.RFR_USER}, True),
    "untrained": (Rank.POLICE_CONSTABLE, {Role.RFR_USER}, False),
    "sergeant": (Rank.SERGEANT, {Role.RFR_APPROVING_OFFICER}, True),
    "inspector": (Rank.INSPECTOR, {Role.RFR_APPROVING_OFFICER}, True),
    "supt": (Rank.SUPERINTENDENT, {Role.RFR_APPROVING_OFFICER}, True),
    "sro": (Rank.ASSISTANT_COMMISSIONER, {Role.SRO}, False),
    "lead": (Rank.STAFF_BAND_B, {Role.FR_OPERATIONAL_LEAD}, True),
    "frteam": (Rank.STAFF_BAND_D, {Role.FR_TEAM}, True),
    "operator": (Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}, False),
}
FORM = dict(
    legal_basis="PACE s.64A; held under MOPI (test)",
    provenance="Custody photographs of compliant subjects (test)",
    composition="Frontal custody images, good quality (test)",
    elevated_considerations="None identified (test)",
    necessity="Identifies suspects in investigations (test)",
    monitoring="Monthly usage reports to the FRT Board (test)",
)


@pytest.fixture
def people(store):
    ids = {}
    with store.session() as db:
        for name, (rank, roles, trained) in PEOPLE.items():
            ids[name] = create_user(
                db,
                Actor.system("test"),
                username=name,
                display_name=f"Test {name}",
                rank=rank,
                roles=roles,
                password=PASSWORD,
            ).id
            if trained:
                add_training(
                    db,
                    Actor.system("test"),
                    name,
                    TrainingKind.RFR,
                    date.today() - timedelta(days=10),
                    date.today() + timedelta(days=300),
                )
    return ids


@pytest.fixture
def approved_library(store, people):
    """make(name, level=1, kind="substantive", access=None, days=300) -> library id, approved."""

    def make(
        name: str = "Custody images",
        level: int = 1,
        kind: str = "substantive",
        access: list[str] | None = None,
        days: int = 300,
    ) -> str:
        from frt.store.base import utcnow

        lib = perform(
            store,
            people["sro"],
            libraries.apply,
            kind,
            name,
            investigation="Op Test" if kind == "temporary" else "",
            **FORM,
        )
        approver = people["sro"] if kind == "substantive" else people["supt"]
        if kind == "temporary":
            days = min(days, 30)
        perform(
            store,
            approver,
            libraries.decide,
            lib.id,
            True,
            "Needed (test)",
            image_level=level,
            access_all=access is None,
            access_user_ids=[people[a] for a in access or []],
            review_due=utcnow() + timedelta(days=days),
        )
        return lib.id

    return make


@pytest.fixture
def add_templates(store):
    """add(library_id, vectors, images=None) -> image ids: enrolled images with these templates
    (test set-up, as an import would leave them)."""
    from frt.rfr.faces import algorithm

    algo = algorithm()

    def add(
        library_id: str,
        vectors,
        images: list[bytes] | None = None,
        version: str | None = None,
        created_at=None,
        **meta,
    ) -> list[str]:
        ids = []
        with setup_session(store) as s:
            for n, vec in enumerate(vectors):
                image_id, tid = new_id(), new_id()
                data = images[n] if images else _png(np.full((60, 60, 3), 100 + n % 100, np.uint8))
                s.add(
                    RfrLibraryImage(
                        id=image_id,
                        library_id=library_id,
                        item_key=f"test/{image_id}.png",
                        sha256=image_id,
                        status="enrolled",
                        age_band=meta.get("age_band", "over_18"),
                        mopi_group=meta.get("mopi_group", 1),
                        captured_on=meta.get("captured_on", date(2024, 1, 1)),
                        **({"created_at": created_at} if created_at else {}),
                        image_sealed=store.cipher.seal(
                            data, context=f"rfr_library_images.image:{image_id}".encode()
                        ),
                    )
                )
                vec = np.asarray(vec, "<f4") / np.linalg.norm(vec)
                s.add(
                    RfrTemplate(
                        id=tid,
                        image_id=image_id,
                        library_id=library_id,
                        algorithm=algo.name,
                        version=version or algo.version,
                        template_sealed=store.cipher.seal(
                            vec.astype("<f4").tobytes(),
                            context=f"rfr_templates.template:{tid}".encode(),
                        ),
                        **({"created_at": created_at} if created_at else {}),
                    )
                )
                ids.append(image_id)
        return ids

    return add


def _png(rgb) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def heads():
    from frt.lfr import synthetic

    return {"astronaut": synthetic.head("astronaut"), "hopper": synthetic.head("grace_hopper")}


def group_rgb(heads, size: int = 260) -> np.ndarray:
    """Both people side by side on a plain wall (a 'group photo')."""
    import cv2

    tiles = []
    for name in ("astronaut", "hopper"):
        img = heads[name]
        f = size / img.shape[0]
        tiles.append(cv2.resize(img, None, fx=f, fy=f, interpolation=cv2.INTER_AREA))
    wall = np.full((size + 80, sum(t.shape[1] for t in tiles) + 120, 3), 180, np.uint8)
    x = 40
    for t in tiles:
        wall[40 : 40 + t.shape[0], x : x + t.shape[1]] = t
        x += t.shape[1] + 40
    return wall


@pytest.fixture(scope="session")
def group_photo(heads) -> bytes:
    return _png(group_rgb(heads))


@pytest.fixture(scope="session")
def astronaut_templates(heads):
    """Templates of the astronaut from three other views (a 'custody image' set)."""
    import cv2

    from frt.engine.detect import get_detector
    from frt.rfr.faces import algorithm

    det, algo = get_detector("thorough"), algorithm()
    views = [
        heads["astronaut"],
        np.ascontiguousarray(heads["astronaut"][:, ::-1]),
        cv2.convertScaleAbs(heads["astronaut"], alpha=1.1, beta=-10),
    ]
    out = []
    for rgb in views:
        faces = det.detect(rgb)
        out.append((algo.embed(rgb, faces[:1])[0].vector, _png(rgb)))
    return out


def distractors(n: int, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 128)).astype(np.float32)
