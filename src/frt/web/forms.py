"""A page's form that was refused or had wrong input is shown again, with what the person typed
and every problem at once, answered 422 (issue 12, item 7) — never a dead-end error page.

    outcome = attempt(request, who, lambda ctx: decisions.decide(ctx, ...))
    if outcome.problems:
        return application_view(request, who, app_id, form="decide", values=form.model_dump(),
                                problems=outcome.problems)

The refusal itself was recorded in the audit log by the action (`frt.core.actions.acting`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import HTTPException, Request

from frt.core.errors import InputError, NotFound
from frt.policy import Decision, PolicyRefusal
from frt.web.units import unit

INVALID = 422  # the form is shown again: what was sent cannot be carried out as it stands


@dataclass(frozen=True)
class Problem:
    """One thing to put right: what, and the rule and paragraph if a rule refused."""

    text: str
    rule: str = ""
    citation: str = ""

    @classmethod
    def of(cls, item: Decision | str | Exception) -> Problem:
        if isinstance(item, Decision):
            return cls(item.reason, item.rule, item.citation)
        if isinstance(item, PolicyRefusal):
            return cls.of(item.decision)
        return cls(str(item))


@dataclass
class Outcome:
    value: object = None
    problems: list[Problem] = field(default_factory=list)
    refusal: Decision | None = None  # the rule that refused, if one did

    @property
    def ok(self) -> bool:
        return not self.problems


def attempt(request: Request, who, fn: Callable, more: Callable | None = None) -> Outcome:
    """Run `fn(ctx)` in a unit of work; a refusal or wrong input becomes problems to show.

    `more(ctx)`, if given, is run in a read-only unit after a failure and returns every other
    problem (e.g. `decisions.decision_problems`), so the person sees them all at once."""
    try:
        with unit(request, who) as ctx:
            return Outcome(fn(ctx))
    except NotFound:
        raise
    except PolicyRefusal as exc:
        first, refusal = Problem.of(exc.decision), exc.decision
    except InputError as exc:
        first, refusal = Problem(str(exc)), None
    except HTTPException as exc:  # `unit` turns an action's InputError into a 400
        if exc.status_code != 400:
            raise
        first, refusal = Problem(str(exc.detail)), None
    problems = [first]
    if more is not None:
        try:
            with unit(request, who) as ctx:
                found = [Problem.of(p) for p in more(ctx)]
        except Exception:  # noqa: BLE001 - the first problem is still shown
            found = []
        problems = found if first in found or _same(first, found) else [first, *found]
    return Outcome(problems=problems, refusal=refusal)


def _same(first: Problem, found: list[Problem]) -> bool:
    return any(p.rule and p.rule == first.rule for p in found)
