"""Run Alembic from code (the CLI and the tests), with the migrations found in a checkout or a wheel.

Upgrades and downgrades hold a lock for their whole run, so app containers that all run
`competency db upgrade` as they start migrate one after the other: the first does the work, the others
find the database at head. PostgreSQL: a session advisory lock; SQLite: a lock file beside the database.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

from competency.resources import resource_path

#: pg_advisory_lock's key for migrations ("competency" as a number; any fixed value would do).
MIGRATION_LOCK = 0x636F6D70


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_path("migrations")))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logging"] = False
    return cfg


@contextlib.contextmanager
def migration_lock(database_url: str) -> Iterator[None]:
    """Held while one process migrates; another waits for it (no timeout: a migration may take long)."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        from competency.db import create_db_engine

        engine = create_db_engine(database_url, poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                    connection.commit()
        finally:
            engine.dispose()
    elif url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.with_name(path.name + ".migrate-lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    else:
        yield


def upgrade(database_url: str, revision: str = "head") -> None:
    with migration_lock(database_url):
        command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    with migration_lock(database_url):
        command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrated schema differ (a migration is missing)."""
    command.check(alembic_config(database_url))
