"""What every action runs with: the session, who acts (and in which role), the profile, the cipher,
the time — and the notes the action leaves for its own audit record.

A `Ctx` is made by the unit of work (`frt.core.actions.acting`); actions receive it as their
first argument. Nothing here writes the audit log: the running action does, once, on success.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.orm import Session

from frt.audit import Actor
from frt.core.errors import InputError, NotFound
from frt.core.services import Services
from frt.policy import Profile
from frt.store.crypto import BlobCipher

if TYPE_CHECKING:
    from frt.people.models import User
    from frt.people.roles import Role

E = TypeVar("E", bound=Enum)
M = TypeVar("M")


@dataclass
class Frame:
    """One running action: its id, the role it acts in, what it touched and what it noted."""

    action: str
    role: str
    object_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Ctx:
    session: Session
    # The person acting. For the system's own actions (a job, a recognition worker: `system=True`
    # actions run by `acting(store, None)`) it is None; those actions never read it, so it is
    # typed for the person's actions, which are nearly all of them.
    user: User
    profile: Profile
    cipher: BlobCipher
    now: datetime
    component: str = "system"  # who "the system" is when `user` is None
    services: Services = field(default_factory=Services)
    frames: list[Frame] = field(default_factory=list)

    # ------------------------------------------------------------- who acts
    @property
    def role(self) -> Role | None:
        """The role the innermost running action acts in (None for the system)."""
        from frt.people.roles import Role

        if not self.frames or self.is_system:
            return None
        return Role(self.frames[-1].role)

    def actor(self) -> Actor:
        """Who acts now: the user in the running action's role, or the system component."""
        return self.actor_as(self.frames[-1].role if self.frames else "user")

    @property
    def is_system(self) -> bool:
        return self.user is None

    def actor_as(self, role: str) -> Actor:
        if self.is_system:
            return Actor.system(self.component)
        return Actor(self.user.id, role)

    # ------------------------------------------------------------- what the action records
    def note(self, **detail: Any) -> None:
        """Add ids, counts and citations to the running action's audit record: never personal
        data (names, free text, images)."""
        self.frames[-1].detail.update(detail)

    def touch(self, object_id: str) -> None:
        """Name the object the running action acted on, where its arguments do not."""
        self.frames[-1].object_id = object_id

    # ------------------------------------------------------------- reading input
    def get(self, model: type[M], obj_id: str) -> M:
        obj = self.session.get(model, obj_id)
        if obj is None:
            raise NotFound(f"no {getattr(model, '__name__', 'object')} '{obj_id}'")
        return obj


def choice(enum_cls: type[E], value: Any, what: str) -> E:
    """`enum_cls(value)`, or an InputError listing what is accepted (input from a person)."""
    try:
        return enum_cls(value)
    except ValueError:
        allowed = ", ".join(str(member.value) for member in enum_cls)
        raise InputError(f"{what} must be one of: {allowed} (not '{value}')") from None
