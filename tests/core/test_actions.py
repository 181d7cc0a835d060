"""The service core: an action checks who may run it, audits itself, and its refusals name rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from frt.audit import Actor
from frt.audit.models import AuditRecord
from frt.core.actions import ACTIONS, acting, action, perform
from frt.core.errors import InputError, UnauditedChange
from frt.people.models import User
from frt.people.roles import Role, TrainingKind
from frt.people.service import add_training, create_user
from frt.policy import Decision, PolicyRefusal
from frt.policy.ranks import Rank
from frt.store.meta import StoreMeta

pytestmark = pytest.mark.req("DATA-04", "DATA-05")


def _only_rostered(ctx, arguments) -> Decision:
    from frt.policy.access import object_access

    return object_access(arguments["name"] != "secret", "not rostered on this object")


@action(
    "test.meta.write",
    roles=[Role.SRO, Role.DPO],
    touches="store_meta",
    key="name",
    guard=_only_rostered,
)
def write_meta(ctx, name: str, value: str) -> StoreMeta:
    row = StoreMeta(key=name, value=value.encode())
    ctx.session.add(row)
    ctx.note(length=len(value))
    return row


@action("test.meta.write_twice", roles=[Role.DPO], touches="store_meta", key="name")
def write_twice(ctx, name: str) -> None:
    write_meta(ctx, name, "a")
    write_meta(ctx, name + "2", "b")


@action("test.meta.trained", roles=[Role.RFR_USER], touches="store_meta", training="lfr")
def trained_only(ctx) -> None:
    return None


@action("test.meta.bad_input", roles=[Role.DPO], touches="store_meta")
def bad_input(ctx) -> None:
    ctx.session.add(StoreMeta(key="half-done", value=b""))
    raise InputError("the value is malformed")


@pytest.fixture
def users(store):
    with store.session() as db:
        ids = {}
        for name, roles in {
            "dpo": {Role.DPO},
            "operator": {Role.LFR_OPERATOR},
            "rfr": {Role.RFR_USER},
        }.items():
            ids[name] = create_user(
                db,
                Actor.system("test"),
                username=name,
                display_name=name,
                rank=Rank.POLICE_CONSTABLE,
                roles=roles,
                password="correct-horse-battery",
            ).id
    return ids


def _records(store, action_id: str) -> list[AuditRecord]:
    with store.session() as db:
        return list(db.scalars(select(AuditRecord).where(AuditRecord.action == action_id)))


def test_a_successful_action_writes_one_record_with_role_object_and_notes(store, users):
    perform(store, users["dpo"], write_meta, "alpha", "12345")
    [entry] = _records(store, "test.meta.write")
    assert (entry.user_id, entry.role, entry.object_type, entry.object_id, entry.outcome) == (
        users["dpo"],
        "data_protection_officer",
        "store_meta",
        "alpha",
        "ok",
    )
    assert entry.detail == {"length": 5}


def test_a_role_refusal_names_its_rule_and_is_recorded_after_the_rollback(store, users):
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, users["operator"], write_meta, "beta", "x")
    assert refused.value.decision.rule == "ACCESS-ROLE"
    [entry] = _records(store, "test.meta.write")
    assert entry.outcome == "refused" and entry.detail["rule"] == "ACCESS-ROLE"
    with store.session() as db:
        assert db.get(StoreMeta, "beta") is None


def test_an_object_guard_refuses_by_rule(store, users):
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, users["dpo"], write_meta, "secret", "x")
    assert refused.value.decision.rule == "ACCESS-OBJECT"


def test_training_out_of_date_refuses(store, users):
    with pytest.raises(PolicyRefusal) as refused:
        perform(store, users["rfr"], trained_only)
    assert refused.value.decision.rule == "ACCESS-TRAINING"
    with store.session() as db:
        add_training(
            db,
            Actor.system("test"),
            "rfr",
            TrainingKind.LFR,
            completed_on=date.today() - timedelta(days=400),
            expires_on=date.today() - timedelta(days=1),
        )
    with pytest.raises(PolicyRefusal, match="expired"):
        perform(store, users["rfr"], trained_only)


def test_nested_actions_each_audit_themselves_in_one_transaction(store, users):
    perform(store, users["dpo"], write_twice, "gamma")
    assert len(_records(store, "test.meta.write")) == 2
    assert len(_records(store, "test.meta.write_twice")) == 1


def test_a_wrong_input_rolls_back_and_is_recorded_as_refused(store, users):
    with pytest.raises(InputError):
        perform(store, users["dpo"], bad_input)
    [entry] = _records(store, "test.meta.bad_input")
    assert entry.outcome == "refused" and "malformed" in entry.detail["reason"]
    with store.session() as db:
        assert db.get(StoreMeta, "half-done") is None


def test_a_change_without_an_audit_record_is_never_committed(store, users):
    with pytest.raises(UnauditedChange, match="users"), store.session() as db:
        db.get(User, users["dpo"]).display_name = "changed behind the log's back"
    with store.session() as db:
        assert db.get(User, users["dpo"]).display_name == "dpo"


def test_every_registered_action_declares_what_it_touches_and_who_may_run_it():
    for action_id, spec in ACTIONS.items():
        assert action_id.count(".") >= 2, f"{action_id}: ids read <area>.<object>.<verb>"
        assert spec.touches, action_id
        assert spec.roles or spec.system, f"{action_id}: declares no role (least privilege)"


def test_the_system_runs_only_actions_declared_for_it(store):
    with pytest.raises(RuntimeError, match="person's action"), acting(store, None) as ctx:
        write_meta(ctx, "delta", "x")
