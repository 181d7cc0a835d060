"""GOV-01 Application (Form 1 Part 1) and GOV-02 assessments as versioned documents."""

import pytest
from sqlalchemy import select

from frt.audit.models import AuditRecord
from frt.core.errors import InputError
from frt.governance import applications
from frt.governance.models import Application, Document
from frt.policy import PolicyRefusal
from tests.governance.conftest import CUMBRIA, MPS, draft


@pytest.mark.req("GOV-01")
def test_an_application_records_every_form_1_field_and_locations_with_reasons(act):
    with act("applicant") as ctx:
        app = draft(ctx)
        applications.add_location(
            ctx,
            app.id,
            name="Mosque Road",
            locality="Mosque Road",
            reason="Subjects seen here",
            sensitivities=["place_of_worship"],
            mitigations="Cameras face away from the entrance; prayer times avoided",
        )
        applications.submit(ctx, app.id)
    with act("applicant") as ctx:
        app = ctx.get(Application, app.id)
        assert app.status == "submitted" and app.reference.startswith("LFR-2026-")
        assert app.echr_articles == [8, 11] and app.use_case == "intelligence"
        assert [loc.sensitivities for loc in app.locations] == [[], ["place_of_worship"]]


@pytest.mark.req("GOV-01")
def test_a_sensitive_location_needs_its_mitigations(act):
    with pytest.raises(InputError, match="mitigations"), act("applicant") as ctx:
        app = draft(ctx)
        applications.add_location(
            ctx,
            app.id,
            name="School Lane",
            locality="School Lane",
            reason="r",
            sensitivities=["school_or_children"],
        )


@pytest.mark.req("GOV-01")
def test_article_8_is_always_engaged(act):
    with pytest.raises(InputError, match="Article 8"), act("applicant") as ctx:
        draft(ctx, echr_articles=[10])


@pytest.mark.req("GOV-01", "GOV-02")
def test_submission_with_a_missing_assessment_is_refused_listing_it_by_name(act, store):
    with act("applicant") as ctx:
        app = draft(ctx, documents=False, resources="")
        for kind in ("intelligence_case", "dpia", "eia", "cia", "scc_self_assessment"):
            applications.attach_document(ctx, app.id, kind, title=kind, text="x")
        app_id = app.id
    with pytest.raises(PolicyRefusal) as refusal, act("applicant") as ctx:
        applications.submit(ctx, app_id)
    reason = refusal.value.decision.reason
    assert "Operational Risk Assessment" in reason and "resources" in reason
    assert "Data Protection Impact Assessment" not in reason
    assert refusal.value.decision.citation == MPS.governance.required_documents.cite
    with store.session() as session:
        refused = session.scalars(select(AuditRecord).where(AuditRecord.outcome == "refused")).all()
        assert refused[-1].detail["rule"] == "GOV-APPLICATION-COMPLETE"
        assert refused[-1].detail["citation"] == MPS.governance.required_documents.cite


@pytest.mark.req("GOV-02")
def test_cumbria_requires_its_own_four_assessments(act):
    with act("applicant", profile=CUMBRIA) as ctx:
        app = draft(ctx, profile=CUMBRIA)
        assert applications.missing_items(ctx, app) == []
        applications.submit(ctx, app.id)


@pytest.mark.req("GOV-02")
def test_documents_are_versioned_sealed_at_rest_and_reviewed(act, store):
    with act("applicant") as ctx:
        app = draft(ctx)
        doc = applications.attach_document(
            ctx,
            app.id,
            "dpia",
            title="DPIA v2",
            data=b"%PDF-1.4 the DPIA",
            filename="dpia.pdf",
            content_type="application/pdf",
        )
        assert doc.version == 2
        assert b"the DPIA" not in doc.body_sealed
        assert applications.read_document(ctx, doc.id) == b"%PDF-1.4 the DPIA"
        doc_id = doc.id
    with act("ao") as ctx:
        applications.review_document(ctx, doc_id, "reviewed", "adopted")
    with store.session() as session:
        assert session.get(Document, doc_id).review_status == "reviewed"


@pytest.mark.req("GOV-02")
def test_an_empty_or_oversized_document_is_refused(act, monkeypatch):
    monkeypatch.setattr(applications, "MAX_DOCUMENT_BYTES", 10)
    with act("applicant") as ctx:
        app = draft(ctx, documents=False)
        with pytest.raises(InputError, match="limit"):
            applications.attach_document(ctx, app.id, "dpia", title="t", data=b"x" * 11)
        with pytest.raises(InputError, match="empty"):
            applications.attach_document(ctx, app.id, "dpia", title="t", text="  ")


@pytest.mark.req("GOV-01")
def test_only_applicants_draft_applications(act):
    with pytest.raises(PolicyRefusal, match="000 §12.1"), act("operator") as ctx:
        applications.create(ctx, "x")
