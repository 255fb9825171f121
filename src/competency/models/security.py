"""Server-side login sessions and second-factor recovery codes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import now_column, optional_time


class UserSession(SQLModel, table=True):
    """One login. The browser holds a random id; the row holds its SHA-256, so a copy of the
    table cannot be replayed. Logout and a password change end rows, and an ended row is refused."""

    __tablename__ = "user_session"

    #: hex SHA-256 of the random session id kept in the (signed) session cookie.
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    created_at: datetime = now_column()
    #: Last request seen (written at most once a minute).
    seen_at: datetime = now_column()
    ended_at: datetime | None = optional_time()
    #: "logout", "password", "expired", "admin" ...
    ended_reason: str | None = Field(default=None, max_length=32)
    remote_addr: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=200)


class RecoveryCode(SQLModel, table=True):
    """A one-time code that stands in for the second factor; stored as a SHA-256 (codes are random)."""

    __tablename__ = "recovery_code"
    __table_args__ = (sa.UniqueConstraint("user_id", "code_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    code_hash: str = Field(max_length=64)
    created_at: datetime = now_column()
    used_at: datetime | None = optional_time()
