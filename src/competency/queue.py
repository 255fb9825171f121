"""The job queue: one Huey instance that every `tasks.py` registers on, pointed at Redis or a SQLite file.

Production runs `competency worker` (process workers, recycled after N jobs, a time limit per job)
against Redis; the embedded default is a SQLite queue file under the instance folder, consumed by a
thread that the app factory starts in development, so `flask run` needs no other service. Both run the
same tasks through the same library. The queue carries only wake-ups: what must happen is in the
database's outbox (services/outbox.py), and every consumer runs the relay (relay.py) that wakes what the
queue lost. Tasks get their database session from `session()`, which opens one engine per process (a
forked worker never reuses its parent's connections). Every child of `competency worker` (workers and
the scheduler) is killed by the kernel when the worker dies; one scheduler, across all workers, enqueues
the periodic tasks (a lease row in the database).
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib
import logging
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from huey import Huey
from huey.consumer import Consumer, ProcessEnvironment
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlmodel import Session

from competency.config import ConfigError, Settings

log = logging.getLogger(__name__)

#: Modules whose tasks a consumer must know; each sits beside the service it belongs to.
TASK_MODULES = ("competency.relay", "competency.reports.tasks", "competency.services.tasks")
QUEUE_NAME = "competency"
#: Seconds one scheduler holds the right to enqueue the periodic tasks (it renews it every minute).
SCHEDULER_LEASE = 150


class _Huey(Huey):  # type: ignore[misc]
    def read_periodic(self, timestamp: Any) -> list[Any]:
        """Periodic tasks only from the scheduler that holds the lease: one across all workers. Asked
        every minute, due or not, so the holder renews its lease and keeps it while it lives."""
        held = holds_scheduler()
        return list(super().read_periodic(timestamp)) if held else []


# Results are not kept: jobs record their progress and outcome in the database.
huey = _Huey(QUEUE_NAME, results=False, utc=True, storage_class=MemoryStorage)


class _State:
    settings: Settings | None = None
    engine: sa.Engine | None = None
    engine_pid: int | None = None
    embedded: Consumer | None = None


_state = _State()
_lock = threading.Lock()


def _fresh_lock_in_child() -> None:
    # A worker forked while the relay thread held the lock would wait on it forever.
    global _lock
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_fresh_lock_in_child)


def holds_scheduler(holder: str | None = None) -> bool:
    """Take or renew the scheduler lease for this process (False: another scheduler has it, or no database)."""
    from competency.services import outbox

    holder = holder or f"{os.uname().nodename}:{os.getpid()}"
    try:
        with session() as db:
            return outbox.take_lease(db, "scheduler", holder[:120], SCHEDULER_LEASE)
    except Exception as exc:
        log.warning("scheduler lease not taken: %s", type(exc).__name__)
        return False


def storage_for(url: str, name: str = QUEUE_NAME) -> Any:
    """Huey storage for a queue URL: redis://, rediss:// or unix:// (Redis), sqlite:///FILE, memory:."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        return SqliteStorage(name, filename=str(path))
    if url == "memory:":
        return MemoryStorage(name)
    raise ConfigError(
        f"COMPETENCY_QUEUE_URL must start with redis://, rediss://, unix:// or sqlite:///, not {url!r}"
    )


def configure(settings: Settings, engine: sa.Engine | None = None, *, name: str | None = None) -> None:
    """Point the queue at the settings' broker; `engine` (the app's) serves tasks run in this process."""
    name = name or settings.queue_name
    with _lock:
        huey.name = name
        huey.storage = storage_for(settings.resolved_queue_url, name)
        _state.settings = settings
        _state.engine = engine
        _state.engine_pid = os.getpid() if engine is not None else None
    from competency.services import outbox

    outbox.set_lease(settings.job_lease_seconds)
    load_tasks()  # the relay's waker: rows recorded in this process are woken after their commit


def ensure_configured() -> None:
    if _state.settings is None:
        configure(Settings.from_env())


def settings() -> Settings:
    ensure_configured()
    assert _state.settings is not None
    return _state.settings


def engine() -> sa.Engine:
    """This process's engine: the one given to configure(), or one made from the settings after a fork."""
    url = settings().database_url  # before the lock: settings() may configure, which takes it
    with _lock:
        if _state.engine is None or _state.engine_pid != os.getpid():
            from competency.db import create_db_engine

            _state.engine = create_db_engine(url)
            _state.engine_pid = os.getpid()
        return _state.engine


@contextmanager
def session() -> Iterator[Session]:
    """A session for one task; committed by the services it calls (closing it rolls back the rest)."""
    with Session(engine(), expire_on_commit=False) as db:
        yield db


def enqueue(task: Callable[..., Any], *args: Any, strict: bool = False) -> bool:
    """Put a task on the queue. A broker that is down is logged (the caller's commit stands) unless `strict`.

    What must not be lost is not enqueued this way but recorded in the outbox; the log names the task and
    the error only, never its arguments (a mail's would hold a set-password link)."""
    ensure_configured()
    try:
        task(*args)
    except Exception as exc:
        if strict:
            raise
        log.warning("could not enqueue %s: %s", getattr(task, "name", task), type(exc).__name__)
        return False
    return True


def load_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


# -- consumers ---------------------------------------------------------------------------------------


def start_embedded(settings: Settings, engine: sa.Engine) -> None:
    """One consumer thread (and its scheduler) inside this process; daemon threads that end with it.

    The consumer's own start() would install signal handlers and take Ctrl-C away from the dev server,
    so its threads are started directly.
    """
    with _lock:
        if _state.embedded is not None:
            return
    configure(settings, engine)
    _state.embedded = thread_consumer(1, periodic=True)
    log.info("embedded job consumer started on %s", settings.resolved_queue_url.split("://", 1)[0])


def stop_embedded() -> None:
    consumer, _state.embedded = _state.embedded, None
    if consumer is not None:
        stop_thread_consumer(consumer)


def thread_consumer(workers: int = 1, *, periodic: bool = False, relay: bool = True) -> Consumer:
    """A consumer whose threads are started here and stopped by the caller (dev server, tests, bench),
    with the relay thread that wakes what the queue lost (stop it with stop_thread_consumer)."""
    from competency.relay import Relay

    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    if relay:
        consumer.relay = Relay(settings())
        consumer.relay.start()
    return consumer


def stop_thread_consumer(consumer: Consumer) -> None:
    relay = getattr(consumer, "relay", None)
    if relay is not None:
        relay.stop()
    consumer.stop(graceful=True)


def run_worker(settings: Settings, *, workers: int, max_jobs: int, periodic: bool = True) -> None:
    """`competency worker`: process workers, each replaced after `max_jobs` jobs (WeasyPrint keeps its
    memory until the process ends) and held to each task's time limit (SIGALRM in the worker)."""
    configure(settings)
    consumer = _WorkerConsumer(
        huey,
        workers=workers,
        worker_type="process",
        periodic=periodic,
        max_tasks=max_jobs,
        check_worker_health=True,
        health_check_interval=1,
        graceful_signal="TERM",
        shutdown_timeout=60,
    )
    consumer.run()


def die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when `parent` dies (Linux); exit now if it already has.

    SIGKILL, not SIGTERM: a graceful stop would let an orphan finish its job on code an upgrade replaced,
    and the job's lease brings its work back to a live worker anyway."""
    if hasattr(ctypes, "CDLL"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


class _DyingProcessEnvironment(ProcessEnvironment):  # type: ignore[misc]
    """Every child (workers, their replacements and the scheduler) dies with the consumer."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.parent = os.getpid()

    def init_child(self, process: Any) -> None:
        die_with_parent(self.parent)
        super().init_child(process)


class _WorkerConsumer(Consumer):  # type: ignore[misc]
    """`competency worker`'s consumer: dying children, and the relay thread beside its main loop."""

    def get_environment(self, worker_type: str) -> Any:
        if worker_type == "process":
            return _DyingProcessEnvironment(self._graceful_sig, self._interrupt_sig)
        return super().get_environment(worker_type)

    def start(self) -> None:
        from competency.relay import Relay

        super().start()  # the children are forked first: the relay thread is not copied into them
        self.relay = Relay(settings())
        self.relay.start()

    def stop(self, graceful: bool = False) -> None:
        relay = getattr(self, "relay", None)
        if relay is not None:
            relay.stop()
        super().stop(graceful=graceful)
