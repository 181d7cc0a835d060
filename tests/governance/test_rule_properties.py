"""Property tests (hypothesis) for the date and rank rules of the governance path, both profiles."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frt.policy import Rank
from frt.policy.lfr_rules import (
    command_rank,
    image_threshold_raise,
    import_window,
    minimum_threshold,
    report_overdue,
    silver_review_due,
)
from frt.policy.rules import authority_period, may_authorise
from frt.policy.vocabulary import CommandRole, values
from tests.governance.conftest import CUMBRIA, MPS

profiles = st.sampled_from([MPS, CUMBRIA])
ranks = st.sampled_from(list(Rank))
moments = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)
hours = st.floats(min_value=-2000, max_value=2000, allow_nan=False)
OFFICERS = [r for r in Rank if r.is_officer]


@pytest.mark.req("WL-05")
@given(profiles, moments, st.floats(0.1, 500), hours)
def test_import_is_allowed_exactly_inside_the_window(profile, start, length, offset):
    end, now = start + timedelta(hours=length), start + timedelta(hours=offset)
    window = timedelta(hours=profile.watchlist.import_window_hours.value)
    decision = import_window(profile, start, end, now)
    assert decision.allowed == (start - window <= now < end)
    # too early: the import window; after the end: nothing runs outside the authorised times
    assert decision.citation == ("000 §5.1" if now >= end else "000 §6.2(4)")


@pytest.mark.req("GOV-07")
@given(profiles, moments, st.floats(-5, 60))
def test_an_authority_is_allowed_exactly_up_to_the_profile_period(profile, start, days):
    end = start + timedelta(days=days)
    decision = authority_period(profile, start, end)
    limit = profile.authority.max_period_days.value
    assert decision.allowed == (timedelta(0) < end - start <= timedelta(days=limit))


@pytest.mark.req("GOV-12")
@given(profiles, moments, hours)
def test_a_report_is_overdue_exactly_after_the_profile_days(profile, ended, offset):
    now = ended + timedelta(days=31) + timedelta(hours=offset)
    decision = report_overdue(profile, ended, now)
    due = ended + timedelta(days=profile.reporting.cancellation_report_due_days.value)
    assert decision.allowed == (now <= due)


@pytest.mark.req("GOV-09")
@given(moments, st.floats(0.25, 24), hours)
def test_a_silver_review_falls_due_exactly_at_the_interval(last, interval, offset):
    now = last + timedelta(hours=offset)
    assert silver_review_due(last, interval, now) == (now >= last + timedelta(hours=interval))


@pytest.mark.req("GOV-09")
@given(profiles, st.sampled_from(values(CommandRole)), ranks, st.booleans())
def test_command_rank_rules_follow_the_rank_order(profile, role, rank, urgent):
    decision = command_rank(profile, role, rank, urgent=urgent)
    if not rank.is_officer:
        assert not decision.allowed  # police staff never hold a command role
    # Monotone: every higher rank is allowed too.
    if decision.allowed:
        higher = OFFICERS[OFFICERS.index(rank) :]
        assert all(command_rank(profile, role, r, urgent=urgent).allowed for r in higher)
    if role == "gold" and not urgent:
        assert decision.allowed == rank.at_least(Rank.SUPERINTENDENT)
    if role == "silver":
        assert decision.allowed == rank.at_least(Rank.INSPECTOR)
    if role in ("bronze", "bronze_community"):
        assert decision.allowed == rank.at_least(Rank.SERGEANT)


@pytest.mark.req("GOV-04")
@settings(max_examples=200)
@given(profiles, ranks, st.booleans())
def test_authorising_rank_rules_under_both_profiles(profile, rank, urgent):
    decision = may_authorise(profile, rank, urgent=urgent)
    if rank.at_least(Rank.SUPERINTENDENT):
        assert decision.allowed
    elif profile is CUMBRIA or not rank.at_least(Rank.INSPECTOR) or not urgent:
        assert not decision.allowed and decision.citation[:3] in ("000", "004")
    else:
        assert decision.allowed and decision.citation == "000 §4.11"


@pytest.mark.req("WL-09", "GOV-06")
@given(profiles, st.floats(0.01, 1), st.floats(-1, 2))
def test_thresholds_are_raised_never_lowered(profile, minimum, raised):
    assert image_threshold_raise(minimum, raised, "reason").allowed == (minimum < raised <= 1)
    floor = profile.threshold.minimum.value or 0
    assert minimum_threshold(profile, minimum).allowed == (minimum >= floor)
