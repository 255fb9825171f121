"""Migration 0006_outbox on a database that holds unfinished ZIPs: their remaining work becomes outbox rows."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from competency import migrate
from competency.db import create_db_engine
from competency.models import Outbox


def test_0006_hands_unfinished_zips_to_the_outbox_and_downgrades(empty_db_url: str) -> None:
    migrate.upgrade(empty_db_url, "0005")
    engine = create_db_engine(empty_db_url)
    try:
        with engine.begin() as db:
            db.execute(
                sa.text(
                    'INSERT INTO "user" (id, email, name, password_hash, role, active, session_version, created_at) '
                    "VALUES (1, 'hana@example.org', 'Hana', '', 'hr', true, 1, CURRENT_TIMESTAMP), "
                    "(2, 'ada@example.org', 'Ada', '', 'member', true, 1, CURRENT_TIMESTAMP)"
                )
            )
            # Job 1 was left "running" at 1 of 2 by a killed worker; job 2 was about to be zipped; job 3 is done.
            db.execute(
                sa.text(
                    "INSERT INTO job (id, kind, object_id, questionnaire_key, state, total, done, failed, created_at) "
                    "VALUES (1, 'cycle_zip', 1, 'ml-engineer', 'running', 2, 1, 0, CURRENT_TIMESTAMP), "
                    "(2, 'cycle_zip', 2, 'ml-engineer', 'zipping', 0, 0, 0, CURRENT_TIMESTAMP), "
                    "(3, 'cycle_zip', 3, 'ml-engineer', 'done', 0, 0, 0, CURRENT_TIMESTAMP)"
                )
            )
            db.execute(
                sa.text(
                    "INSERT INTO job_item (id, job_id, subject_id, filename, state) "
                    "VALUES (10, 1, 1, 'hana.pdf', 'done'), (11, 1, 2, 'ada.pdf', 'pending')"
                )
            )
        migrate.upgrade(empty_db_url)
        migrate.check(empty_db_url)
        with Session(engine) as session:
            rows = session.exec(select(Outbox).order_by(Outbox.id)).all()  # type: ignore[arg-type]
            assert [(r.kind, r.key, r.payload, r.job_id, r.state) for r in rows] == [
                ("render_item", "render_item:11", {"item_id": 11}, 1, "pending"),
                ("write_zip", "write_zip:2", {"job_id": 2}, 2, "pending"),
            ]
        engine.dispose()
        migrate.downgrade(empty_db_url, "0005")
        assert not {"outbox", "worker_lease"} & set(sa.inspect(engine).get_table_names())
        with engine.connect() as db:
            assert db.execute(sa.text("SELECT count(*) FROM job_item")).scalar() == 2
    finally:
        engine.dispose()


def test_a_second_upgrade_waits_for_the_first_instead_of_racing_it(empty_db_url: str, backend: str) -> None:
    """Two app containers starting together both run `competency db upgrade`: the lock makes one wait."""
    import os
    import subprocess
    import sys
    import time
    from pathlib import Path

    env = {**os.environ, "DATABASE_URL": empty_db_url}
    command = [str(Path(sys.executable).parent / "competency"), "db", "upgrade"]
    with migrate.migration_lock(empty_db_url):  # a first upgrade is running
        second = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while not _waits_for_the_lock(empty_db_url, backend, second.pid) and time.monotonic() < deadline:
            assert second.poll() is None, second.communicate()[0]
            time.sleep(0.2)
        assert _waits_for_the_lock(empty_db_url, backend, second.pid)
        assert second.poll() is None  # still waiting: it has not touched the schema
    output = second.communicate(timeout=120)[0].decode()
    assert second.returncode == 0, output
    engine = create_db_engine(empty_db_url)
    try:
        assert "outbox" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def _waits_for_the_lock(url: str, backend: str, pid: int) -> bool:
    if backend == "postgresql":
        engine = create_db_engine(url)
        try:
            with engine.connect() as db:
                waiting = db.execute(
                    sa.text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
                ).scalar()
            return bool(waiting)
        finally:
            engine.dispose()
    # SQLite: the second process waits in flock() on the lock file (/proc/locks lists it as blocked: "->").
    from pathlib import Path

    return any(
        "->" in line and " FLOCK " in line and f" {pid} " in line
        for line in Path("/proc/locks").read_text().splitlines()
    )
