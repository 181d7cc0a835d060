"""Decisions outside policy (GOV-16): the models of `/api/lfr/exceptions` and its pages."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from frt.governance import outside_policy
from frt.web.schemas.base import FormInput


class ExceptionIn(FormInput):
    action: str = Field(description="roster or watchlist_import")
    deployment_id: str
    user_id: str | None = None
    duty: str | None = None
    rationale: str
    legal_advice: str = ""

    def scope(self) -> outside_policy.Scope:
        return outside_policy.Scope(
            self.action, self.deployment_id, self.user_id or None, self.duty or None
        )


class ExceptionReviewIn(FormInput):
    outcome: str = Field(description="endorsed or disagreed")
    reasons: str = ""


class ExceptionOut(BaseModel):
    id: str
    action: str
    deployment_id: str
    user_id: str | None
    duty: str | None
    rule: str
    refused_reason: str
    decided_by: str
    decided_at: datetime
    used: bool
    sro_outcome: str | None
    sro_reviewed_at: datetime | None

    @classmethod
    def of(cls, exc) -> ExceptionOut:
        scope = outside_policy.Scope.of(exc)
        return cls(
            id=exc.id,
            action=scope.action,
            deployment_id=scope.deployment_id,
            user_id=scope.user_id,
            duty=scope.duty,
            rule=exc.rule,
            refused_reason=exc.refused_reason,
            decided_by=exc.decided_by,
            decided_at=exc.decided_at,
            used=exc.used,
            sro_outcome=exc.sro_outcome,
            sro_reviewed_at=exc.sro_reviewed_at,
        )
