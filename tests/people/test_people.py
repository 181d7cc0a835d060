"""DATA-05 and GOV-10: users, ranks, roles, logins, disabling, training records."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from frt.audit import Actor
from frt.audit.models import AuditRecord
from frt.people.roles import Role, TrainingKind
from frt.people.service import (
    MAX_FAILED_LOGINS,
    LoginFailed,
    PeopleError,
    add_training,
    create_user,
    ensure_first_admin,
    login,
    set_disabled,
)
from frt.policy import Rank, load_profile
from frt.policy.rules import in_date_training

ADMIN = Actor("u-admin", "administrator")
PASSWORD = "correct horse battery"


def _user(s, username="pc.jones", roles=frozenset({Role.LFR_OPERATOR})):
    return create_user(
        s,
        ADMIN,
        username=username,
        display_name="PC Jones",
        rank=Rank.POLICE_CONSTABLE,
        roles=set(roles),
        password=PASSWORD,
    )


@pytest.mark.req("DATA-05")
def test_wrong_password_and_unknown_user_get_the_same_answer(store):
    with store.session() as s:
        _user(s)
    answers = []
    for username, password in [("pc.jones", "wrong password!!"), ("nobody", PASSWORD)]:
        with pytest.raises(LoginFailed) as err:
            login(store, username, password)
        answers.append(str(err.value))
    assert answers[0] == answers[1]


@pytest.mark.req("DATA-05")
def test_a_disabled_user_cannot_log_in(store):
    with store.session() as s:
        _user(s)
        set_disabled(s, ADMIN, "pc.jones", True)
    with pytest.raises(LoginFailed):
        login(store, "pc.jones", PASSWORD)
    with store.session() as s:
        set_disabled(s, ADMIN, "pc.jones", False)
    assert login(store, "pc.jones", PASSWORD).username == "pc.jones"


@pytest.mark.req("DATA-05")
def test_repeated_failures_lock_the_account_even_against_the_right_password(store):
    with store.session() as s:
        _user(s)
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(LoginFailed):
            login(store, "pc.jones", "not the password")
    with pytest.raises(LoginFailed):
        login(store, "pc.jones", PASSWORD)
    with store.session() as s:
        refusals = s.scalars(select(AuditRecord).where(AuditRecord.outcome == "refused")).all()
    assert len(refusals) == MAX_FAILED_LOGINS + 1


@pytest.mark.req("DATA-05")
def test_a_user_needs_a_role_and_a_strong_enough_password(store):
    with store.session() as s:
        with pytest.raises(PeopleError, match="least privilege"):
            _user(s, roles=frozenset())
        with pytest.raises(PeopleError, match="at least 15"):
            create_user(
                s,
                ADMIN,
                username="x",
                display_name="X",
                rank=Rank.SERGEANT,
                roles={Role.RFR_USER},
                password="short",
            )


@pytest.mark.req("DATA-04", "DATA-05")
def test_user_changes_are_audited(store):
    with store.session() as s:
        user = _user(s)
        set_disabled(s, ADMIN, "pc.jones", True)
    with store.session() as s:
        actions = [(r.action, r.object_id) for r in s.scalars(select(AuditRecord))]
    assert ("user.create", user.id) in actions and ("user.disable", user.id) in actions


@pytest.mark.req("GOV-10")
def test_training_records_decide_whether_an_operator_may_be_rostered(store):
    today = date.today()
    with store.session() as s:
        user = _user(s)
        add_training(
            s,
            ADMIN,
            "pc.jones",
            TrainingKind.LFR,
            today - timedelta(days=300),
            today + timedelta(days=65),
        )
        add_training(
            s,
            ADMIN,
            "pc.jones",
            TrainingKind.OFFICER_SAFETY,
            today - timedelta(days=400),
            today - timedelta(days=35),
        )
        held = user.training_expiries()
    mps = load_profile("mps")
    assert not in_date_training(mps, "lfr_operator", held, today).allowed
    with store.session() as s:
        add_training(
            s, ADMIN, "pc.jones", TrainingKind.OFFICER_SAFETY, today, today + timedelta(days=365)
        )
    with store.session() as s:
        from frt.people.service import require_user

        held = require_user(s, "pc.jones").training_expiries()
    assert in_date_training(mps, "lfr_operator", held, today).allowed


@pytest.mark.req("DATA-05")
def test_first_run_creates_one_administrator_with_a_one_time_password(store):
    with store.session() as s:
        first = ensure_first_admin(s)
    assert first and len(first.password) >= 12
    with store.session() as s:
        assert ensure_first_admin(s) is None
    user = login(store, "admin", first.password)
    assert user.must_change_password and user.has_role(Role.ADMINISTRATOR)


def test_demo_users_are_seeded_once_with_every_duty_trained(store):
    from frt.people.demo import DEMO_USERS, ensure_demo_users
    from frt.people.service import require_user

    with store.session() as s:
        password = ensure_demo_users(s)
        assert ensure_demo_users(s) is None
    assert len(set(password.values())) == len(DEMO_USERS)  # each its own one-time password
    assert login(store, "sro", password["sro"]).has_role(Role.SRO)
    mps = load_profile("mps")
    with store.session() as s:
        held = require_user(s, "engagement").training_expiries()
        assert len({u[0] for u in DEMO_USERS}) == len(DEMO_USERS)
    assert in_date_training(mps, "engagement_officer", held, date.today()).allowed
