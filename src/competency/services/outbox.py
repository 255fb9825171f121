"""The outbox: services record what must happen in their own transaction; workers claim, lease and finish it.

A row is written with the change that causes it, so a commit can never happen without its effect being
recorded, and the queue (Redis or the SQLite file) carries only wake-ups: `run(row id)`. A wake-up that is
lost (a flushed Redis, a broker that was down, a worker killed holding it) costs a delay, not the work:
the relay (`wake_lost`) turns due pending rows and running rows whose lease has passed back into wake-ups.
A worker holds a row by a lease that a heartbeat extends, so a dead worker's row returns within one lease.
Idempotency: a row's `key` is unique, and handlers finish their effect before the row is marked done, so a
rerun (after a crash between the two) meets rows and claims that already exist.

This module knows nothing of the tasks: the task layer registers a waker (`set_waker`) that enqueues the
wake-ups after each commit that recorded rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from competency.models import Outbox, WorkerLease, utcnow

log = logging.getLogger(__name__)

_WAKE_IDS = "competency.outbox.wake"
#: How long a wake-up may take to be claimed before the relay sends another, and how long a claim lasts
#: without a heartbeat. Workers and the relay read it from the settings (COMPETENCY_JOB_LEASE_SECONDS).
DEFAULT_LEASE = 120

Waker = Callable[[list[int]], None]


class _Registry:
    waker: Waker | None = None
    lease: int = DEFAULT_LEASE


_registry = _Registry()


def set_waker(waker: Waker | None) -> None:
    """The task layer's way to wake workers for new rows (called after the recording commit)."""
    _registry.waker = waker


def set_lease(seconds: int) -> None:
    """This process's lease (the queue sets it from COMPETENCY_JOB_LEASE_SECONDS when it is configured)."""
    _registry.lease = seconds


def _insert(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert


def record(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    key: str | None = None,
    job_id: int | None = None,
    max_attempts: int = 5,
    now: datetime | None = None,
) -> int | None:
    """Record one effect in the session's transaction (not committed); None when `key` was recorded before.

    The row is due a lease from now: its wake-up goes out after the commit, and the relay sends another
    only if that one was not claimed in time."""
    now = now or utcnow()
    table = sa.inspect(Outbox).local_table
    stmt = (
        _insert(session)(table)
        .values(
            kind=kind,
            key=key,
            payload=payload,
            state="pending",
            attempts=0,
            max_attempts=max_attempts,
            due_at=now + timedelta(seconds=_registry.lease),
            job_id=job_id,
            created_at=now,
        )
        .returning(table.c.id)
    )
    if key is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
    row_id = session.execute(stmt).scalar()
    if row_id is not None:
        session.info.setdefault(_WAKE_IDS, []).append(row_id)
    return row_id


@event.listens_for(OrmSession, "after_commit")
def _wake_after_commit(session: OrmSession) -> None:
    ids = session.info.pop(_WAKE_IDS, None)
    if ids:
        wake(ids)


@event.listens_for(OrmSession, "after_rollback")
def _forget_after_rollback(session: OrmSession) -> None:
    session.info.pop(_WAKE_IDS, None)


def wake(ids: list[int]) -> None:
    """Send the wake-ups; a broker that is down is only logged (the rows wait for the relay)."""
    waker = _registry.waker
    if waker is None:
        return
    try:
        waker(ids)
    except Exception as exc:
        # Never the rows' payloads: a mail's body holds links that log readers must not see.
        log.warning("could not wake %d job(s), the relay will: %s", len(ids), type(exc).__name__)


# -- working (called by the task layer) --------------------------------------------------------------


def claim(session: Session, row_id: int, lease: int, now: datetime | None = None) -> Outbox | None:
    """Take a pending row for `lease` seconds (committed); None when it is done, cancelled or held."""
    now = now or utcnow()
    taken = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.state) == "pending")
        .values(
            state="running", attempts=col(Outbox.attempts) + 1, lease_until=now + timedelta(seconds=lease)
        )
    )
    session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return session.get(Outbox, row_id, populate_existing=True)


def heartbeat(session: Session, row_id: int, lease: int) -> bool:
    """Extend a running row's lease; False when it is no longer running (cancelled meanwhile)."""
    moved = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.state) == "running")
        .values(lease_until=utcnow() + timedelta(seconds=lease))
    )
    session.commit()
    return bool(moved.rowcount == 1)  # type: ignore[attr-defined]


def complete(session: Session, row_id: int) -> None:
    """The effect happened. A mail's body (and any link in it) leaves the database with it."""
    row = session.get(Outbox, row_id, populate_existing=True)
    if row is None or row.state != "running":
        session.rollback()
        return
    row.state = "done"
    row.finished_at = utcnow()
    row.lease_until = None
    row.error = None
    if row.kind == "mail":
        row.payload = {"to": row.payload.get("to", ""), "kind": row.payload.get("kind", "")}
    session.add(row)
    session.commit()


def retry_later(session: Session, row_id: int, reason: str, delay: float, lease: int) -> None:
    """Back to pending, due after `delay` (plus a lease before the relay steps in for a lost wake-up)."""
    session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.state) == "running")
        .values(
            state="pending",
            lease_until=None,
            error=reason[:500],
            due_at=utcnow() + timedelta(seconds=delay + lease),
        )
    )
    session.commit()


def give_up(session: Session, row_id: int, reason: str) -> None:
    session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id) == row_id, col(Outbox.state).in_(("pending", "running")))
        .values(state="failed", lease_until=None, error=reason[:500], finished_at=utcnow())
    )
    session.commit()


def cancel_job_rows(session: Session, job_id: int, reason: str) -> int:
    """Stop a job's remaining work (not committed): a running row finishes its item but nothing more."""
    result = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.job_id) == job_id, col(Outbox.state).in_(("pending", "running")))
        .values(state="cancelled", lease_until=None, error=reason[:500], finished_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def retry(session: Session, row_ids: Iterable[int]) -> int:
    """Finished rows (an admin's or HR's "retry") go back to pending with fresh attempts (committed, woken)."""
    ids = list(row_ids)
    if not ids:
        session.commit()  # what the caller changed with it (a job set going again) still counts
        return 0
    result = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id).in_(ids), col(Outbox.state).in_(("failed", "cancelled", "done")))
        .values(state="pending", attempts=0, error=None, finished_at=None, due_at=utcnow())
    )
    session.info.setdefault(_WAKE_IDS, []).extend(ids)
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def wake_lost(session: Session, lease: int, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """The relay: rows whose wake-up was lost or whose worker died become pending again and are returned
    to be woken (committed). Each is pushed a lease ahead, so a busy queue is not woken twice a tick."""
    now = now or utcnow()
    lost = sa.or_(
        sa.and_(col(Outbox.state) == "pending", col(Outbox.due_at) <= now),
        sa.and_(col(Outbox.state) == "running", col(Outbox.lease_until) < now),
    )
    ids = list(session.exec(select(Outbox.id).where(lost).order_by(col(Outbox.id)).limit(limit)).all())
    if not ids:
        session.rollback()
        return []
    # The condition is checked again row by row, so two relays never both take a row.
    taken = session.execute(
        sa.update(Outbox)
        .where(col(Outbox.id).in_(ids), lost)
        .values(state="pending", lease_until=None, due_at=now + timedelta(seconds=lease))
        .returning(col(Outbox.id))
    )
    found = sorted(int(row_id) for row_id in taken.scalars())
    session.commit()
    return found


#: Finished rows are kept this long (the admin page and a job's page read them), failed ones a month.
KEEP_DONE = timedelta(days=7)
KEEP_FAILED = timedelta(days=30)


def prune(session: Session, now: datetime | None = None) -> int:
    """Delete finished rows past their keeping time (committed); the table holds work, not history."""
    now = now or utcnow()
    result = session.execute(
        sa.delete(Outbox).where(
            sa.or_(
                sa.and_(
                    col(Outbox.state).in_(("done", "cancelled")), col(Outbox.finished_at) < now - KEEP_DONE
                ),
                sa.and_(col(Outbox.state) == "failed", col(Outbox.finished_at) < now - KEEP_FAILED),
            )
        )
    )
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- leases: one scheduler across workers, and which workers are alive --------------------------------


def take_lease(session: Session, name: str, holder: str, seconds: int, now: datetime | None = None) -> bool:
    """Hold the named lease for `seconds` when it is free, expired or already ours (committed)."""
    now = now or utcnow()
    table = sa.inspect(WorkerLease).local_table
    until = now + timedelta(seconds=seconds)
    stmt = _insert(session)(table).values(name=name, holder=holder, expires_at=until, seen_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["name"],
        set_={"holder": holder, "expires_at": until, "seen_at": now},
        where=sa.or_(table.c.holder == holder, table.c.expires_at < now),
    ).returning(table.c.name)
    won = session.execute(stmt).first() is not None
    session.commit()
    return won


#: A worker's relay beats at least every 15 s: none for a minute means it is not running.
WORKER_SILENCE = timedelta(minutes=1)


def live_workers(session: Session, now: datetime | None = None) -> list[WorkerLease]:
    """Workers whose relay beat in the last minute."""
    now = now or utcnow()
    return list(
        session.exec(
            select(WorkerLease).where(
                col(WorkerLease.name).startswith("worker:"), col(WorkerLease.seen_at) > now - WORKER_SILENCE
            )
        ).all()
    )


def forget_worker(session: Session, name: str) -> None:
    session.execute(sa.delete(WorkerLease).where(col(WorkerLease.name) == name))
    session.commit()
