"""Demo users for a first look at FRT on the embedded default (never on a force's database)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from frt.audit import Actor
from frt.people.models import User
from frt.people.roles import Role, TrainingKind
from frt.people.service import add_training, create_user, new_password
from frt.policy.ranks import Rank

# username, display name, rank, roles
DEMO_USERS: list[tuple[str, str, Rank, set[Role]]] = [
    ("applicant", "DS Applicant (demo)", Rank.SERGEANT, {Role.APPLICANT}),
    ("npcc", "Cdr NPCC (demo)", Rank.COMMANDER, {Role.NPCC_OFFICER}),
    ("ao", "Supt Authorising Officer (demo)", Rank.SUPERINTENDENT, {Role.AUTHORISING_OFFICER}),
    ("gold", "Ch Supt Gold (demo)", Rank.CHIEF_SUPERINTENDENT, {Role.GOLD}),
    ("silver", "Insp Silver (demo)", Rank.INSPECTOR, {Role.SILVER}),
    ("bronze", "PS Bronze (demo)", Rank.SERGEANT, {Role.BRONZE, Role.BRONZE_COMMUNITY}),
    ("operator", "PC Operator (demo)", Rank.POLICE_CONSTABLE, {Role.LFR_OPERATOR}),
    ("engagement", "PC Engagement (demo)", Rank.POLICE_CONSTABLE, {Role.ENGAGEMENT_OFFICER}),
    ("engineer", "System Engineer (demo)", Rank.STAFF_BAND_D, {Role.SYSTEM_ENGINEER}),
    ("rfr", "DC RFR User (demo)", Rank.POLICE_CONSTABLE, {Role.RFR_USER}),
    (
        "rfrinspector",
        "Insp RFR Approving Officer (demo)",
        Rank.INSPECTOR,
        {Role.RFR_APPROVING_OFFICER},
    ),
    (
        "frlead",
        "Operational Lead for FR (demo)",
        Rank.STAFF_BAND_B,
        {Role.FR_OPERATIONAL_LEAD, Role.FR_TEAM},
    ),
    ("auditor", "Auditor (demo)", Rank.STAFF_BAND_C, {Role.AUDITOR}),
    ("dpo", "Data Protection Officer (demo)", Rank.STAFF_BAND_B, {Role.DPO}),
    ("sro", "ACC Senior Responsible Owner (demo)", Rank.ASSISTANT_COMMISSIONER, {Role.SRO}),
]

_TRAINED = {
    "operator": [TrainingKind.LFR, TrainingKind.OFFICER_SAFETY],
    "engagement": [
        TrainingKind.LFR,
        TrainingKind.OFFICER_SAFETY,
        TrainingKind.EMERGENCY_LIFE_SUPPORT,
    ],
    "engineer": [TrainingKind.LFR],
    "ao": [TrainingKind.AO],
    "rfr": [TrainingKind.RFR],
    "rfrinspector": [TrainingKind.RFR],
    "frlead": [TrainingKind.RFR],
}


def ensure_demo_users(session: Session) -> dict[str, str] | None:
    """Create the demo users once, each with a one-time password of its own (changed at first
    sign-in); return them by username, or None if the users exist already."""
    if session.scalar(select(User.id).where(User.username == "operator")) is not None:
        return None
    actor = Actor.system("demo-seed")
    passwords = {}
    today = date.today()
    for username, name, rank, roles in DEMO_USERS:
        passwords[username] = new_password()
        create_user(
            session,
            actor,
            username=username,
            display_name=name,
            rank=rank,
            roles=roles,
            password=passwords[username],
            must_change_password=True,
        )
        for kind in _TRAINED.get(username, []):
            add_training(
                session,
                actor,
                username,
                kind,
                today - timedelta(days=30),
                today + timedelta(days=335),
            )
    return passwords
