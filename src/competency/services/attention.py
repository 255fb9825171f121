"""What in the background work needs someone to act: failed or stalled jobs, mail not delivered yet,
invitations still waiting to go out. Read from the outbox and the job tables, said in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import Job, JobItem, Outbox, User, utcnow
from competency.services import outbox
from competency.services.jobs import ACTIVE


@dataclass(frozen=True)
class FailedItem:
    name: str
    email: str
    reason: str


def failed_items(session: Session, job_id: int) -> list[FailedItem]:
    rows = session.exec(
        select(JobItem, User)
        .join(User, col(User.id) == col(JobItem.subject_id))
        .where(JobItem.job_id == job_id, JobItem.state == "failed")
        .order_by(col(User.name))
    ).all()
    return [FailedItem(user.name, user.email, item.error or "unknown error") for item, user in rows]


def retrying(session: Session, job_id: int) -> list[str]:
    """Why the job's work is being tried again (distinct reasons of rows waiting for another attempt)."""
    reasons = session.exec(
        select(Outbox.error)
        .where(
            Outbox.job_id == job_id,
            col(Outbox.state).in_(("pending", "running")),
            col(Outbox.error).is_not(None),
        )
        .distinct()
    ).all()
    return sorted(r for r in reasons if r)


def workers_running(session: Session, now: datetime | None = None) -> bool:
    return bool(outbox.live_workers(session, now))


def stalled(session: Session, job: Job, now: datetime | None = None) -> str | None:
    """Why an active job is not moving, in words; None when it is moving (or finished)."""
    if job.state not in ACTIVE:
        return None
    if not workers_running(session, now):
        return (
            "No worker is running, so nothing is being prepared. The work is kept: it continues as soon as "
            "an administrator starts the worker (competency worker)."
        )
    return None


@dataclass(frozen=True)
class Undelivered:
    id: int
    to: str
    kind: str
    state: str
    attempts: int
    error: str | None
    created_at: datetime


def undelivered_mail(session: Session, limit: int = 200) -> list[Undelivered]:
    """Mail given up (failed) or being retried (pending after a failed attempt), newest first."""
    rows = session.exec(
        select(Outbox)
        .where(
            Outbox.kind == "mail",
            sa.or_(
                col(Outbox.state) == "failed",
                sa.and_(col(Outbox.state).in_(("pending", "running")), col(Outbox.attempts) > 0),
            ),
        )
        .order_by(col(Outbox.created_at).desc())
        .limit(limit)
    ).all()
    return [
        Undelivered(
            r.id or 0,
            str(r.payload.get("to", "")),
            str(r.payload.get("kind", "")),
            r.state,
            r.attempts,
            r.error,
            r.created_at,
        )
        for r in rows
    ]


def jobs_needing_attention(
    session: Session, now: datetime | None = None, limit: int = 100
) -> list[tuple[Job, str]]:
    """Failed jobs of the last weeks and active jobs that are stalled, with why."""
    now = now or utcnow()
    found: list[tuple[Job, str]] = []
    for job in session.exec(
        select(Job)
        .where(
            sa.or_(
                col(Job.state).in_(ACTIVE),
                sa.and_(col(Job.state) == "failed", col(Job.created_at) > now - timedelta(days=30)),
            )
        )
        .order_by(col(Job.created_at).desc())
        .limit(limit)
    ).all():
        why = job.error if job.state == "failed" else stalled(session, job, now)
        if why:
            found.append((job, why))
    return found


def waiting_invitations(session: Session, cycle_id: int) -> int | None:
    """Invitations of a cycle not sent yet; None when they are still being prepared (not even counted)."""
    opened = session.exec(select(Outbox.state).where(Outbox.key == f"cycle_opened:{cycle_id}")).first()
    if opened in ("pending", "running"):
        return None
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(Outbox)
            .where(
                col(Outbox.key).startswith(f"invitation:{cycle_id}:"),
                col(Outbox.state).in_(("pending", "running", "failed")),
            )
        ).one()
    )


def retry_mail(session: Session, ids: list[int]) -> int:
    # Not a mail that was sent: its body is gone, and it arrived.
    rows = session.exec(
        select(Outbox.id).where(
            col(Outbox.id).in_(ids), Outbox.kind == "mail", col(Outbox.state).in_(("failed", "pending"))
        )
    ).all()
    return outbox.retry(session, [r for r in rows if r is not None])
