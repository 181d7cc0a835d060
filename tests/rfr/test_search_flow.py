"""The progressive search, candidates, Adjudication, the Match Report and dissemination
(RFR-07, RFR-08, RFR-09; 003 §5.16, §8.25–8.29)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.actions import perform
from frt.policy import PolicyRefusal
from frt.rfr import report as match_report
from frt.rfr import results, searches
from frt.rfr.models import RfrCandidate, RfrMatchReport, RfrSearch
from tests.rfr.conftest import distractors
from tests.rfr.helpers import search_for


@pytest.fixture
def two_levels(approved_library, add_templates, astronaut_templates):
    """Custody images (level 1) without her; a public-appeal library (level 3) with her."""
    custody = approved_library("Custody images", level=1)
    add_templates(custody, distractors(20))
    appeal = approved_library("Public appeal images", level=3)
    vectors = [v for v, _ in astronaut_templates[:2]] + list(distractors(10, seed=9))
    images = [png for _, png in astronaut_templates[:2]] + [None] * 10
    ids = add_templates(appeal, vectors, images=[i or astronaut_templates[2][1] for i in images])
    return custody, appeal, ids[:2]


@pytest.mark.req("RFR-07")
def test_libraries_are_searched_from_the_lowest_level_up_one_level_at_a_time(
    store, people, group_photo, two_levels
):
    custody, appeal, _ = two_levels
    sid = search_for(store, people["rfr"], group_photo, [appeal, custody])
    first = perform(store, people["rfr"], searches.run_step, sid)
    assert (first.levels, first.library_ids) == ([1], [custody])
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, people["rfr"], searches.run_step, sid)
    assert refused.value.decision.rule == "RFR-PROGRESSIVE"
    assert "no Viable Match" in refused.value.decision.reason
    perform(store, people["rfr"], searches.record_no_match, sid, "None of the 20 is her")
    second = perform(store, people["rfr"], searches.run_step, sid)
    assert (second.levels, second.library_ids) == ([3], [appeal])
    with store.session() as s:
        steps = searches.steps_of(s, sid)
        assert [(st.number, st.outcome) for st in steps] == [(1, "no_viable_match"), (2, "pending")]
        records = list(
            s.scalars(
                select(AuditRecord).where(
                    AuditRecord.action == "rfr.search.run", AuditRecord.outcome == "ok"
                )
            )
        )
    assert [r.detail["levels"] for r in records] == [[1], [3]]


@pytest.mark.req("RFR-08", "RFR-09")
def test_candidates_adjudication_match_report_and_dissemination(
    store, people, group_photo, two_levels
):
    custody, appeal, hers = two_levels
    sid = search_for(store, people["rfr"], group_photo, [custody, appeal])
    perform(store, people["rfr"], searches.run_step, sid)
    perform(store, people["rfr"], searches.record_no_match, sid, "not in custody images")
    perform(store, people["rfr"], searches.run_step, sid)
    rows = perform(store, people["rfr"], results.candidate_list, sid)
    step2 = [r for r in rows if r.step == 2]
    assert [r.rank for r in step2] == list(range(1, 13))  # all 12: fewer than the list's 50
    assert step2[0].image_id in hers and step2[0].score > 0.9
    assert step2[0].score >= step2[1].score >= step2[-1].score
    # only the searcher (and approver) sees them
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, people["rfr2"], results.candidate_list, sid)
    assert refused.value.decision.rule == "ACCESS-OBJECT"
    image = perform(store, people["rfr"], results.candidate_image, step2[0].id)
    assert image.startswith(b"\x89PNG")
    with pytest.raises(PolicyRefusal):
        perform(store, people["rfr"], results.make_report, step2[0].id)  # not adjudicated yet
    perform(store, people["rfr"], results.adjudicate, step2[3].id, False, "different jaw line")
    perform(store, people["rfr"], results.adjudicate, step2[0].id, True, "same features, scar")
    with store.session() as s:
        search = s.get(RfrSearch, sid)
        assert (search.status, search.outcome) == ("completed", "viable_match")
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, people["rfr"], searches.run_step, sid)
    assert refused.value.decision.rule == "RFR-PROGRESSIVE"

    report = perform(store, people["rfr"], results.make_report, step2[0].id)
    with store.session() as s:
        row = s.get(RfrMatchReport, report.id)
        view = match_report.view(s, row)
        probe, candidate = match_report.images(s, store.cipher, row)
    caveat = store_caveat()
    assert view.caveat == caveat and view.case_reference == "CASE/123/24"
    data = match_report.pdf(view, probe, candidate)
    text = _pdf_text(data)
    assert report.reference in text and "CASE/123/24" in text and "Test rfr" in text
    assert _squash(caveat) in _squash(text)  # verbatim, whatever the line breaks

    with pytest.raises(PolicyRefusal) as refused:
        perform(
            store,
            people["rfr"],
            results.disseminate,
            report.id,
            "DC Jones, CID",
            "DPA 2018 s.35",
            ["match_report"],
            False,
        )
    assert refused.value.decision.rule == "RFR-DISSEMINATION-CAVEAT"
    with pytest.raises(PolicyRefusal) as refused:
        perform(
            store,
            people["rfr"],
            results.disseminate,
            report.id,
            "Another force",
            "DPA 2018 s.35",
            ["match_report"],
            True,
            outside_force=True,
        )
    assert refused.value.decision.rule == "RFR-DISSEMINATION-SAFEGUARDS"
    shared = perform(
        store,
        people["rfr"],
        results.disseminate,
        report.id,
        "DC Jones, CID",
        "DPA 2018 s.35",
        ["match_report", "candidate_image"],
        True,
    )
    with store.session() as s:
        [row] = results.disseminations_of(s, sid)
        assert (row.id, row.recipient, row.shared, row.caveat_attached) == (
            shared.id,
            "DC Jones, CID",
            ["candidate_image", "match_report"],
            True,
        )
        views = list(
            s.scalars(select(AuditRecord).where(AuditRecord.action == "rfr.candidate.image_view"))
        )
        assert [(v.outcome, v.detail.get("read")) for v in views] == [("ok", True)]


def store_caveat() -> str:
    from frt.policy import load_profile

    return load_profile("mps").rfr.match_report_caveat.value


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _squash(text: str) -> str:
    return "".join(text.split())


@pytest.mark.req("RFR-08")
def test_the_candidate_list_is_as_long_as_the_profile_says(
    store, people, group_photo, approved_library, add_templates
):
    big = approved_library("Custody images", level=1)
    add_templates(big, distractors(70))
    sid = search_for(store, people["rfr"], group_photo, [big])
    step = perform(store, people["rfr"], searches.run_step, sid)
    assert step.candidates == 50 and step.templates_searched == 70
    with store.session() as s:
        ranks = sorted(c.rank for c in s.scalars(select(RfrCandidate)))
    assert ranks == list(range(1, 51))


@pytest.mark.req("RFR-03")
def test_a_library_answers_only_with_templates_of_the_version_searched(
    store, people, group_photo, approved_library, add_templates, astronaut_templates
):
    lib = approved_library("Custody images", level=1)
    add_templates(lib, [astronaut_templates[0][0]], version="0-old")
    add_templates(lib, distractors(4))
    sid = search_for(store, people["rfr"], group_photo, [lib])
    step = perform(store, people["rfr"], searches.run_step, sid)
    assert step.templates_searched == 4 and step.candidates == 4
