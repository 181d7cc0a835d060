"""Errors every layer shares: a person's input that cannot be carried out, and a missing object.

A policy refusal is not an error of input: it is a `frt.policy.PolicyRefusal` carrying the rule.
"""

from __future__ import annotations


class InputError(ValueError):
    """A request that cannot be carried out as given (missing or malformed input)."""

    # Set by the running action it stopped, for the audit record of the refusal.
    action: str | None = None
    role: str | None = None
    recorded: bool = False


class NotFound(InputError):
    """No such object (or none this user may see: the two answer alike)."""


class UnauditedChange(RuntimeError):
    """A transaction changed data without writing an audit record (DATA-04): it is rolled back."""


class InputRefused(InputError):
    """Input outside a stated bound (a rule of `frt.policy.input_rules`, or one of the policy's):
    a wrong input like any other (400), carrying the Decision that names the rule and paragraph."""

    def __init__(self, decision) -> None:
        super().__init__(f"{decision.reason} ({decision.citation}; rule {decision.rule})")
        self.decision = decision
