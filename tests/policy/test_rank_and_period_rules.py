"""GOV-04 who may authorise, GOV-07 authority period and series limits, under both profiles."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from frt.policy import Rank, load_profile
from frt.policy.rules import (
    authority_period,
    in_date_training,
    may_authorise,
    may_be_consulted_as_npcc,
    series_period,
)

MPS, CUMBRIA = load_profile("mps"), load_profile("cumbria")
START = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.req("GOV-04")
def test_superintendent_may_authorise_without_urgency():
    assert may_authorise(MPS, Rank.SUPERINTENDENT, urgent=False).allowed


@pytest.mark.req("GOV-04")
def test_inspector_cannot_authorise_outside_urgency():
    decision = may_authorise(MPS, Rank.INSPECTOR, urgent=False)
    assert not decision.allowed and decision.citation == "000 §4.5"
    assert "only in urgency" in decision.reason


@pytest.mark.req("GOV-04")
def test_inspector_may_authorise_in_urgency_and_must_inform_a_superintendent():
    decision = may_authorise(MPS, Rank.CHIEF_INSPECTOR, urgent=True)
    assert decision.allowed and decision.citation == "000 §4.11"


@pytest.mark.req("GOV-04")
@pytest.mark.parametrize("urgent", [False, True])
def test_a_sergeant_never_can(urgent):
    decision = may_authorise(MPS, Rank.SERGEANT, urgent=urgent)
    assert not decision.allowed and "never" in decision.reason


@pytest.mark.req("GOV-04")
def test_cumbria_allows_no_authority_below_superintendent_even_in_urgency():
    decision = may_authorise(CUMBRIA, Rank.INSPECTOR, urgent=True)
    assert not decision.allowed and decision.citation == "004 §6.1"


@pytest.mark.req("GOV-04")
def test_police_staff_never_satisfy_a_rank_test():
    assert not may_authorise(MPS, Rank.STAFF_SENIOR, urgent=True).allowed


@pytest.mark.req("GOV-03")
def test_npcc_rank_is_commander_or_above():
    assert may_be_consulted_as_npcc(Rank.COMMANDER).allowed
    assert not may_be_consulted_as_npcc(Rank.CHIEF_SUPERINTENDENT).allowed


@pytest.mark.req("GOV-04")
@given(
    rank=st.sampled_from(list(Rank)), urgent=st.booleans(), profile=st.sampled_from([MPS, CUMBRIA])
)
def test_authority_needs_superintendent_or_urgency_and_inspector(rank, urgent, profile):
    allowed = may_authorise(profile, rank, urgent=urgent).allowed
    urgent_min = profile.authority.urgent_authoriser_min_rank.value
    expected = rank.at_least(Rank.SUPERINTENDENT) or (
        urgent and urgent_min is not None and rank.at_least(urgent_min)
    )
    assert allowed == expected


@pytest.mark.req("GOV-07")
@pytest.mark.parametrize(
    "profile,days,allowed",
    [
        (MPS, 31, True),
        (MPS, 32, False),
        (CUMBRIA, 7, True),
        (CUMBRIA, 8, False),
    ],
)
def test_authority_period_limit_per_profile(profile, days, allowed):
    decision = authority_period(profile, START, START + timedelta(days=days))
    assert decision.allowed == allowed
    if not allowed:
        assert "new application" in decision.reason
        assert decision.citation == profile.authority.max_period_days.cite


@pytest.mark.req("GOV-07")
@given(
    profile=st.sampled_from([MPS, CUMBRIA]),
    seconds=st.integers(min_value=1, max_value=60 * 86400),
)
def test_authority_period_allowed_exactly_up_to_the_limit(profile, seconds):
    decision = authority_period(profile, START, START + timedelta(seconds=seconds))
    assert decision.allowed == (seconds <= profile.authority.max_period_days.value * 86400)


@pytest.mark.req("GOV-07")
def test_an_authority_that_ends_before_it_starts_is_refused():
    assert not authority_period(MPS, START, START - timedelta(hours=1)).allowed


@pytest.mark.req("GOV-07")
@given(
    profile=st.sampled_from([MPS, CUMBRIA]),
    offsets=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=10),
)
def test_a_series_may_not_run_beyond_the_series_limit(profile, offsets):
    days = [date(2026, 12, 1) + timedelta(days=o) for o in offsets]
    span = max(offsets) - min(offsets) + 1
    assert series_period(profile, days).allowed == (span <= profile.authority.series_max_days.value)


@pytest.mark.req("GOV-10")
def test_training_must_be_held_and_in_date_to_be_rostered():
    today = date(2026, 12, 1)
    held = {"lfr": date(2027, 1, 1), "officer_safety": date(2026, 11, 30)}
    decision = in_date_training(MPS, "lfr_operator", held, today)
    assert not decision.allowed and "expired officer safety" in decision.reason
    held["officer_safety"] = date(2027, 6, 1)
    assert in_date_training(MPS, "lfr_operator", held, today).allowed
    decision = in_date_training(MPS, "engagement_officer", held, today)
    assert not decision.allowed and "missing emergency life support" in decision.reason
