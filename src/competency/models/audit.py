"""Who did what, when and from where: downloads, exports and administrative changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import now_column


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    #: The audit page filters and pages by time.
    __table_args__ = (sa.Index(None, "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = now_column()
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL", index=True)
    #: e.g. "report.person.download", "export.scores", "user.create".
    action: str = Field(max_length=80, index=True)
    #: e.g. "user:12", "team:3", "cycle:4".
    object: str = Field(default="", max_length=200)
    details: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    remote_addr: str | None = Field(default=None, max_length=64)


class LoginAttempt(SQLModel, table=True):
    """Failed logins, for throttling by account, address and trusted browser (services/throttle.py)."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        sa.Index(None, "email", "at"),
        sa.Index(None, "remote_addr", "at"),
        sa.Index(None, "device", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = now_column()
    email: str = Field(max_length=254)
    remote_addr: str | None = Field(default=None, max_length=64)
    #: The trusted-browser id the attempt came with (a browser that logged in to this account before).
    device: str | None = Field(default=None, max_length=64)
