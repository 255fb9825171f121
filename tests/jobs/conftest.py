"""Job tests: the app with its queue on the real Redis (a queue name per test), a real SMTP server on
loopback (aiosmtpd) that keeps what it receives, and `run_jobs()` to work the queue in the test."""

from __future__ import annotations

import email
import socket
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from tests.conftest import redis_url
from tests.web.conftest import (  # noqa: F401  (fixtures used by the job tests)
    _fast_password_hashing,
    login_as,
    make_team,
    make_user,
)

from competency import queue
from competency.app import create_app
from competency.config import Settings
from competency.resources import resource_path

BASE_URL = "http://competency.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the loopback SMTP server received, parsed."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html",))
    assert part is not None
    return str(part.get_content())


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    from aiosmtpd.controller import Controller

    box = Mailbox(port=free_port())
    controller = Controller(box, hostname="127.0.0.1", port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def job_settings(db_url: str, tmp_path: Path, mailbox: Mailbox) -> Settings:
    return Settings(
        env="test",
        database_url=db_url,
        secret_key="jobs-test-secret-key-0123456789-abcdefghij",
        questionnaire_dir=resource_path("questionnaires"),
        instance_dir=tmp_path / "instance",
        queue_url=redis_url(),
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        mail_from="competency@example.org",
        base_url=BASE_URL,
        embedded_worker=False,
    )


@pytest.fixture
def app(engine, job_settings: Settings, redis_queue_name: str) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app on the test database, its jobs on a queue of their own in the real Redis."""
    app = create_app({"TESTING": True}, settings=job_settings)
    queue.configure(
        job_settings, app.extensions["competency.engine"], name=f"{redis_queue_name}-{uuid.uuid4().hex[:8]}"
    )
    queue.load_tasks()
    yield app
    queue.huey.storage.flush_all()
    app.extensions["competency.engine"].dispose()


def _far_future() -> datetime:
    # Huey keeps naive UTC times; a day ahead makes every scheduled retry due now.
    return datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)


@pytest.fixture
def run_jobs(app: Flask) -> Callable[..., int]:
    """Work the queue in this thread until it is empty, retries included (their delay is skipped)."""

    def _run(limit: int = 10_000) -> int:
        count = 0
        while count < limit:
            task = queue.huey.dequeue()
            if task is None:
                due = queue.huey.read_schedule(_far_future())
                for scheduled in due:
                    queue.huey.enqueue(scheduled)
                if due:
                    continue
                return count
            queue.huey.execute(task, _far_future())
            count += 1
        raise AssertionError(f"the queue did not empty after {limit} jobs")

    return _run


@pytest.fixture
def broker_down(app: Flask) -> Iterator[None]:
    """The queue pointed at a loopback port nobody listens on (a real refused connection), then back."""
    from huey.storage import RedisStorage

    working = queue.huey.storage
    queue.huey.storage = RedisStorage(working.name, url=f"redis://127.0.0.1:{free_port()}/0")
    yield
    queue.huey.storage = working
