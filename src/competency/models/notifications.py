"""What mail was sent (so each notice goes out at most once), who wants which mail, and set-password links."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import in_check, now_column, optional_time, required_time

TOKEN_PURPOSES = ("invite", "reset")


class SentNotification(SQLModel, table=True):
    """A notice claimed for sending: the unique key makes a second claim fail, so it goes out at most once."""

    __tablename__ = "sent_notification"
    __table_args__ = (sa.UniqueConstraint("kind", "user_id", "object"),)

    id: int | None = Field(default=None, primary_key=True)
    #: invitation, reminder-7, overdue, digest, ...
    kind: str = Field(max_length=40)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    #: What the notice is about, e.g. "cycle:12" or "week:2026-W48".
    object: str = Field(max_length=80)
    sent_at: datetime = now_column()


class MailPreference(SQLModel, table=True):
    """A person's choices; no row means every mail is on. Account mail cannot be turned off."""

    __tablename__ = "mail_preference"

    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True)
    #: Cycle invitations, reminders and overdue notices.
    cycles: bool = True
    #: "A member of your team submitted".
    manager_notices: bool = True
    #: The weekly summary of a manager's inbox.
    weekly_digest: bool = True


class PasswordToken(SQLModel, table=True):
    """A one-time set-password link; only the token's SHA-256 is stored."""

    __tablename__ = "password_token"
    __table_args__ = (in_check("purpose", TOKEN_PURPOSES, "purpose"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    purpose: str = Field(max_length=16)
    created_at: datetime = now_column()
    expires_at: datetime = required_time()
    used_at: datetime | None = optional_time()
