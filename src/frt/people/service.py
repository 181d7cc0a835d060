"""People: creating users, logging in, disabling accounts, recording training (DATA-05, GOV-10).

Every change writes an audit record through `frt.audit.record`, in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pwdlib import PasswordHash
from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.audit import Actor, Outcome, record
from frt.people import passwords
from frt.people.models import TrainingRecord, User
from frt.people.roles import Role, TrainingKind
from frt.policy.ranks import Rank
from frt.store.base import utcnow

_hasher = PasswordHash.recommended()  # argon2id
# Verified against when the username is unknown, so both failures cost the same time.
_DUMMY_HASH = _hasher.hash("frt-no-such-user")

# An account locks after this many failures in a row, from any clients (NIST SP 800-63B-4
# §3.2.2: at most 100). It is set above what one client may try (frt.web.throttle: 5 per account
# and 10 in all per 15 minutes), so that no one client can lock someone else's account.
MAX_FAILED_LOGINS = 20
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = passwords.MIN_LENGTH


class PeopleError(ValueError):
    """A request about a user that cannot be carried out; the message says why."""


class LoginFailed(Exception):
    """Always the same message, whatever the cause: no user enumeration."""

    def __init__(self) -> None:
        super().__init__(
            "Unknown username or wrong password, or the account is locked or disabled."
        )


def hash_password(password: str, context: tuple[str, ...] = ()) -> str:
    """Refuse a password the rules of `frt.people.passwords` refuse; else its argon2id hash."""
    refused = passwords.problem(password, context)
    if refused:
        raise PeopleError(refused)
    return _hasher.hash(passwords.normalise(password))


def new_password() -> str:
    """A one-time password: 24 random characters (144 bits)."""
    return secrets.token_urlsafe(18)


def get_user(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def require_user(session: Session, username: str) -> User:
    user = get_user(session, username)
    if user is None:
        raise PeopleError(f"no user '{username}'")
    return user


def create_user(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    rank: Rank,
    roles: set[Role],
    password: str,
    must_change_password: bool = False,
) -> User:
    username = username.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise PeopleError("username may hold only letters, digits, '.', '-' and '_'")
    if get_user(session, username):
        raise PeopleError(f"username '{username}' is taken")
    if not roles:
        raise PeopleError("a user needs at least one role (least privilege, 000 §12.1(d))")
    user = User(
        username=username,
        display_name=display_name.strip() or username,
        rank=Rank(rank).value,
        roles_json=sorted(Role(r).value for r in roles),
        password_hash=hash_password(password, (username, display_name)),
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.create",
        object_type="user",
        object_id=user.id,
        detail={"rank": user.rank, "roles": user.roles_json},
    )
    return user


def login(store, username: str, password: str) -> User:
    """Log in, committing the failure count and audit record before refusing."""
    with store.session() as session:
        user = authenticate(session, username, password)
    if user is None:
        raise LoginFailed()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """Check a login; None when refused. Failures are counted and audited in `session`.

    Callers must commit before refusing (see `login`), or the count is lost with the rollback.
    """
    now = utcnow()
    user = get_user(session, username.strip().lower())
    password = passwords.normalise(password)
    if user is None:
        _hasher.verify(password, _DUMMY_HASH)
        record(
            session,
            Actor.system("login"),
            "login",
            outcome=Outcome.REFUSED,
            detail={"reason": "unknown user"},
        )
        return None
    valid = _hasher.verify(password, user.password_hash)
    _end_expired_lock(user, now)
    locked = is_locked(user, now)
    if valid and not locked and not user.disabled:
        user.failed_logins = 0
        user.locked_until = None
        record(session, Actor(user.id, "user"), "login", object_type="user", object_id=user.id)
        return user
    reason = "disabled" if user.disabled else "locked" if locked else "wrong password"
    if not valid and not locked:
        reason = _count_failure(user, now, "wrong password")
    record(
        session,
        Actor(user.id, "user"),
        "login",
        object_type="user",
        object_id=user.id,
        outcome=Outcome.REFUSED,
        detail={"reason": reason},
    )
    return None


def _end_expired_lock(user: User, now: datetime) -> None:
    """A lock that has run out starts the count afresh (one typo after it must not re-lock)."""
    if user.locked_until is not None and user.locked_until <= now:
        user.locked_until = None
        user.failed_logins = 0


def _count_failure(user: User, now: datetime, reason: str) -> str:
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        return f"{reason}; account locked"
    return reason


def check_current_password(session: Session, user: User, password: str) -> bool:
    """The change-password form's check of the current password, counted like a sign-in: a
    wrong one adds to the account's failures (and may lock it), and is audited."""
    now = utcnow()
    _end_expired_lock(user, now)
    if _hasher.verify(passwords.normalise(password), user.password_hash) and not is_locked(user):
        return True
    reason = (
        "locked" if is_locked(user, now) else _count_failure(user, now, "wrong current password")
    )
    record(
        session,
        Actor(user.id, "user"),
        "user.password",
        object_type="user",
        object_id=user.id,
        outcome=Outcome.REFUSED,
        detail={"reason": reason},
    )
    return False


def unlock(session: Session, actor: Actor, username: str) -> User:
    user = require_user(session, username)
    user.locked_until = None
    user.failed_logins = 0
    record(session, actor, "user.unlock", object_type="user", object_id=user.id)
    return user


def set_disabled(session: Session, actor: Actor, username: str, disabled: bool) -> User:
    user = require_user(session, username)
    user.disabled = disabled
    record(
        session,
        actor,
        "user.disable" if disabled else "user.enable",
        object_type="user",
        object_id=user.id,
    )
    return user


def set_password(session: Session, actor: Actor, user: User, password: str) -> None:
    user.password_hash = hash_password(password, (user.username, user.display_name))
    user.must_change_password = False
    user.failed_logins = 0
    user.locked_until = None
    record(session, actor, "user.password", object_type="user", object_id=user.id)


def add_training(
    session: Session,
    actor: Actor,
    username: str,
    kind: TrainingKind,
    completed_on: date,
    expires_on: date,
) -> TrainingRecord:
    if expires_on <= completed_on:
        raise PeopleError("training must expire after it was completed")
    user = require_user(session, username)
    entry = TrainingRecord(
        user_id=user.id,
        kind=TrainingKind(kind).value,
        completed_on=completed_on,
        expires_on=expires_on,
    )
    session.add(entry)
    session.flush()
    record(
        session,
        actor,
        "training.record",
        object_type="user",
        object_id=user.id,
        detail={"kind": entry.kind, "expires_on": expires_on.isoformat()},
    )
    return entry


@dataclass(frozen=True)
class FirstAdmin:
    username: str
    password: str


def ensure_first_admin(session: Session) -> FirstAdmin | None:
    """On first run, create an administrator with a one-time password (to be printed once)."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return None
    password = new_password()
    create_user(
        session,
        Actor.system("first-run"),
        username="admin",
        display_name="Administrator",
        rank=Rank.STAFF_BAND_C,
        roles={Role.ADMINISTRATOR},
        password=password,
        must_change_password=True,
    )
    return FirstAdmin("admin", password)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def is_locked(user: User, now: datetime | None = None) -> bool:
    return user.locked_until is not None and user.locked_until > (now or utcnow())
