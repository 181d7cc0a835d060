"""People: users with a rank, their roles and their training records."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from frt.people.roles import Role
from frt.policy.ranks import Rank
from frt.store.base import Base, UTCDateTime, new_id, utcnow


class User(Base):
    __tablename__ = "users"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    rank: Mapped[str] = mapped_column(String(40))
    roles_json: Mapped[list[str]] = mapped_column("roles", JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped at sign-out: every session cookie issued before it stops working (web.sessions).
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    training: Mapped[list[TrainingRecord]] = relationship(
        back_populates="user", cascade="all, delete-orphan", order_by="TrainingRecord.expires_on"
    )

    @property
    def rank_enum(self) -> Rank:
        return Rank(self.rank)

    @property
    def roles(self) -> set[Role]:
        return {Role(r) for r in self.roles_json}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def training_expiries(self) -> dict[str, date]:
        """Latest expiry per training kind."""
        held: dict[str, date] = {}
        for record in self.training:
            if record.kind not in held or record.expires_on > held[record.kind]:
                held[record.kind] = record.expires_on
        return held


class TrainingRecord(Base):
    __tablename__ = "training_records"
    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="training")
