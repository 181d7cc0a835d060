"""The register of Deployments (GOV-13), work lists and notifications: response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class AlertFigures(BaseModel):
    alerts: int
    true_confirmed: int
    true_unconfirmed: int
    false_confirmed: int
    false_unconfirmed: int


class EngagementFigures(BaseModel):
    engaged: int
    not_engaged: int
    outcomes: dict[str, int]
    not_from_alert: int


class RegisterRow(BaseModel):
    deployment_id: str
    authority: str
    authorising_officer: str
    command_team: list[str]
    date: str
    time: str
    starts_at: datetime
    ends_at: datetime
    duration_hours: float
    locality: str
    state: str
    watchlist: dict
    alerts: AlertFigures | None
    engagements: EngagementFigures | None
    report: str


class WorkItemOut(BaseModel):
    kind: str
    title: str
    object_type: str
    object_id: str
    citation: str
    due_at: datetime | None
    overdue: bool
    note_id: str | None = None
