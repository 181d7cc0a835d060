"""Actions: every change FRT makes, and every read of personal data, is one declared action that
checks who may do it and writes its own audit record (DATA-04, DATA-05).

    @action("lfr.application.submit", roles=[Role.APPLICANT], touches="lfr_application",
            key="application_id")
    def submit(ctx: Ctx, application_id: str) -> Application:
        ...
        ctx.note(round=app.round)          # ids, counts, citations: never personal data
        return app

    with acting(store, user) as ctx:       # the unit of work (web, CLI, jobs)
        submit(ctx, app_id)

Calling an action checks, in order: a person's arguments (text that is text, numbers a column
holds: `frt.core.text`), the role (one of `roles`), in-date training (`training`), and
the object-level `guard`; each refusal is a `PolicyRefusal` whose Decision names its rule. On
success it appends one audit record in the same transaction — action id, who, the role acted in,
the object (`key` names the argument holding its id; else the result's `.id`), outcome and what the
action noted. A refusal or a wrong input rolls the transaction back and `acting` records it in a
transaction of its own. An action called inside another is audited too.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from frt.audit import Actor, record
from frt.audit.log import Outcome
from frt.core.context import Ctx, Frame
from frt.core.errors import InputError
from frt.core.services import Services
from frt.core.text import check_arguments
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, PolicyRefusal, Profile, load_profile, require
from frt.policy.access import holds_role, training_in_date
from frt.store.base import utcnow

P = ParamSpec("P")
R = TypeVar("R")
Guard = Callable[[Ctx, dict[str, Any]], Decision]


@dataclass(frozen=True)
class Action:
    """What an action declares about itself: the test of the audit invariant walks these."""

    id: str  # "<area>.<object>.<verb>", e.g. "lfr.authority.decide"
    roles: tuple[Role, ...]  # the user must hold one; empty: any signed-in user
    touches: str  # the type of object it acts on (the audit record's object_type)
    key: str | None = None  # the argument holding the object's id; None: the result's `.id`
    training: str | None = None  # a TrainingKind that must be in date
    training_cite: str = "000 §8.5"
    guard: Guard | None = None  # object-level access: may this user act on this object?
    reads: bool = False  # a read of personal data (audited as such), not a change
    system: bool = False  # may run with no user: a scheduled job or a recognition worker
    # Arguments whose text may be longer than a field's (frt.core.text): (name, characters).
    long_text: tuple[tuple[str, int], ...] = ()


ACTIONS: dict[str, Action] = {}


def action(
    id: str,
    *,
    roles: Iterable[Role] = (),
    touches: str,
    key: str | None = None,
    training: str | None = None,
    training_cite: str = "000 §8.5",
    guard: Guard | None = None,
    reads: bool = False,
    system: bool = False,
    long_text: dict[str, int] | None = None,
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare `fn(ctx, ...)` an action (see the module's docstring)."""
    spec = Action(
        id,
        tuple(roles),
        touches,
        key,
        training,
        training_cite,
        guard,
        reads,
        system,
        tuple(sorted((long_text or {}).items())),
    )

    def declare(fn: Callable[P, R]) -> Callable[P, R]:
        if id in ACTIONS and ACTIONS[id] != spec:
            raise ValueError(f"action id {id!r} is declared twice")
        ACTIONS[id] = spec
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            ctx = args[0]
            assert isinstance(ctx, Ctx), f"{id}: an action's first argument is its Ctx"
            arguments = signature.bind(*args, **kwargs).arguments
            return _run(spec, ctx, arguments, lambda: fn(*args, **kwargs))

        run.action = spec  # type: ignore[attr-defined]
        return run

    return declare


def _run(spec: Action, ctx: Ctx, arguments: dict[str, Any], call: Callable[[], R]) -> R:
    role = None
    try:
        if ctx.user is not None:  # a person's input: text that is text, numbers a column holds
            check_arguments(
                {k: v for k, v in arguments.items() if not isinstance(v, Ctx)}, dict(spec.long_text)
            )
        role = _may(spec, ctx, arguments)
        frame = Frame(spec.id, role, _key(spec, arguments))
        ctx.frames.append(frame)
        try:
            result = call()
        finally:
            ctx.frames.pop()
    except (PolicyRefusal, InputError) as exc:
        if exc.action is None:  # the innermost action is the one refused
            exc.action, exc.role = spec.id, role
        raise
    object_id = frame.object_id or (None if spec.key else _id_of(result))
    detail = dict(frame.detail, read=True) if spec.reads else frame.detail
    actor = ctx.actor_as(role)
    record(
        ctx.session,
        actor,
        spec.id,
        object_type=spec.touches,
        object_id=object_id,
        outcome=Outcome.OK,
        detail=detail,
    )
    return result


def _may(spec: Action, ctx: Ctx, arguments: dict[str, Any]) -> str:
    """Check role, training and object access; the role acted in (the component for the system)."""
    if ctx.is_system:
        if not spec.system:
            raise RuntimeError(f"{spec.id} is a person's action; the system may not run it")
        return ctx.component
    held = ctx.user.roles_json
    role = next((r for r in spec.roles if r.value in held), None)
    if spec.roles:
        require(holds_role(held, {r.value: r.label for r in spec.roles}))
    if spec.training:
        from frt.people.roles import TrainingKind

        kind = TrainingKind(spec.training)
        expires = ctx.user.training_expiries().get(kind.value)
        require(
            training_in_date(kind.value, kind.label, expires, ctx.now.date(), spec.training_cite)
        )
    if spec.guard is not None:
        require(spec.guard(ctx, arguments))
    return (role or _any_role(ctx.user)).value


def spec_of(fn: Callable[..., Any]) -> Action:
    """The declaration `@action` attached to `fn` (its id, roles, training, guard)."""
    return fn.action  # type: ignore[attr-defined]


def may(ctx: Ctx, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> str:
    """Check `fn`'s role, training and object rule for these arguments without running it and
    without an audit record of its own; returns the role, or raises its PolicyRefusal (which
    `acting` records). For a view refreshed every few seconds (the live metrics panel) whose
    first showing ran the read action itself, so each refresh obeys the same rule without
    adding a record every two seconds."""
    spec = spec_of(fn)
    arguments = inspect.signature(fn).bind(ctx, *args, **kwargs).arguments
    try:
        return _may(spec, ctx, arguments)
    except PolicyRefusal as exc:
        if exc.action is None:
            exc.action = spec.id
        raise


def _any_role(user: User) -> Role:
    return Role(min(user.roles_json)) if user.roles_json else Role.APPLICANT


def _key(spec: Action, arguments: dict[str, Any]) -> str | None:
    if spec.key is None:
        return None
    value = arguments.get(spec.key)
    return None if value is None else str(value)


def _id_of(result: Any) -> str | None:
    value = getattr(result, "id", None)
    return None if value is None else str(value)


# ---------------------------------------------------------------------------- the unit of work
@contextmanager
def acting(
    store,
    who: User | str | None,
    *,
    profile: Profile | None = None,
    now: datetime | None = None,
    component: str = "system",
) -> Iterator[Ctx]:
    """One transaction as `who` (a user or their id; None: the system as `component`).

    Commits when the block succeeds. A refusal or a wrong input rolls it back, is recorded in the
    audit log in a transaction of its own (with the action and rule that refused), and re-raised.
    """
    from frt.core.invariant import guard_store

    guard_store(store)
    profile = profile or load_profile(store.settings.policy_profile)
    user_id = who.id if isinstance(who, User) else who
    try:
        with store.session() as session:
            user: Any = None  # the system's own actions (see Ctx.user)
            if user_id is not None:
                user = session.get(User, user_id)
                if user is None or user.disabled:
                    raise InputError("unknown or disabled user")
            yield Ctx(
                session,
                user,
                profile,
                store.cipher,
                now or utcnow(),
                component,
                store.services or Services(),
            )
    except (PolicyRefusal, InputError) as exc:
        record_refusal(store, user_id, component, exc)
        raise


def record_refusal(
    store, user_id: str | None, component: str, exc: PolicyRefusal | InputError
) -> None:
    """The refusal in the audit log, once, in its own transaction (it outlives the rollback)."""
    if exc.recorded:
        return
    decision = getattr(exc, "decision", None)  # a PolicyRefusal's, or an InputRefused's
    detail = {"reason": decision.reason if decision else str(exc)}
    if decision is not None:
        detail |= {"rule": decision.rule or None, "citation": decision.citation}
    role = exc.role or ("user" if user_id else component)
    actor = Actor(user_id, role) if user_id else Actor.system(component)
    with store.session() as session:
        record(session, actor, exc.action or "unit", outcome=Outcome.REFUSED, detail=detail)
    exc.recorded = True


def perform(
    store,
    who: User | str | None,
    fn: Callable[..., R],
    /,
    *args: Any,
    profile: Profile | None = None,
    now: datetime | None = None,
    component: str = "system",
    **kwargs: Any,
) -> R:
    """`fn(ctx, *args, **kwargs)` in a unit of work of its own; returns what it returns."""
    with acting(store, who, profile=profile, now=now, component=component) as ctx:
        return fn(ctx, *args, **kwargs)
