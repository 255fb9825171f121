"""Top-level fixtures: which databases the suite runs on, migrated databases and isolated sessions.

Every test that asks for `db_url`, `engine` or `session` runs once per configured backend:
always SQLite (a file under pytest's tmp dir) and, when COMPETENCY_TEST_POSTGRES_URL is set,
PostgreSQL too (a fresh `competency_test_<hex>` database created for this run and dropped after it).
Tests that need a database without any schema (migrations) use `empty_db_url`.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel

from competency import migrate
from competency.db import create_db_engine

POSTGRES_ENV = "COMPETENCY_TEST_POSTGRES_URL"
REDIS_ENV = "COMPETENCY_TEST_REDIS_URL"
#: Where the job tests find Redis when REDIS_ENV is not set (the machine's own server).
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def postgres_admin_url() -> str | None:
    """The server URL PostgreSQL tests connect to for CREATE/DROP DATABASE, or None."""
    return os.environ.get(POSTGRES_ENV) or None


BACKENDS = ["sqlite", "postgresql"] if postgres_admin_url() else ["sqlite"]


# -- session start: refuse to run silently without the databases CI promises ------------------------


def redis_url() -> str:
    return os.environ.get(REDIS_ENV) or DEFAULT_REDIS_URL


def _check_redis() -> None:
    """Job tests run against a real Redis: CI must name one, and a named one must answer."""
    if not os.environ.get(REDIS_ENV):
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(
                f"CI must test the job queue on Redis: set {REDIS_ENV} (e.g. redis://127.0.0.1:6379/0).", 1
            )
        return
    import redis

    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=5).ping()
    except Exception as exc:
        pytest.exit(f"{REDIS_ENV} is set to {redis_url()} but Redis cannot be reached: {exc}", returncode=1)


# -- isolation: the test run never reads the clone's instance/ nor the shell's settings ----------------

#: Variables Flask reads besides those config.py names.
_FLASK_VARIABLES = ("FLASK_DEBUG", "FLASK_APP")


def app_variables() -> set[str]:
    """Every variable the app reads (found in config.py, so a new setting is covered at once), but the
    test suite's own COMPETENCY_TEST_* and COMPETENCY_REQUIRE_* switches."""
    source = (REPO_ROOT / "src" / "competency" / "config.py").read_text()
    found = set(re.findall(r'"((?:COMPETENCY|DATABASE|SECRET)_[A-Z0-9_]+)"', source))
    return {v for v in found if not v.startswith(("COMPETENCY_TEST_", "COMPETENCY_REQUIRE_BROWSER"))} | set(
        _FLASK_VARIABLES
    )


def pytest_configure(config: pytest.Config) -> None:
    """Run as a fresh clone would: no DATABASE_URL, SECRET_KEY or COMPETENCY_ENV from the shell (the
    README's run command exports one), and an instance folder of the run's own instead of ./instance,
    where `competency demo` leaves a database that a test reading the default would find."""
    for name in app_variables():
        os.environ.pop(name, None)
    folder = Path(tempfile.mkdtemp(prefix="competency-test-instance-"))
    os.environ["COMPETENCY_INSTANCE_DIR"] = str(folder)
    config.stash[_INSTANCE_KEY] = folder


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_INSTANCE_KEY, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


_INSTANCE_KEY = pytest.StashKey[Path]()


def pytest_sessionstart(session: pytest.Session) -> None:
    _check_redis()
    admin_url = postgres_admin_url()
    if admin_url is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.exit(
                f"CI must test PostgreSQL: set {POSTGRES_ENV} "
                "(e.g. postgresql://postgres@127.0.0.1:5432/postgres).",
                returncode=1,
            )
        return
    engine = create_db_engine(admin_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 10})
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # any driver or network error: the configured server is unusable
        pytest.exit(
            f"{POSTGRES_ENV} is set to {_safe(admin_url)} but PostgreSQL cannot be reached: "
            f"{type(exc).__name__}: {exc}".strip(),
            returncode=1,
        )
    finally:
        engine.dispose()


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# -- creating and dropping databases -----------------------------------------------------------------


def _create_postgres_database(prefix: str = "competency_test_") -> str:
    admin_url = postgres_admin_url()
    assert admin_url is not None
    name = f"{prefix}{uuid.uuid4().hex}"
    engine = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url: str) -> None:
    admin_url = postgres_admin_url()
    assert admin_url is not None
    name = make_url(url).database
    engine = create_db_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


@pytest.fixture(scope="session")
def _sqlite_head_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = _sqlite_url(tmp_path_factory.mktemp("db") / "competency.db")
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def _postgresql_head_url() -> Iterator[str]:
    url = _create_postgres_database()
    try:
        migrate.upgrade(url)
        yield url
    finally:
        _drop_postgres_database(url)


# -- the fixture API -------------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS, ids=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run: "sqlite" or "postgresql"."""
    return str(request.param)


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest) -> str:
    """URL of a database migrated to head (once per session and backend)."""
    return str(request.getfixturevalue(f"_{backend}_head_url"))


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """URL of a brand-new database without any table (for migration tests)."""
    if backend == "sqlite":
        yield _sqlite_url(tmp_path / "empty.db")
        return
    url = _create_postgres_database()
    try:
        yield url
    finally:
        _drop_postgres_database(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    """An engine on the migrated database; every row is deleted after the test."""
    engine = create_db_engine(db_url)
    try:
        yield engine
    finally:
        try:
            with engine.begin() as connection:
                for table in reversed(SQLModel.metadata.sorted_tables):
                    connection.execute(table.delete())
        finally:
            engine.dispose()


@pytest.fixture
def session(engine: sa.Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture
def repo_root() -> Path:
    return REPO_ROOT


# -- the job queue -----------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _queue_in_memory(tmp_path: Path) -> Iterator[None]:
    """Jobs a test causes without asking for a queue go to memory, never to a file in the repository."""
    from competency import queue
    from competency.config import Settings

    queue.configure(Settings(env="test", queue_url="memory:", instance_dir=tmp_path / "instance"))
    yield
    queue.stop_embedded()


@pytest.fixture(scope="session")
def redis_queue_name() -> Iterator[str]:
    """A queue name (Redis key prefix) of this test run; its keys are deleted at the end."""
    import redis

    name = f"competency-test-{uuid.uuid4().hex[:12]}"
    client = redis.Redis.from_url(redis_url(), socket_connect_timeout=5)
    client.ping()  # no Redis: the job tests fail here, they are not skipped
    yield name
    for key in client.scan_iter(match=f"huey.*{name}*"):
        client.delete(key)
    client.close()
