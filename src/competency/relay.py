"""The task side of the outbox: a `run(row id)` task that claims a row and calls its kind's handler under a
heartbeat, and the relay loop that wakes rows the queue lost and beats for /readyz.

Handlers live beside the services they call (`services/tasks.py`, `reports/tasks.py`) and register here
with `@handles(kind)`; the services only record rows (`services/outbox.py`), so dependencies point one way:
tasks -> services -> models.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from competency import queue
from competency.config import Settings
from competency.models import Outbox
from competency.services import outbox

log = logging.getLogger(__name__)

#: handler(session, settings, row): do the effect; raise to retry. give_up(session, settings, row, reason):
#: after the last attempt failed (a ZIP item is marked failed and named in the README, for example).
Handler = Callable[[Session, Settings, Outbox], None]
GiveUp = Callable[[Session, Settings, Outbox, str], None]


@dataclass(frozen=True)
class Spec:
    run: Handler
    retry_delay: float
    backoff: float
    give_up: GiveUp | None


HANDLERS: dict[str, Spec] = {}


def handles(
    kind: str, *, retry_delay: float = 30, backoff: float = 2, give_up: GiveUp | None = None
) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = Spec(fn, retry_delay, backoff, give_up)
        return fn

    return register


def lease_seconds() -> int:
    return queue.settings().job_lease_seconds


def reason(exc: BaseException) -> str:
    """What went wrong in words for the job page and the admin list; OSError's file name is left out."""
    if isinstance(exc, OSError):
        text = exc.strerror or type(exc).__name__
    else:
        text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


@queue.huey.task(timeout=3600)
def run(row_id: int) -> None:
    """One wake-up. Retries are the outbox's (due_at), not Huey's: a wake-up lost with them costs nothing."""
    run_row(row_id)


def run_row(row_id: int) -> bool:
    """Claim and run one row; False when someone else had it (or it was done)."""
    settings = queue.settings()
    lease = settings.job_lease_seconds
    with queue.session() as db:
        row = outbox.claim(db, row_id, lease)
        if row is None:
            return False
        spec = HANDLERS.get(row.kind)
        if spec is None:  # a process that did not load the task modules (queue.load_tasks) claimed it
            outbox.retry_later(db, row_id, f"no handler for {row.kind!r} in this process", 0, lease)
            return False
        if row.attempts > row.max_attempts:
            # Its last attempt never ended: the worker died in it (killed, out of memory). A row that
            # kills its worker is given up rather than tried forever.
            why = (
                f"The worker stopped while working on it, {row.max_attempts} times (killed or out of memory)."
            )
            if spec.give_up is not None:
                spec.give_up(db, settings, row, why)
            outbox.give_up(db, row_id, why)
            return True
        with _heartbeat(row_id, lease):
            try:
                spec.run(db, settings, row)
            except Exception as exc:
                db.rollback()
                why = reason(exc)
                log.warning("job %s (%s) attempt %s failed: %s", row_id, row.kind, row.attempts, why)
                if row.attempts >= row.max_attempts:
                    if spec.give_up is not None:
                        spec.give_up(db, settings, row, why)
                    outbox.give_up(db, row_id, why)
                else:
                    delay = spec.retry_delay * spec.backoff ** (row.attempts - 1)
                    outbox.retry_later(db, row_id, why, delay, lease)
                    _wake_later(row_id, delay)
                return True
        outbox.complete(db, row_id)
    return True


@contextmanager
def _heartbeat(row_id: int, lease: int) -> Iterator[None]:
    """Extend the row's lease every quarter lease while its handler runs (own connection, own thread)."""
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(max(1.0, lease / 4)):
            try:
                with Session(queue.engine()) as db:
                    outbox.heartbeat(db, row_id, lease)
            except Exception as exc:  # the next beat tries again; the lease is several beats long
                log.warning("heartbeat of job %s failed: %s", row_id, type(exc).__name__)

    thread = threading.Thread(target=beat, name=f"heartbeat-{row_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def _wake_later(row_id: int, delay: float) -> None:
    try:
        run.schedule((row_id,), delay=delay)
    except Exception as exc:  # the row is due in the database: the relay wakes it
        log.warning("could not schedule the retry of job %s: %s", row_id, type(exc).__name__)


def wake(ids: list[int]) -> None:
    for row_id in ids:
        run(row_id)


outbox.set_waker(wake)


# -- the relay ---------------------------------------------------------------------------------------


def worker_name() -> str:
    return f"worker:{socket.gethostname()}:{os.getpid()}"[:120]


def relay_once(settings: Settings, name: str | None = None, now: datetime | None = None) -> int:
    """One tick: say this worker is alive, and wake what the queue lost. Returns how many were woken."""
    lease = settings.job_lease_seconds
    with queue.session() as db:
        outbox.take_lease(db, name or worker_name(), "self", max(60, lease), now=now)
        lost = outbox.wake_lost(db, lease, now=now)
    if lost:
        log.info("relay: waking %d job(s) the queue did not deliver", len(lost))
        outbox.wake(lost)
    return len(lost)


class Relay(threading.Thread):
    """A daemon thread in every consumer: it ends with its process, so a killed worker stops beating."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(name="relay", daemon=True)
        self.settings = settings
        self.stopping = threading.Event()
        self.name_in_db = worker_name()

    def run(self) -> None:
        interval = max(1.0, min(15.0, self.settings.job_lease_seconds / 4))
        while not self.stopping.is_set():
            try:
                relay_once(self.settings, self.name_in_db)
            except Exception as exc:  # a database that is away: try again next tick
                log.warning("relay tick failed: %s", type(exc).__name__)
            self.stopping.wait(interval)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)
        try:
            with queue.session() as db:
                outbox.forget_worker(db, self.name_in_db)
        except Exception as exc:
            log.warning("could not sign the worker off: %s", type(exc).__name__)
