"""The job queue: one Huey instance that every `tasks.py` registers on, pointed at Redis or a SQLite file.

Production runs `competency worker` (process workers, recycled after N jobs, a time limit per job)
against Redis; the embedded default is a SQLite queue file under the instance folder, consumed by a
thread that the app factory starts in development, so `flask run` needs no other service. Both run the
same tasks through the same library. Tasks get their database session from `session()`, which opens
one engine per process (a forked worker never reuses its parent's connections).
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
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage
from sqlmodel import Session

from competency.config import ConfigError, Settings

log = logging.getLogger(__name__)

#: Modules whose tasks a consumer must know; each sits beside the service it belongs to.
TASK_MODULES = ("competency.reports.tasks", "competency.services.tasks")
QUEUE_NAME = "competency"

# Results are not kept: jobs record their progress and outcome in the database.
huey = Huey(QUEUE_NAME, results=False, utc=True, storage_class=MemoryStorage)


class _State:
    settings: Settings | None = None
    engine: sa.Engine | None = None
    engine_pid: int | None = None
    embedded: Consumer | None = None


_state = _State()
_lock = threading.Lock()


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
    """Put a task on the queue. A broker that is down is logged (the caller's commit stands) unless `strict`."""
    ensure_configured()
    try:
        task(*args)
    except Exception:
        if strict:
            raise
        log.exception("could not enqueue %s%r", getattr(task, "name", task), args)
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
        consumer.stop(graceful=True)


def thread_consumer(workers: int = 1, *, periodic: bool = False) -> Consumer:
    """A consumer whose threads are started here and stopped by the caller (dev server, tests, bench)."""
    load_tasks()
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic)
    consumer.scheduler.start()
    for _, worker in consumer.worker_threads:
        worker.start()
    return consumer


def run_worker(settings: Settings, *, workers: int, max_jobs: int, periodic: bool = True) -> None:
    """`competency worker`: process workers, each replaced after `max_jobs` jobs (WeasyPrint keeps its
    memory until the process ends) and held to each task's time limit (SIGALRM in the worker)."""
    configure(settings)
    load_tasks()
    parent = os.getpid()

    @huey.on_startup()
    def _die_with_the_consumer() -> None:
        # A worker whose consumer is killed (even with SIGKILL) is ended by the kernel, not orphaned.
        if os.getpid() != parent and hasattr(ctypes, "CDLL"):
            with contextlib.suppress(OSError):
                ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG

    consumer = huey.create_consumer(
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
