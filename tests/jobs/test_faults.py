"""Faults injected into `competency worker` as production runs it, on a Redis server each test owns (a unix
socket under tmp; flushed, stopped and restarted here without touching anyone else's): a worker killed
with SIGKILL mid-ZIP, Redis's data lost mid-ZIP with mails waiting, a cycle opened while Redis is down.
Nothing is lost and nothing happens twice. Bounded waits only; a short lease (4 s) keeps each under a minute.
"""

from __future__ import annotations

import dataclasses
import io
import os
import signal
import subprocess
import sys
import time
import uuid
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from sqlmodel import select
from tests.jobs.test_report_jobs import start_zip
from tests.jobs.test_worker import alive, children_of
from tests.web.conftest import login
from tests.web.world import answers_for

from competency import queue
from competency.models import Cycle, Job, JobItem, Outbox, User
from competency.services import assessments, cycles
from competency.web.requests import catalog, db

BIN = Path(sys.executable).parent
LEASE = 4
PEOPLE = 10


class PrivateRedis:
    """redis-server on a unix socket, without persistence (as production may run it)."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "redis.sock"
        self.url = f"unix://{self.socket}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(self.socket),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: self.socket.exists() and self.client().ping(), "redis-server to start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None
        self.socket.unlink(missing_ok=True)

    def client(self) -> redis.Redis:
        return redis.Redis(unix_socket_path=str(self.socket))


def wait_for(condition: Callable[[], object], what: str, timeout: float = 45) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except (OSError, redis.ConnectionError):
            pass
        time.sleep(0.2)
    raise AssertionError(f"waited {timeout} s for {what}")


@pytest.fixture
def broker(app, tmp_path: Path) -> Iterator[PrivateRedis]:  # type: ignore[no-untyped-def]
    """The app's queue on a private Redis, with a 4-second lease; the shared queue is restored after."""
    server = PrivateRedis(Path(f"/tmp/competency-faults-{uuid.uuid4().hex[:8]}"))
    server.socket.parent.mkdir()
    server.start()
    before_settings, before_storage, before_name = queue.settings(), queue.huey.storage, queue.huey.name
    settings = dataclasses.replace(
        app.config["COMPETENCY_SETTINGS"], queue_url=server.url, job_lease_seconds=LEASE
    )
    app.config["COMPETENCY_SETTINGS"] = settings
    queue.configure(settings, app.extensions["competency.engine"], name="faults")
    try:
        yield server
    finally:
        queue.configure(before_settings, app.extensions["competency.engine"], name=before_name)
        queue.huey.storage = before_storage
        server.stop()
        server.socket.parent.rmdir()


class Worker:
    def __init__(self, settings, db_url: str, log: Path) -> None:  # type: ignore[no-untyped-def]
        self.log = log
        env = {
            **os.environ,
            "DATABASE_URL": db_url,
            "COMPETENCY_QUEUE_URL": settings.queue_url,
            "COMPETENCY_QUEUE_NAME": "faults",
            "COMPETENCY_INSTANCE_DIR": str(settings.instance_dir),
            "COMPETENCY_QUESTIONNAIRE_DIR": str(settings.questionnaire_dir),
            "COMPETENCY_SMTP_URL": settings.smtp_url,
            "COMPETENCY_BASE_URL": settings.base_url,
            "COMPETENCY_JOB_LEASE_SECONDS": str(LEASE),
        }
        with log.open("a") as out:
            self.process = subprocess.Popen(
                [str(BIN / "competency"), "worker", "--workers", "1"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def children(self) -> set[int]:
        return children_of(self.process.pid)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def workers(broker, app, db_url, tmp_path) -> Iterator[Callable[[], Worker]]:  # type: ignore[no-untyped-def]
    started: list[Worker] = []

    def start() -> Worker:
        worker = Worker(app.config["COMPETENCY_SETTINGS"], db_url, tmp_path / "worker.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    log = tmp_path / "worker.log"
    print(log.read_text() if log.exists() else "no worker log")  # shown when the test failed


def big_cycle(app, make_user) -> tuple[int, int, list[str]]:  # type: ignore[no-untyped-def]
    """A team of PEOPLE members who each submitted in an open cycle; (hr id, cycle id, member emails)."""
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    people = [make_user(f"p{n:02d}@example.org", f"Person {n:02d}") for n in range(PEOPLE)]
    from competency.services import users as users_service

    with app.app_context():
        session = db()
        team, _ = users_service.create_team(session, "Vision")
        for person in people:
            users_service.add_member(session, team, session.get(User, person.id), "member")
        now = datetime.now(UTC)
        cycle = Cycle(
            name="Autumn review",
            questionnaire_key="ml-engineer",
            team_id=team.id,
            opens_at=now - timedelta(days=1),
            due_at=now + timedelta(days=10),
        )
        session.add(cycle)
        session.commit()
        questionnaire = catalog().get("ml-engineer")
        for person in people:
            assessments.record(
                session,
                questionnaire,
                subject=session.get(User, person.id),
                assessor=session.get(User, person.id),
                kind="self",
                level="mid",
                answers=answers_for(questionnaire, 3),
                cycle_id=cycle.id,
            )
        session.commit()
        return hr.id, cycle.id or 0, [p.email for p in people]


def job_state(app, job_id: int) -> tuple[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = db().get(Job, job_id)
        return job.state, job.done + job.failed


def wait_for_zip(app, job_id: int) -> None:  # type: ignore[no-untyped-def]
    try:
        wait_for(lambda: job_state(app, job_id)[0] == "done", "the ZIP to complete")
    except AssertionError:
        with app.app_context():  # what the outbox held, in the failure's output
            for r in db().exec(select(Outbox)):
                print("outbox", r.id, r.kind, r.state, r.attempts, r.due_at, r.lease_until, r.error)
        raise


def assert_whole_zip(app, client, job_id: int) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = db().get(Job, job_id)
        assert (job.state, job.done, job.failed) == ("done", PEOPLE, 0), job.error
        items = db().exec(select(JobItem).where(JobItem.job_id == job_id)).all()
        expected = sorted(i.filename for i in items)
        assert {r.state for r in db().exec(select(Outbox).where(Outbox.job_id == job_id))} == {"done"}
    response = client.get(f"/jobs/{job_id}/file")
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    response.close()
    pdfs = [n for n in names if n.endswith(".pdf")]
    assert sorted(pdfs) == expected and len(set(pdfs)) == PEOPLE  # every PDF, each once


def open_cycle(app, hr_id: int) -> None:  # type: ignore[no-untyped-def]
    """A second cycle for the same team (another framework): an invitation to each of its members."""
    with app.app_context():
        team_id = db().exec(select(Cycle.team_id)).first()
        cycles.open_cycle(
            db(),
            db().get(User, hr_id),
            name="Winter",
            questionnaire_key="ml-team-manager",
            team_id=team_id,
            due_at=datetime.now(UTC) + timedelta(days=9),
        )


def test_a_worker_killed_mid_zip_loses_nothing_and_its_children_die_with_it(app, make_user, workers) -> None:  # type: ignore[no-untyped-def]
    _hr_id, cycle_id, _ = big_cycle(app, make_user)
    hr = app.test_client()
    login(hr, "hana@example.org")
    job_id = start_zip(hr, cycle_id)
    first = workers()
    wait_for(lambda: job_state(app, job_id)[1] >= 2, "the first PDFs")
    children = first.children()
    assert len(children) >= 2  # a worker process and the scheduler
    first.kill()
    # The kernel ends every child with its worker: no orphan keeps running old code or a second scheduler.
    wait_for(lambda: not [pid for pid in children if alive(pid)], "the children to die", timeout=10)
    assert job_state(app, job_id)[0] == "running"
    workers()  # a new worker takes over what the dead one held, after its lease
    wait_for_zip(app, job_id)
    assert_whole_zip(app, hr, job_id)


def test_redis_losing_its_data_mid_zip_with_mails_waiting_loses_nothing(
    app, make_user, workers, broker, mailbox
) -> None:  # type: ignore[no-untyped-def]
    hr_id, cycle_id, emails = big_cycle(app, make_user)
    hr = app.test_client()
    login(hr, "hana@example.org")
    open_cycle(app, hr_id)  # the invitations: PEOPLE mails
    job_id = start_zip(hr, cycle_id)
    workers()
    wait_for(lambda: job_state(app, job_id)[1] >= 2, "the first PDFs")
    broker.client().flushall()  # the broker's whole data is gone (a restart without persistence)
    wait_for_zip(app, job_id)
    wait_for(lambda: all(mailbox.to(e) for e in emails), "every invitation")
    assert_whole_zip(app, hr, job_id)
    time.sleep(LEASE)  # a lease more, in case a copy were still to come
    assert [len(mailbox.to(e)) for e in emails] == [1] * PEOPLE


def test_a_cycle_opened_while_redis_is_down_sends_its_invitations_when_it_returns(
    app, make_user, workers, broker, mailbox
) -> None:  # type: ignore[no-untyped-def]
    hr_id, _cycle_id, emails = big_cycle(app, make_user)
    broker.stop()
    open_cycle(app, hr_id)  # HR is told the cycle is open, and it is: with its work recorded
    with app.app_context():
        assert [r.kind for r in db().exec(select(Outbox))] == ["cycle_opened"]
    broker.start()  # back, empty
    workers()
    wait_for(lambda: all(mailbox.to(e) for e in emails), "every invitation")
    time.sleep(LEASE)
    assert [len(mailbox.to(e)) for e in emails] == [1] * PEOPLE
