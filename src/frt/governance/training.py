"""Whether a person may be rostered in a duty for a Deployment (GOV-10): the facts gathered for
the training rules. Roster (`command`) and decisions outside policy (`outside_policy`) both ask."""

from __future__ import annotations

from frt.core.context import Ctx
from frt.governance.enums import Duty
from frt.governance.models import Deployment
from frt.people.models import User
from frt.people.roles import TrainingKind
from frt.policy import Decision
from frt.policy.lfr_rules import lfr_training
from frt.policy.rules import in_date_training


def training_check(ctx: Ctx, person: User, duty: Duty, deployment: Deployment) -> Decision:
    """GOV-10: in date for the whole Deployment; LFR training is never excused (000 §8.5)."""
    held = person.training_expiries()
    on = deployment.ends_at.date()
    lfr = lfr_training(duty.value.replace("_", " "), held.get(TrainingKind.LFR.value), on)
    return lfr if not lfr else in_date_training(ctx.profile, duty.value, held, on)
