"""`competency worker` as production runs it: process workers on Redis, replaced after N jobs, gone after SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select
from tests.conftest import redis_url
from tests.jobs.test_report_jobs import cycle_with_two_submissions, start_zip
from tests.web.conftest import login

from competency import queue
from competency.config import ConfigError
from competency.models import Job
from competency.web.requests import db

BIN = Path(sys.executable).parent


def children_of(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text().split() if (task / "children").exists() else []
        found.update(int(p) for p in text)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_worker_processes_run_the_jobs_are_recycled_and_end_with_the_worker(
    app, make_user, db_url, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    settings = app.config["COMPETENCY_SETTINGS"]
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "COMPETENCY_QUEUE_URL": redis_url(),
        "COMPETENCY_QUEUE_NAME": queue.huey.name,
        "COMPETENCY_INSTANCE_DIR": str(settings.instance_dir),
        "COMPETENCY_QUESTIONNAIRE_DIR": str(settings.questionnaire_dir),
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [str(BIN / "competency"), "worker", "--workers", "1", "--max-jobs", "1", "--no-periodic"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            state = None
            seen_children: set[int] = set()
            while time.monotonic() < deadline:
                seen_children |= children_of(worker.pid)
                with app.app_context():
                    state = db().get(Job, job_id).state
                    db().rollback()
                if state in ("done", "failed"):
                    break
                assert worker.poll() is None, log.read_text()
                time.sleep(0.5)
            assert state == "done", log.read_text()
            seen_children |= children_of(worker.pid)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=90)
    text = log.read_text()
    # Three jobs, one per worker process: the first two processes were replaced.
    assert text.count("restarting (max tasks)") >= 2, text
    assert len(seen_children) >= 2
    time.sleep(0.5)
    assert not [pid for pid in seen_children if alive(pid)], "a worker process outlived the worker"
    response = hr.get(f"/jobs/{job_id}/file")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    response.close()


def test_queue_urls_are_checked() -> None:
    import pytest

    assert type(queue.storage_for("sqlite:////tmp/x-queue.db")).__name__ == "SqliteStorage"
    assert type(queue.storage_for(redis_url())).__name__ == "RedisStorage"
    with pytest.raises(ConfigError, match="COMPETENCY_QUEUE_URL"):
        queue.storage_for("amqp://broker")


def test_the_embedded_default_runs_jobs_from_a_sqlite_file_without_redis(
    tmp_path, engine, db_url, mailbox
) -> None:  # type: ignore[no-untyped-def]
    from competency.config import Settings
    from competency.db import session_scope
    from competency.models import Outbox
    from competency.services import notifications

    settings = Settings(
        env="development",
        database_url=db_url,
        instance_dir=tmp_path / "instance",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
    )
    assert settings.runs_embedded_worker and settings.resolved_queue_url.startswith("sqlite:///")
    queue.start_embedded(settings, engine)
    try:
        mail = notifications.Mail(to="ada@example.org", subject="hello", text="t", html="<p>h</p>")
        # A real job through the SQLite queue file and the embedded consumer thread.
        with session_scope(engine) as session:
            notifications.send(session, mail)
        deadline = time.monotonic() + 30
        while not mailbox.to("ada@example.org") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(mailbox.to("ada@example.org")) == 1
        assert (tmp_path / "instance" / "queue.db").is_file()
        with session_scope(engine) as session:
            deadline = time.monotonic() + 10
            while session.exec(select(Outbox.state)).one() != "done" and time.monotonic() < deadline:
                session.rollback()
                time.sleep(0.1)
            assert session.exec(select(Outbox.state)).one() == "done"
    finally:
        queue.stop_embedded()
