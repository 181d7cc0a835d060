"""Applications (Form 1 Part 1), their locations and documents, the NPCC consultation and the
AO's decision: the models of `/api/lfr/applications/…` and of the `/lfr/applications/…` forms."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field, create_model

from frt.governance import decisions
from frt.governance.applications import MAX_DOCUMENT_BYTES
from frt.policy.decision_rules import REASON_HEADINGS
from frt.policy.input_rules import ECHR_ARTICLES
from frt.web.limits import MAX_CHOICES
from frt.web.schemas.base import FormInput, _is_text, aware


class ApplicationIn(FormInput):
    """Form 1 Part 1: every field optional; only what is sent is changed (API `PATCH`)."""

    title: str | None = None
    use_case: str | None = None
    deployment_styles: list[str] | None = Field(None, max_length=MAX_CHOICES)
    camera_count: int | None = Field(None, ge=0, le=1000)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    legal_basis: str | None = None
    legitimate_aim: str | None = None
    echr_articles: list[int] | None = Field(None, max_length=len(ECHR_ARTICLES))
    dpa_schedule8_grounds: str | None = None
    necessity: str | None = None
    alternatives_considered: str | None = None
    awareness_measures: str | None = None
    watchlist_criteria: str | None = None
    proposed_categories: list[str] | None = Field(None, max_length=MAX_CHOICES)
    proposed_composition: str | None = None
    proposed_flags: list[str] | None = Field(None, max_length=MAX_CHOICES)
    non_police_images_proposed: bool | None = None
    proposed_threshold: float | None = Field(None, ge=0, le=1)
    resources: str | None = None
    urgent: bool | None = None
    urgency_grounds: str | None = None

    def fields(self) -> dict:
        """What was sent, less the title (`applications.create` takes it apart)."""
        return {k: v for k, v in self.model_dump(exclude_unset=True).items() if k != "title"}

    def as_form(self) -> dict:
        """A page's form sends every field: an unticked box or empty list is a choice too."""
        data = self.model_dump()
        for key in ("deployment_styles", "proposed_categories", "proposed_flags"):
            data[key] = data[key] or []
        for key in ("non_police_images_proposed", "urgent"):
            data[key] = bool(data[key])
        # ECHR Article 8 is always engaged by LFR; the form offers the others.
        data["echr_articles"] = sorted({8, *(data["echr_articles"] or [])})
        for key, field in type(self).model_fields.items():
            if data[key] is None and _is_text(field.annotation):
                data[key] = ""  # an empty text box is empty text
        data["use_case"] = data["use_case"] or None  # a choice, not text
        data["title"] = (data["title"] or "").strip() or None
        if data["title"] is None:
            del data["title"]
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}


class ApplicationOut(BaseModel):
    id: str
    reference: str
    status: str
    missing: list[str]
    locations: list[str]
    documents: dict[str, DocumentSummary]


class DocumentSummary(BaseModel):
    id: str
    version: int
    review_status: str


class LocationIn(FormInput):
    name: str = Field(min_length=1, max_length=200)
    locality: str = Field(min_length=1, max_length=200)
    reason: str
    sensitivities: list[str] = Field([], max_length=MAX_CHOICES)
    mitigations: str = ""


class DocumentIn(FormInput):
    kind: str
    title: str = ""
    text: str = Field("", max_length=MAX_DOCUMENT_BYTES // 4)  # an assessment, not a field


class ReviewIn(FormInput):
    status: str = "reviewed"
    note: str = ""


class ConsultIn(FormInput):
    outcome: str
    notes: str = ""


class TermsIn(FormInput):
    """What an authority fixes (GOV-06). Times default to the Application's."""

    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place_ids: list[str] = Field([], max_length=MAX_CHOICES)
    categories: list[str] = Field([], max_length=MAX_CHOICES)
    min_threshold: float | None = Field(None, ge=0, le=1)
    gold_id: str = ""
    protected_inclusions: list[str] = Field([], max_length=MAX_CHOICES)
    non_police_allowed: bool = False
    non_police_layers: list[str] = Field([], max_length=MAX_CHOICES)
    conditions: str = ""


class DecisionChoice(FormInput):
    outcome: str = Field(description="authorise, reject or amend")
    urgent: bool = False
    verbal: bool = False


class DecisionIn(DecisionChoice):
    """The API's decision: reasons by heading, and the terms when authorising."""

    reasons: dict[str, str] = Field(
        description="text under the seven headings (001 stage 3)",
        max_length=len(REASON_HEADINGS),
    )
    terms: TermsIn | None = None


# The page's decision form: the same choice and terms, and one text field per heading.
# The heading fields are made from the one list of headings, so the type checker sees the class.
if TYPE_CHECKING:

    class DecisionForm(DecisionChoice, TermsIn):
        pass

else:
    DecisionForm = create_model(
        "DecisionForm",
        __base__=(DecisionChoice, TermsIn),
        **{f"reason_{h}": (str, "") for h in REASON_HEADINGS},
    )


def form_reasons(form) -> dict[str, str]:
    return {h: getattr(form, f"reason_{h}") for h in REASON_HEADINGS}


def form_terms(form) -> TermsIn:
    return TermsIn(**{k: getattr(form, k) for k in TermsIn.model_fields})


def domain_terms(app, terms: TermsIn, profile) -> decisions.Terms:
    """The terms as `decisions.decide` takes them: times default to the Application's, and a
    time typed without a zone is the force's local time."""
    from frt.web.timefmt import zone_of

    tz = zone_of(profile)
    return decisions.Terms(
        starts_at=aware(terms.starts_at, tz) or app.starts_at,
        ends_at=aware(terms.ends_at, tz) or app.ends_at,
        place_ids=terms.place_ids,
        categories=terms.categories,
        min_threshold=terms.min_threshold or 0.0,
        gold_id=terms.gold_id,
        protected_inclusions=terms.protected_inclusions,
        non_police_allowed=terms.non_police_allowed,
        non_police_layers=terms.non_police_layers,
        conditions=terms.conditions,
    )
