"""Authorities after the decision: the Superintendent's review, the command team, overt use and
loss reports — the models of `/api/lfr/authorities/…` and of the `/lfr/authorities/…` forms."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, create_model

from frt.policy.decision_rules import REASON_HEADINGS
from frt.web.schemas.base import FormInput


class UrgentReviewIn(FormInput):
    outcome: str
    note: str
    new_ends_at: datetime | None = None
    new_gold_id: str | None = None


class AppointIn(FormInput):
    role: str
    user_id: str


class OvertIn(FormInput):
    notice_published: bool = False
    notice_channels: str = ""
    exception_reasons: str = ""
    signage: bool = False
    leaflets: bool = False
    notes: str = ""
    contact_point: str = ""


class LossIn(FormInput):
    item: str
    circumstances: str
    occurred_at: datetime | None = None  # the page's default: now
    encrypted: bool = False


class DeploymentSummary(BaseModel):
    id: str
    state: str
    starts_at: datetime
    ends_at: datetime


class Appointment(BaseModel):
    role: str
    user_id: str


class AuthorityOut(BaseModel):
    id: str
    reference: str
    status: str
    starts_at: datetime
    ends_at: datetime
    categories: list[str]
    min_threshold: float
    gold_id: str
    awaiting_urgent_review: bool
    awaiting_written_record: bool
    deployments: list[DeploymentSummary]
    command_team: list[Appointment]


class ReportIn(FormInput):
    """Gold's evaluation in the cancellation report; `submit` sends it to the AO."""

    evaluation: str
    safeguards: str = ""
    learning: str = ""
    submit: bool = False


class ReportOut(BaseModel):
    id: str
    status: str
    due_at: datetime
    metrics: dict[str, dict]


# A further purpose needs a further authority, with reasons under the seven headings (000 §4.8).
# The heading fields are made from the one list of headings, so the type checker sees the class.
if TYPE_CHECKING:

    class FurtherPurposeForm(FormInput):
        purpose: str

else:
    FurtherPurposeForm = create_model(
        "FurtherPurposeForm",
        __base__=FormInput,
        purpose=(str, ...),
        **{f"reason_{h}": (str, "") for h in REASON_HEADINGS},
    )
