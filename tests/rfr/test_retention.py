"""RFR retention on a clock the tests move (RFR-02, RFR-11; 003 §7.1): each rule deletes on time
and not before, a DPO's hold stops it, and after the job nothing is kept past its deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.actions import perform
from frt.core.errors import InputError
from frt.policy import PolicyRefusal, load_profile
from frt.rfr import cache, enrol, libraries, results, retention, searches
from frt.rfr.models import (
    RfrCandidate,
    RfrLibrary,
    RfrLibraryImage,
    RfrProbeFace,
    RfrProbeImage,
    RfrSearch,
    RfrTemplate,
)
from tests.rfr.clock import Clock
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for

PROFILE = load_profile("mps")
DAY = timedelta(days=1)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def dpo(store, people):
    from frt.audit import Actor
    from frt.people.roles import Role
    from frt.people.service import create_user
    from frt.policy.ranks import Rank
    from tests.rfr.conftest import PASSWORD

    with store.session() as db:
        return create_user(
            db,
            Actor.system("test"),
            username="dpo",
            display_name="Test dpo",
            rank=Rank.STAFF_BAND_B,
            roles={Role.DPO},
            password=PASSWORD,
        ).id


def _purge(store, clock, **later):
    clock.advance(**later)
    return retention.purge(store, now=clock.now, profile=PROFILE)


def _overdue(store, clock):
    with store.session() as s:
        return retention.overdue_in(s, PROFILE, clock.now)


def _probe_held(store, search_id) -> bool:
    with store.session() as s:
        images = s.scalars(select(RfrProbeImage).where(RfrProbeImage.search_id == search_id))
        faces = s.scalars(select(RfrProbeFace).where(RfrProbeFace.search_id == search_id))
        return any(i.image_sealed for i in images) or any(
            f.template_sealed or f.crop_sealed for f in faces
        )


# ---------------------------------------------------------------- libraries (RFR-02)
@pytest.mark.req("RFR-02", "DATA-03")
def test_a_stopped_library_is_deleted_at_the_next_run_with_counts_unless_held(
    store, people, approved_library, add_templates, clock, dpo
):
    lib = approved_library("Op Kestrel", kind="temporary")
    add_templates(lib, distractors(3))
    perform(store, people["supt"], libraries.review, lib, False, "Operation over", now=clock.now)
    hold = perform(
        store, dpo, retention.place_hold, "rfr_library", lib, "complaint_conduct", "IOPC referral"
    )
    assert _purge(store, clock)["libraries"] == 0
    with store.session() as s:
        assert s.get(RfrLibrary, lib).deleted_at is None
    perform(store, dpo, retention.release_hold, hold.id)
    assert _purge(store, clock, minutes=10)["libraries"] == 1
    with store.session() as s:
        assert s.get(RfrLibrary, lib).deleted_at is not None
        images = s.scalars(select(RfrLibraryImage).where(RfrLibraryImage.library_id == lib)).all()
        assert all(i.image_sealed is None and i.age_band is None for i in images)
        assert s.scalars(select(RfrTemplate).where(RfrTemplate.library_id == lib)).all() == []
        record = s.scalar(
            select(AuditRecord).where(AuditRecord.action == "retention.rfr_library.delete")
        )
        assert record.detail["images"] == 3 and record.detail["templates"] == 3
    assert _overdue(store, clock) == []


@pytest.mark.req("RFR-02")
def test_a_library_whose_review_lapsed_goes_31_days_later_and_not_before(
    store, people, approved_library, add_templates, clock
):
    lib = approved_library("Custody images", days=40)
    add_templates(lib, distractors(2))
    with store.session() as s:
        due = s.get(RfrLibrary, lib).review_due
    clock.now = due + timedelta(days=30)
    assert not libraries.searchable(_lib(store, lib), clock.now)  # unsearchable at once
    assert _purge(store, clock)["libraries"] == 0
    assert _overdue(store, clock) == []
    clock.now = due + timedelta(days=31)
    assert _purge(store, clock)["libraries"] == 1
    assert _overdue(store, clock) == []
    with pytest.raises(InputError, match="deleted"):  # a late review cannot revive it
        perform(store, people["sro"], libraries.review, lib, True, "late", clock.now, now=clock.now)


def _lib(store, lib_id):
    with store.session() as s:
        return s.get(RfrLibrary, lib_id)


# ---------------------------------------------------------------- images by age/MOPI (RFR-11)
@pytest.mark.req("RFR-11")
def test_library_images_go_when_their_age_and_mopi_period_ends(
    store, people, approved_library, add_templates, clock, dpo
):
    lib = approved_library("Custody images")
    today = clock.now.date()
    six_years_ago = today.replace(year=today.year - 6) + 2 * DAY
    three_years_ago = today.replace(year=today.year - 3) + 2 * DAY
    adult = add_templates(lib, distractors(1, 1), captured_on=six_years_ago)  # over 18, MOPI 1
    teen = add_templates(
        lib, distractors(1, 2), captured_on=three_years_ago, age_band="16_18", mopi_group=3
    )
    unknown = add_templates(
        lib, distractors(1, 3), captured_on=three_years_ago, age_band=None, mopi_group=None
    )
    held = add_templates(
        lib, distractors(1, 4), captured_on=three_years_ago, age_band="16_18", mopi_group=3
    )
    perform(
        store,
        dpo,
        retention.place_hold,
        "rfr_library_image",
        held[0],
        "dpa_mopi_cpia",
        "CPIA disclosure in R v X",
    )
    clock.advance(days=1)
    assert _purge(store, clock)["images"] == 0  # a day before any period ends
    clock.advance(days=1)
    assert _purge(store, clock)["images"] == 3  # 6 years (adult), 3 (16-18 MOPI 3), 3 (unknown)
    with store.session() as s:
        gone = {
            i.id
            for i in s.scalars(
                select(RfrLibraryImage).where(RfrLibraryImage.deleted_at.is_not(None))
            )
        }
        kept = s.scalars(select(RfrTemplate.image_id).where(RfrTemplate.library_id == lib)).all()
    assert gone == {adult[0], teen[0], unknown[0]} and kept == held
    assert _overdue(store, clock) == []


@pytest.mark.req("RFR-11")
def test_an_unknown_age_or_mopi_group_takes_the_most_cautious_cell():
    from frt.policy.rfr_cache_rules import retention_cell

    assert retention_cell("over_18", 1, PROFILE) == (
        PROFILE.rfr.library_retention_years.value["over_18"]["mopi_1"],
        False,
    )
    cell, cautious = retention_cell(None, None, PROFILE)
    assert (cell.value, cautious) == (3, True) and "16-18, MOPI 3" in cell.cite
    cell, cautious = retention_cell("13_15", None, PROFILE)
    assert (cell.value, cautious) == (10, True)
    for band in PROFILE.rfr.library_retention_years.value.values():
        assert all(c.cite.startswith("003 §7.1(b)(i)") for c in band.values())


@pytest.mark.req("RFR-11")
def test_the_import_refuses_under_13s_and_says_which_images_took_the_cautious_cell(
    store, people, approved_library, astronaut_templates, tmp_path
):
    lib = approved_library("Custody images")
    for n, (_, png) in enumerate(astronaut_templates):
        (tmp_path / f"{n}.png").write_bytes(png)
    (tmp_path / "list.csv").write_text(
        "file,captured_on,age_band,mopi_group\n"
        "0.png,2024-01-01,under_13,1\n"
        "1.png,2024-01-01,,\n"
        "2.png,2024-01-01,over_18,1\n"
    )
    summary = enrol.run_import(store, people["frteam"], lib, tmp_path / "list.csv", workers=1)
    assert summary.reasons["not in scope for RFR Searching"] == 1
    assert (summary.enrolled, summary.cautious) == (2, 1)
    with store.session() as s:
        record = s.scalar(select(AuditRecord).where(AuditRecord.action == "rfr.enrolment.finish"))
        assert record.detail["most_cautious_retention"] == 1


# ---------------------------------------------------------------- probes (RFR-11)
@pytest.fixture
def custody(approved_library, add_templates, astronaut_templates):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, [astronaut_templates[0][0]] + list(distractors(3)))
    return lib


@pytest.mark.req("RFR-11", "DATA-03")
def test_a_probe_goes_31_days_after_the_search_that_gave_a_viable_match(
    store, people, group_photo, custody, clock, dpo
):
    search_id = search_for(store, people["rfr"], group_photo, [custody])
    perform(store, people["rfr"], searches.run_step, search_id, now=clock.now)
    with store.session() as s:
        cand = s.scalar(
            select(RfrCandidate).where(RfrCandidate.search_id == search_id, RfrCandidate.rank == 1)
        )
    perform(store, people["rfr"], results.adjudicate, cand.id, True, "same", now=clock.now)
    start = clock.now
    clock.now = start + timedelta(days=30)
    assert _purge(store, clock)["probes"] == 0 and _probe_held(store, search_id)
    hold = perform(
        store,
        dpo,
        retention.place_hold,
        "rfr_search",
        search_id,
        "dpa_mopi_cpia",
        "Disclosure pending",
        now=clock.now,
    )
    clock.now = start + timedelta(days=31)
    assert _purge(store, clock)["probes"] == 0 and _probe_held(store, search_id)
    assert _overdue(store, clock) == []  # held: not overdue
    perform(store, dpo, retention.release_hold, hold.id, now=clock.now)
    assert len(_overdue(store, clock)) == 1  # past its deadline, no hold: the report lists it
    assert _purge(store, clock)["probes"] == 1 and not _probe_held(store, search_id)
    assert _overdue(store, clock) == []
    with store.session() as s:
        assert s.get(RfrSearch, search_id).case_reference  # the Form 3 stays


@pytest.mark.req("RFR-11", "RFR-10")
def test_no_match_probe_goes_31_days_after_the_last_search_unless_cached(
    store, people, group_photo, approved_library, add_templates, clock
):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, distractors(3))
    kept_id = search_for(store, people["rfr"], group_photo, [lib])
    gone_id = search_for(store, people["rfr"], group_photo, [lib])
    for search_id in (kept_id, gone_id):
        perform(store, people["rfr"], searches.run_step, search_id, now=clock.now)
        perform(store, people["rfr"], searches.record_no_match, search_id, "", now=clock.now)
    entry = perform(
        store, people["rfr"], cache.request, kept_id, ["e_risk_of_harm"], "At large", now=clock.now
    )
    perform(store, people["inspector"], cache.decide, entry.id, True, "ok", now=clock.now)
    start = clock.now
    clock.now = start + timedelta(days=30)
    assert _purge(store, clock)["probes"] == 0
    clock.now = start + timedelta(days=31)
    assert _purge(store, clock)["probes"] == 1
    assert not _probe_held(store, gone_id) and _probe_held(store, kept_id)  # cached: kept
    perform(store, people["rfr"], cache.remove, entry.id, "Identified by a witness", now=clock.now)
    assert _purge(store, clock, minutes=10)["probes"] == 1  # removed: deleted at once
    assert not _probe_held(store, kept_id)
    assert _overdue(store, clock) == []


def test_only_the_dpo_places_a_hold_and_with_a_reason(store, people, custody, dpo):
    with pytest.raises(PolicyRefusal):
        perform(
            store, people["rfr"], retention.place_hold, "rfr_library", custody, "dpa_mopi_cpia", "x"
        )
    with pytest.raises(PolicyRefusal) as bare:
        perform(store, dpo, retention.place_hold, "rfr_library", custody, "dpa_mopi_cpia", " ")
    assert bare.value.decision.rule == "DATA-HOLD-REASON"
