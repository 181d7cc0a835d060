"""WL-01 … WL-07, WL-09: importing a Watchlist bundle for a Deployment, all or nothing."""

import json
from datetime import timedelta

import numpy as np
import pytest
from sqlalchemy import func, select

from frt.audit.models import AuditRecord
from frt.governance import command, watchlists
from frt.governance.bundle import installation_key
from frt.governance.watchlist_models import Watchlist, WatchlistEntry, WatchlistImage
from frt.governance.watchlists import WatchlistImportError
from frt.policy import PolicyRefusal
from tests.governance.conftest import START, entry, make_bundle


@pytest.fixture
def imported(act, people, authority, engine, photos):
    """Import `entries` into a fresh authority's Deployment as the Silver; returns the ids."""

    def _import(*entries, now=None, key=None, **overrides):
        auth_id, dep_id = authority(**overrides)
        with act("silver", **({"now": now} if now else {})) as ctx:
            data = make_bundle(key or installation_key(ctx.cipher), *entries)
            wl = watchlists.import_bundle(
                ctx, dep_id, data, intelligence_reconfirmed=True, engine=engine
            )
            return auth_id, dep_id, wl.id

    return _import


def _count(store, model) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.req("WL-04", "WL-06", "WL-07", "WL-09", "DATA-07")
def test_a_watchlist_is_imported_with_quality_warnings_thresholds_and_segregation(
    act, imported, photos, store
):
    wanted = entry(
        "WANTED-1",
        "wanted_by_courts",
        photos=photos,
        warning_markers=["violence"],
        images=[("hopper", None, ""), ("hopper_mirrored", 0.95, "FAR above 1:1000")],
    )
    suspect = entry("SUSPECT-2", "suspect", photos=photos, images=[("astronaut_dark", None, "")])
    _, dep_id, wl_id = imported(wanted, suspect)
    with act("silver") as ctx:
        stats = watchlists.composition(ctx.session, wl_id)
        assert stats["individuals"] == 2 and stats["images"] == 3
        assert stats["by_category"] == {
            "wanted_by_courts": {"individuals": 1, "images": 2},
            "suspect": {"individuals": 1, "images": 1},
        }
        assert "WANTED" not in json.dumps(stats)  # WL-07: no personal data
        warnings = watchlists.image_warnings(ctx.session, wl_id)
        dark = next(w for w in warnings if w["category"] == "suspect")
        assert (
            any("too dark" in w for w in dark["warnings"]) and dark["captured_on"] == "2025-06-01"
        )
        gallery = watchlists.load_for_recognition(ctx.session, ctx.cipher, dep_id)
    subject = next(s for s in gallery.subjects if s.category == "wanted_by_courts")
    assert subject.reference == "WANTED-1" and subject.warning_markers == ("violence",)
    assert [i.threshold for i in subject.images] == [0.64, 0.95]
    _ids, matrix, _limits = gallery.vectors()
    assert matrix.shape == (3, 128) and np.allclose(np.linalg.norm(matrix, axis=1), 1, atol=1e-4)
    with store.session() as session:
        for row in session.scalars(select(WatchlistEntry)):
            assert b"WANTED" not in row.details_sealed and b"SUSPECT" not in row.details_sealed
        for row in session.scalars(select(WatchlistImage)):
            assert not row.image_sealed.startswith(b"\xff\xd8")  # no JPEG in clear
        audit = session.scalars(
            select(AuditRecord).where(AuditRecord.action == "lfr.watchlist.import")
        ).one()
        assert audit.detail["individuals"] == 2 and "WANTED" not in json.dumps(audit.detail)


@pytest.mark.req("WL-05")
def test_watchlist_imported_25_hours_before_start_is_refused(act, imported, photos, store):
    with pytest.raises(PolicyRefusal) as refusal:
        imported(entry(photos=photos), now=START - timedelta(hours=25))
    assert refusal.value.decision.citation == "000 §6.2(4)"
    assert "no more than 24 hours" in refusal.value.decision.reason
    assert _count(store, Watchlist) == 0


@pytest.mark.req("WL-05")
def test_the_intelligence_case_must_be_reconfirmed_before_each_import(
    act, authority, engine, photos
):
    _, dep_id = authority()
    with act("silver") as ctx, pytest.raises(PolicyRefusal, match="000 §6.2\\(1\\)"):
        watchlists.import_bundle(
            ctx,
            dep_id,
            make_bundle(installation_key(ctx.cipher), entry(photos=photos)),
            intelligence_reconfirmed=False,
            engine=engine,
        )


@pytest.mark.req("WL-01")
def test_category_outside_the_authority_is_refused(imported, photos, store):
    with pytest.raises(PolicyRefusal) as refusal:
        imported(entry("R-1", photos=photos), entry("R-2", "missing_increased_risk", photos=photos))
    assert refusal.value.decision.citation == "000 §6.2"
    assert "entry 2" in refusal.value.decision.reason and "nothing was imported" in str(
        refusal.value
    )
    assert _count(store, WatchlistEntry) == 0


@pytest.mark.req("WL-01")
def test_a_victim_witness_or_associate_needs_a_written_rationale(imported, photos):
    cats = {"categories": ["wanted_by_courts", "victim_witness_associate"]}
    with pytest.raises(PolicyRefusal) as refusal:
        imported(entry("V-1", "victim_witness_associate", photos=photos), **cats)
    assert refusal.value.decision.citation == "000 §6.19"
    imported(
        entry(
            "V-1",
            "victim_witness_associate",
            photos=photos,
            rationale="Witness to a knife attack; other means failed",
        ),
        **cats,
    )


@pytest.mark.req("WL-02")
def test_a_non_police_image_the_authority_does_not_allow_is_refused(imported, photos):
    layer_a = entry("N-1", photos=photos, image_source="non_police", image_layer="A")
    with pytest.raises(PolicyRefusal) as refusal:
        imported(layer_a)
    assert refusal.value.decision.citation == "000 §6.12"
    with pytest.raises(PolicyRefusal, match="Layer C"):
        imported(
            entry("N-2", photos=photos, image_source="non_police", image_layer="C"),
            non_police_allowed=True,
            non_police_layers=["A"],
        )
    imported(layer_a, non_police_allowed=True, non_police_layers=["A"])


@pytest.mark.req("WL-03")
def test_under_13_entry_without_advice_is_refused(imported, photos):
    child = entry("C-1", "missing_increased_risk", photos=photos, flags=["under_13", "under_18"])
    cats = {"categories": ["missing_increased_risk"]}
    with pytest.raises(PolicyRefusal) as refusal:
        imported(child, **cats)
    assert refusal.value.decision.citation == "000 §6.7"
    assert "legal advice and technical advice" in refusal.value.decision.reason
    # With the advice recorded but no AO decision to include under-13s: still refused.
    advice = {"extra_documents": ["legal_advice", "technical_advice"]}
    with pytest.raises(PolicyRefusal, match="not recorded a decision.*under 13"):
        imported(child, protected_inclusions=["under_18"], **advice, **cats)
    _, _, _wl_id = imported(child, protected_inclusions=["under_13", "under_18"], **advice, **cats)


@pytest.mark.req("WL-09")
def test_a_per_image_threshold_is_only_ever_raised_with_a_reason(act, people, imported, photos):
    with pytest.raises(PolicyRefusal, match="never lowered"):
        imported(entry(photos=photos, images=[("hopper", 0.5, "lower it")]))
    with pytest.raises(PolicyRefusal, match="needs its reason"):
        imported(entry(photos=photos, images=[("hopper", 0.9, "")]))
    _, dep_id, wl_id = imported(entry(photos=photos, images=[("hopper", None, "")]))
    with act("bronze") as ctx:
        command.roster(ctx, dep_id, people["operator"], "lfr_operator")
    with act("operator") as ctx:
        image_id = watchlists.image_warnings(ctx.session, wl_id)[0]["image_id"]
        watchlists.raise_image_threshold(ctx, image_id, 0.97, "Operator saw two false alerts")
        gallery = watchlists.load_for_recognition(ctx.session, ctx.cipher, dep_id)
    assert gallery.subjects[0].images[0].threshold == 0.97


# ------------------------------------------------------------------ bad input: nothing half-imported
def _refused_cleanly(store, exc_info, text):
    assert text in str(exc_info.value)
    assert _count(store, Watchlist) == _count(store, WatchlistEntry) == 0


@pytest.mark.req("WL-05", "DATA-07")
def test_a_tampered_bundle_is_refused(act, authority, engine, photos, store):
    _, dep_id = authority()
    with act("silver") as ctx:
        data = bytearray(make_bundle(installation_key(ctx.cipher), entry(photos=photos)))
    data[len(data) // 2] ^= 0x01
    with pytest.raises(WatchlistImportError) as err, act("silver") as ctx:
        watchlists.import_bundle(
            ctx, dep_id, bytes(data), intelligence_reconfirmed=True, engine=engine
        )
    _refused_cleanly(store, err, "failed authentication")


@pytest.mark.req("WL-05", "DATA-07")
def test_a_bundle_for_another_key_is_refused(act, authority, engine, photos, store):
    _, dep_id = authority()
    data = make_bundle(b"k" * 32, entry(photos=photos))
    with pytest.raises(WatchlistImportError) as err, act("silver") as ctx:
        watchlists.import_bundle(ctx, dep_id, data, intelligence_reconfirmed=True, engine=engine)
    _refused_cleanly(store, err, "sealed for key")


@pytest.mark.req("WL-04")
@pytest.mark.parametrize(
    "photo, message", [("not_an_image", "not an image"), ("truncated", "truncated or corrupt")]
)
def test_a_bundle_with_a_non_image_or_a_corrupt_image_imports_nothing(
    imported, photos, store, photo, message
):
    good = entry("G-1", photos=photos)
    bad = entry("B-2", photos=photos, images=[("hopper", None, ""), (photo, None, "")])
    with pytest.raises(WatchlistImportError) as err:
        imported(good, bad)
    _refused_cleanly(store, err, message)
    assert "entry 2, image 2" in str(err.value)


@pytest.mark.req("WL-04")
def test_an_oversized_upload_is_refused_before_decryption(act, authority, engine, photos, store):
    _, dep_id = authority()
    with act("silver") as ctx:
        data = make_bundle(installation_key(ctx.cipher), entry(photos=photos))
        with pytest.raises(WatchlistImportError) as err:
            watchlists.import_bundle(
                ctx,
                dep_id,
                data,
                intelligence_reconfirmed=True,
                engine=engine,
                max_bytes=len(data) - 1,
            )
    _refused_cleanly(store, err, "the limit is")


@pytest.mark.req("WL-05")
def test_only_the_command_team_or_a_rostered_engineer_imports(act, authority, engine, photos):
    _, dep_id = authority()
    with act("engineer") as ctx, pytest.raises(PolicyRefusal, match="rostered System Engineer"):
        watchlists.import_bundle(ctx, dep_id, b"", intelligence_reconfirmed=True, engine=engine)
