"""A search request as a test needs it: created, probe uploaded, face chosen, Form 3 filled."""

from __future__ import annotations

from frt.core.actions import perform
from frt.rfr import searches

FORM3 = dict(
    purposes=["a_identify"],
    grounds=["b_offence_or_investigation"],
    subject_status="suspect",
    probe_level=2,
    source="CCTV from the shop (test)",
    legal_basis="Seized under PACE s.19 (test)",
    pre_checks=["local_enquiries"],
    necessity="The only lead to the suspect (test)",
    proportionality="Custody images only; no less intrusive means (test)",
    age_band="adult",
    offence="robbery",
)


def faces_by_side(store, search_id: str) -> dict[str, str]:
    """{'astronaut': face id, 'hopper': face id}: the astronaut is on the left."""
    with store.session() as s:
        faces = searches.all_faces(s, search_id)
    assert len(faces) == 2, f"expected two faces, found {len(faces)}"
    left, right = sorted(faces, key=lambda f: f.x0)
    return {"astronaut": left.id, "hopper": right.id}


def search_for(
    store,
    user_id: str,
    photo: bytes,
    library_ids: list[str],
    *,
    choose: tuple[str, ...] = ("astronaut",),
    submit: bool = True,
    **form,
) -> str:
    search = perform(store, user_id, searches.create, "CASE/123/24")
    perform(store, user_id, searches.upload, search.id, photo)
    ids = faces_by_side(store, search.id)
    if choose:
        perform(store, user_id, searches.select_faces, search.id, [ids[c] for c in choose])
    fields = dict(FORM3, library_ids=library_ids)
    fields.update(form)
    perform(store, user_id, searches.fill, search.id, **fields)
    if submit:
        perform(store, user_id, searches.submit, search.id)
    return search.id
