"""The transactional outbox: what must happen after a change, written in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import in_check, now_column, optional_time, required_time

#: What a row asks for; the task layer has one handler per kind.
OUTBOX_KINDS = (
    "mail",
    "webhook",
    "cycle_opened",
    "cycle_closed",
    "assessment_submitted",
    "rating_released",
    "warm_pdf",
    "render_item",
    "write_zip",
)
#: pending: waiting (or waiting for a retry at due_at); running: claimed until lease_until.
OUTBOX_STATES = ("pending", "running", "done", "failed", "cancelled")


class Outbox(SQLModel, table=True):
    """One effect that must happen at least once; its handler makes it happen once (idempotency key)."""

    __tablename__ = "outbox"
    __table_args__ = (
        in_check("kind", OUTBOX_KINDS, "kind"),
        in_check("state", OUTBOX_STATES, "state"),
        sa.Index(None, "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    #: The same effect recorded twice (a rerun handler, a double submit) is kept once.
    key: str | None = Field(default=None, max_length=200, unique=True)
    #: What the handler needs; a mail's body is removed once the SMTP server has accepted it.
    payload: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON, nullable=False)
    state: str = Field(default="pending", max_length=16)
    attempts: int = 0
    max_attempts: int = 5
    #: Not before this time (a retry's delay); the relay wakes pending rows that the queue lost.
    due_at: datetime = now_column()
    #: A running row whose lease has passed lost its worker: it is claimed again.
    lease_until: datetime | None = optional_time()
    #: The ZIP job this row works for (its page lists failures, cancelling it cancels these).
    job_id: int | None = Field(default=None, foreign_key="job.id", ondelete="CASCADE", index=True)
    #: Why the last attempt failed, in words (no server paths).
    error: str | None = Field(default=None, max_length=500)
    created_at: datetime = now_column()
    finished_at: datetime | None = optional_time()


class WorkerLease(SQLModel, table=True):
    """A named lease with an expiry: `scheduler` (one across all workers) and `worker:HOST:PID` beacons."""

    __tablename__ = "worker_lease"

    name: str = Field(primary_key=True, max_length=120)
    holder: str = Field(max_length=120)
    expires_at: datetime = required_time()
    seen_at: datetime = now_column()
