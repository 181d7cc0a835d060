"""What every governance action needs: the session, the acting user, the profile, the cipher, now.

    with acting(store, user, "application.submit") as ctx:
        applications.submit(ctx, application_id)

`acting` is the unit of work for the web and CLI layers: it commits on success and, when a rule
refuses (`PolicyRefusal`) or the input is wrong (`GovernanceError`), records the refusal in an
audit transaction of its own — the action's own transaction rolls back — and re-raises.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from frt.audit import Actor, record
from frt.audit.log import record_refusal
from frt.people.models import User
from frt.people.roles import Role
from frt.policy import Decision, PolicyRefusal, Profile, load_profile
from frt.store.base import utcnow
from frt.store.crypto import BlobCipher


class GovernanceError(ValueError):
    """A request that cannot be carried out as given (missing or malformed input)."""


class NotFound(GovernanceError):
    """No such object."""


def choice(enum_cls, value, what: str):
    """`enum_cls(value)`, or a GovernanceError listing what is accepted (input from a person)."""
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(member.value for member in enum_cls)
        raise GovernanceError(f"{what} must be one of: {allowed} (not '{value}')") from None


@dataclass
class Ctx:
    session: Session
    user: User
    profile: Profile
    cipher: BlobCipher
    now: datetime = field(default_factory=utcnow)

    def actor(self, role: Role | str | None = None) -> Actor:
        """The audit actor: this user in the role they act in."""
        value = role.value if isinstance(role, Role) else role
        if value is None:
            value = min(self.user.roles_json) if self.user.roles_json else "user"
        return Actor(self.user.id, value)

    def audit(
        self, role: Role | str | None, action: str, obj_type: str, obj_id: str, **detail
    ) -> None:
        """One audit record per change: ids, counts and citations only, never personal data."""
        record(
            self.session,
            self.actor(role),
            action,
            object_type=obj_type,
            object_id=obj_id,
            detail=detail,
        )

    def get(self, model, obj_id: str):
        obj = self.session.get(model, obj_id)
        if obj is None:
            raise NotFound(f"no {model.__name__} '{obj_id}'")
        return obj


def require_role(user: User, *roles: Role) -> Role:
    """Least privilege (000 §12.1(d)): the acting user must hold one of `roles`."""
    held = [r for r in roles if user.has_role(r)]
    if not held:
        raise PolicyRefusal(
            Decision.refuse(
                "this needs the role " + " or ".join(r.label for r in roles), "000 §12.1(d)"
            )
        )
    return held[0]


@contextmanager
def acting(
    store,
    user_or_id: User | str,
    action: str,
    *,
    profile: Profile | None = None,
    now: datetime | None = None,
    record_refusals: bool = True,
) -> Iterator[Ctx]:
    """A governance unit of work; refusals are recorded in the audit log before re-raising.

    The web app's error handler records refusals itself: it passes `record_refusals=False`.
    """
    profile = profile or load_profile(store.settings.policy_profile)
    user_id = user_or_id if isinstance(user_or_id, str) else user_or_id.id
    try:
        with store.session() as session:
            user = session.get(User, user_id)
            if user is None or user.disabled:
                raise GovernanceError("unknown or disabled user")
            yield Ctx(session, user, profile, store.cipher, now or utcnow())
    except PolicyRefusal as exc:
        if not record_refusals:
            raise
        record_refusal(
            store, Actor(user_id, "user"), action, exc.decision.reason, exc.decision.citation
        )
        raise
    except GovernanceError as exc:
        if not record_refusals:
            raise
        record_refusal(store, Actor(user_id, "user"), action, str(exc), None)
        raise
