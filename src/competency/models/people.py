"""People and the teams they belong to."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import in_check, now_column, optional_time

GLOBAL_ROLES = ("member", "hr", "admin")
TEAM_ROLES = ("member", "manager")


class User(SQLModel, table=True):
    __tablename__ = "user"
    __table_args__ = (
        in_check("role", GLOBAL_ROLES, "role"),
        # Lower-cased on the way in, so the unique constraint is case-insensitive on every database.
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: int | None = Field(default=None, primary_key=True)
    #: Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: str = Field(max_length=254, unique=True, index=False)
    name: str = Field(max_length=200)
    #: argon2id hash; empty for accounts that cannot log in yet.
    password_hash: str = Field(default="", max_length=255)
    role: str = Field(default="member", max_length=16)
    active: bool = Field(default=True)
    #: Target level offered first when this person starts an assessment.
    default_level: str | None = Field(default=None, max_length=80)
    #: Bumped on password change so that other sessions of this account end.
    session_version: int = Field(default=1)
    created_at: datetime = now_column()
    last_login_at: datetime | None = optional_time()
    #: Base32 TOTP secret; set while setting up a second factor, in use once totp_enabled_at is set.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_enabled_at: datetime | None = optional_time()
    #: The last 30-second step a code was accepted for: the same code is never accepted twice.
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)

    @property
    def has_second_factor(self) -> bool:
        return self.totp_enabled_at is not None and bool(self.totp_secret)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_hr(self) -> bool:
        return self.role in ("hr", "admin")


class Team(SQLModel, table=True):
    __tablename__ = "team"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    created_at: datetime = now_column()


class Membership(SQLModel, table=True):
    __tablename__ = "membership"
    __table_args__ = (
        sa.UniqueConstraint("team_id", "user_id"),
        in_check("role", TEAM_ROLES, "role"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE", index=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    role: str = Field(default="member", max_length=16)
    created_at: datetime = now_column()
