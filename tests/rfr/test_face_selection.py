"""Faces first, templates only for the chosen (RFR-06; 003 §1.10(3–5), §8.24), in the spirit
of LIVE-03: after a whole search on a group photo of two people — the user picking one — the
database (sealed blobs opened), the data folder and the temporary folder hold templates and face
crops of the chosen person only. And a short clip: faces grouped into tracks, within bounds."""

from __future__ import annotations

import io
import tempfile
import time

import numpy as np
import pytest
from sqlalchemy import select

from frt.core.actions import perform
from frt.core.errors import InputError
from frt.rfr import faces as probe_faces
from frt.rfr import report as match_report
from frt.rfr import results, searches
from frt.rfr.models import RfrMatchReport
from frt.store.base import Base
from tests.lfr.test_live_forgetting_and_purge import _files, template_like
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for

pytestmark = pytest.mark.req("RFR-06")

SEALED = {
    ("rfr_library_images", "image_sealed"): "rfr_library_images.image",
    ("rfr_templates", "template_sealed"): "rfr_templates.template",
    ("rfr_probe_images", "image_sealed"): "rfr_probe_images.image",
    ("rfr_probe_faces", "crop_sealed"): "rfr_probe_faces.crop",
    ("rfr_probe_faces", "template_sealed"): "rfr_probe_faces.template",
}
IMAGE_MAGIC = (b"\x89PNG\r\n", b"\xff\xd8\xff")


@pytest.fixture(scope="module")
def people_templates(heads):
    """(Hopper's templates, the astronaut's): who is who, for the byte search."""
    from frt.engine.detect import get_detector
    from frt.rfr.faces import algorithm

    det, algo = get_detector("thorough"), algorithm()

    def of(rgb):
        return [
            algo.embed(v, det.detect(v)[:1])[0].vector.astype(np.float64)
            for v in (rgb, np.ascontiguousarray(rgb[:, ::-1]))
        ]

    return of(heads["hopper"]), of(heads["astronaut"])


def _shows_hopper(data: bytes, people_templates) -> bool:
    """An image whose face is Hopper's (nearer her templates than the astronaut's)."""
    from frt.engine.detect import get_detector
    from frt.engine.images import decode_image
    from frt.rfr.faces import algorithm

    rgb = np.array(decode_image(data))
    found = get_detector("thorough").detect(rgb)
    hopper, astronaut = people_templates
    for t in algorithm().embed(rgb, found):
        if max(t.vector @ h for h in hopper) > max(t.vector @ a for a in astronaut):
            return True
    return False


def test_after_a_search_only_the_chosen_face_has_a_template_or_a_crop_anywhere(
    store,
    settings,
    people,
    group_photo,
    approved_library,
    add_templates,
    astronaut_templates,
    people_templates,
    tmp_path,
    monkeypatch,
):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    hopper, astronaut = people_templates
    assert template_like(b"xy" + hopper[0].astype("<f4").tobytes(), people_templates)
    lib = approved_library("Custody images", level=1)
    add_templates(
        lib,
        [v for v, _ in astronaut_templates] + list(distractors(5)),
        images=[p for _, p in astronaut_templates] + [astronaut_templates[0][1]] * 5,
    )
    started = time.time()

    sid = search_for(store, people["rfr"], group_photo, [lib])
    with store.session() as s:
        chosen = [f for f in searches.all_faces(s, sid) if f.selected]
        others = [f for f in searches.all_faces(s, sid) if not f.selected]
        assert len(chosen) == 1 and len(others) == 1
        assert chosen[0].crop_sealed is not None and chosen[0].template_sealed is None
        assert others[0].crop_sealed is None and others[0].template_sealed is None
    perform(store, people["rfr"], searches.run_step, sid)
    rows = perform(store, people["rfr"], results.candidate_list, sid)
    perform(store, people["rfr"], results.candidate_image, rows[0].id)
    perform(store, people["rfr"], results.adjudicate, rows[0].id, True, "same person")
    report = perform(store, people["rfr"], results.make_report, rows[0].id)
    with store.session() as s:
        row = s.get(RfrMatchReport, report.id)
        pdf = match_report.pdf(
            match_report.view(s, row), *match_report.images(s, store.cipher, row)
        )
        face = s.get(searches.RfrProbeFace, chosen[0].id)
        assert face.template_sealed is not None  # the chosen face: templated when searched
        assert s.get(searches.RfrProbeFace, others[0].id).template_sealed is None
        found = _search_tables(store, s, people_templates)
    assert found == [], f"data of the face not chosen in the database: {found}"
    assert not template_like(pdf, people_templates), "a template in the Match Report"
    for folder in (settings.data_dir, private_tmp):
        hits = [
            str(p)
            for p in _files(folder, started)
            if template_like(p.read_bytes(), people_templates)
            or any(m in p.read_bytes() for m in IMAGE_MAGIC)
        ]
        assert hits == [], f"templates or images in {folder}: {hits}"


def _search_tables(store, session, people_templates) -> list[str]:
    found = []
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)).mappings():
            for column, value in row.items():
                if not isinstance(value, bytes) or not value:
                    continue
                context = SEALED.get((table.name, column))
                if context:
                    value = store.cipher.open(value, context=f"{context}:{row['id']}".encode())
                if template_like(value, people_templates):
                    found.append(f"{table.name}.{column} (template)")
                is_image = value.startswith(IMAGE_MAGIC)
                if context == "rfr_probe_images.image":
                    continue  # the probe as uploaded: both people, as the user gave it
                if is_image and _shows_hopper(value, people_templates):
                    found.append(f"{table.name}.{column} (image of her face)")
                elif not context and any(m in value for m in IMAGE_MAGIC):
                    found.append(f"{table.name}.{column} (unsealed image)")
    return found


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> bytes:
    from frt.lfr import synthetic

    path = tmp_path_factory.mktemp("clip") / "clip.mp4"
    synthetic.write_video(path, synthetic.scene_frames(30, faces=2, size=(640, 360), stagger=0))
    return path.read_bytes()


def test_a_clips_faces_are_grouped_into_tracks_and_nothing_is_templated(store, people, clip):
    search = perform(store, people["rfr"], searches.create, "CASE/9")
    made = perform(store, people["rfr"], searches.upload, search.id, clip)
    with store.session() as s:
        faces = searches.all_faces(s, search.id)
        images = searches.probe_images(s, search.id)
    assert len({f.track for f in faces}) == 2 and len(faces) == 2
    assert all(f.track_frames > 5 for f in faces)  # followed across the sampled frames
    assert {i.kind for i in images} == {"video_frame"} and len(made) == len(images)
    assert images[0].frames_read == 30
    assert all(f.template_sealed is None and f.crop_sealed is None for f in faces)


def test_a_clip_too_long_or_too_large_is_refused_saying_which_bound(
    store, people, tmp_path, monkeypatch
):
    import cv2

    path = tmp_path / "long.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 2.0, (64, 64))
    for _ in range(130):  # 65 s at 2 fps
        writer.write(np.full((64, 64, 3), 128, np.uint8))
    writer.release()
    search = perform(store, people["rfr"], searches.create, "CASE/10")
    with pytest.raises(InputError, match="at most 60 s; this one lasts 65 s"):
        perform(store, people["rfr"], searches.upload, search.id, path.read_bytes())
    monkeypatch.setattr(probe_faces, "MAX_CLIP_BYTES", 1000)
    with pytest.raises(InputError, match="at most 0 MB"):
        perform(store, people["rfr"], searches.upload, search.id, path.read_bytes())
    with pytest.raises(InputError, match="neither an image nor a video"):
        perform(store, people["rfr"], searches.upload, search.id, b"not media at all" * 10)


def test_a_corrupt_or_oversized_still_is_refused(store, people):
    from PIL import Image

    search = perform(store, people["rfr"], searches.create, "CASE/11")
    with pytest.raises(InputError, match="cannot be used"):
        perform(store, people["rfr"], searches.upload, search.id, b"\x89PNG\r\n\x1a\n" + b"0" * 50)
    buf = io.BytesIO()
    Image.new("L", (6000, 5000)).save(buf, "PNG")  # 30 MP: past the 25 MP bound
    with pytest.raises(InputError, match="25,000,000"):
        perform(store, people["rfr"], searches.upload, search.id, buf.getvalue())
