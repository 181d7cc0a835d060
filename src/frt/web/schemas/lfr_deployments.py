"""Deployments: state, roster, Silver's reviews and interval, and the Watchlist — the models of
`/api/lfr/deployments/…` and `/api/lfr/watchlist-images/…` and of their pages' forms."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from frt.web.schemas.base import FormInput


class StateIn(FormInput):
    state: str
    reason: str = ""


class RosterIn(FormInput):
    user_id: str
    duty: str
    exception_id: str | None = None


class IntervalIn(FormInput):
    hours: float = Field(gt=0, le=24)


class SilverReviewIn(FormInput):
    lawfulness: str
    necessity: str
    proportionality: str
    system_performance: str
    engagements: str
    outcome: str = "continue"


class WatchlistImportIn(FormInput):
    """The fields beside the bundle (and optional key file) of a Watchlist import (WL-05)."""

    intelligence_reconfirmed: bool = False
    replace: bool = False
    exception_id: str | None = None


class ThresholdIn(FormInput):
    threshold: float
    reason: str

    @field_validator("threshold", mode="before")
    @classmethod
    def _between_0_and_1(cls, value):
        try:
            number = float(str(value).strip())
        except ValueError:
            number = None
        if number is None or not 0 < number <= 1:
            raise ValueError("the Threshold is a number between 0 and 1, e.g. 0.72")
        return number


class CategoryCount(BaseModel):
    individuals: int
    images: int


class Composition(BaseModel):
    """WL-07: individuals and images by category, flags and image sources — counts only."""

    individuals: int
    images: int
    by_category: dict[str, CategoryCount]
    flags: dict[str, int]
    non_police: dict[str, int]


class ImageQuality(BaseModel):
    """WL-04, WL-09: one image's quality and Threshold, by position (no references)."""

    entry: int
    image: int
    image_id: str
    category: str
    captured_on: str
    quality: float
    warnings: list[str]
    threshold: float | None
    threshold_reason: str | None
    threshold_raised_at: datetime | None


class WatchlistOut(BaseModel):
    id: str
    composition: Composition
    images: list[ImageQuality]


class ImageThresholdOut(BaseModel):
    id: str
    threshold: float | None
    reason: str | None
