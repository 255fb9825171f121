"""Failures people can see and act on: a storage folder that refuses writes, failed and stalled jobs on
their page with retry and cancel, undelivered mail on the admin page, invitations still waiting on the
cycle page, and /readyz saying what is wrong."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select
from tests.jobs.conftest import free_port
from tests.jobs.test_report_jobs import cycle_with_two_submissions, start_zip
from tests.web.conftest import csrf_token, login

from competency import queue, relay
from competency.models import Job, Outbox, User
from competency.services import cycles, report_cache
from competency.web.requests import db


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """A folder the kernel refuses to write to: a read-only tmpfs (as root), else one without write bits."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)], capture_output=True
        )
        if mounted.returncode != 0:
            pytest.skip("root without the right to mount: no way to make a folder read-only here")
        try:
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_storage_that_refuses_writes_fails_the_zip_at_the_first_write_in_words(
    app, make_user, run_jobs, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    settings = app.config["COMPETENCY_SETTINGS"]
    renders: list[int] = []
    real = report_cache.person_pdf

    def counting(session, settings, subject, key, **kwargs):  # type: ignore[no-untyped-def]
        renders.append(subject.id)
        return real(session, settings, subject, key, **kwargs)

    monkeypatch.setattr(report_cache, "person_pdf", counting)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    with read_only(settings.resolved_storage_dir):
        run_jobs()
        status = hr.get(f"/jobs/{job_id}.json").get_json()
        page = hr.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert status["state"] == "failed" and len(renders) == 1  # the first write, not after every retry
    assert status["error"].startswith("The storage folder refuses new files (")
    assert str(settings.instance_dir) not in page and "/tmp" not in status["error"]
    assert "Retry what is not finished" in page
    token = csrf_token(hr, f"/jobs/{job_id}")
    assert hr.post(f"/jobs/{job_id}/retry", data={"csrf_token": token}).status_code == 302
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 2 and status["failed"] == 0


def test_a_job_page_names_the_failed_reports_and_says_when_no_worker_runs(
    app, make_user, run_jobs, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    page = hr.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "No worker is running" in page and "Cancel" in page
    relay.relay_once(queue.settings(), "worker:test")  # a worker beats
    assert "No worker is running" not in hr.get(f"/jobs/{job_id}").get_data(as_text=True)
    real = report_cache.person_pdf

    def flaky(session, settings, subject, key, **kwargs):  # type: ignore[no-untyped-def]
        if subject.id == world.subject.id:
            raise RuntimeError("the render ran out of time")
        return real(session, settings, subject, key, **kwargs)

    monkeypatch.setattr(report_cache, "person_pdf", flaky)
    run_jobs()
    page = hr.get(f"/jobs/{job_id}").get_data(as_text=True)
    assert "Reports that could not be made" in page
    assert "Sam Subject &lt;sam@example.org&gt;: RuntimeError: the render ran out of time" in page


def test_hr_cancels_a_running_job_and_its_work_stops(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    token = csrf_token(hr, f"/jobs/{job_id}")
    hr.post(f"/jobs/{job_id}/cancel", data={"csrf_token": token})
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "failed" and status["error"] == "Cancelled by Hana HR." and status["done"] == 0
    with app.app_context():
        assert {r.state for r in db().exec(select(Outbox).where(Outbox.job_id == job_id))} == {"cancelled"}
    # A new ZIP may be prepared at once (no three-hour wait).
    page = hr.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Prepare again with the latest results" in page and "What went wrong, and retry" in page


def test_undelivered_mail_waits_on_the_admin_page_and_is_sent_by_retry(
    app, make_user, make_team, run_jobs, mailbox, login_as
) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    admin = make_user("ada@example.org", "Ada Admin", role="admin")
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    bo = make_user("bo@example.org", "Bo Engineer")
    team_id = make_team("Vision", members=[bo])
    working = queue.settings()
    queue._state.settings = dataclasses.replace(working, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    try:
        with app.app_context():
            cycles.open_cycle(
                db(),
                db().get(User, hr.id),
                name="Spring",
                questionnaire_key="ml-engineer",
                team_id=team_id,
                due_at=datetime.now(UTC) + timedelta(days=9),
            )
        run_jobs()  # the mail server refuses every attempt (their delays are skipped here)
    finally:
        queue._state.settings = working
    hr_client = login_as(hr)
    cycle_page = hr_client.get("/cycles").get_data(as_text=True)
    cycle_id = int(re.search(r"/cycles/(\d+)", cycle_page).group(1))  # type: ignore[union-attr]
    assert "1 invitation still waiting to be sent" in hr_client.get(f"/cycles/{cycle_id}").get_data(
        as_text=True
    )
    client = login_as(admin)
    page = client.get("/admin/jobs").get_data(as_text=True)
    assert (
        "bo@example.org" in page and "given up after 7 attempts" in page and "ConnectionRefusedError" in page
    )
    row_id = int(re.search(r"/admin/jobs/mail/(\d+)/retry", page).group(1))  # type: ignore[union-attr]
    client.post(f"/admin/jobs/mail/{row_id}/retry", data={"csrf_token": csrf_token(client, "/admin/jobs")})
    run_jobs()
    assert len(mailbox.to("bo@example.org")) == 1
    assert "bo@example.org" not in client.get("/admin/jobs").get_data(as_text=True)
    assert "still waiting to be sent" not in hr_client.get(f"/cycles/{cycle_id}").get_data(as_text=True)


def test_readyz_says_what_is_wrong_and_healthz_stays_cheap(app, make_user, broker_down) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["database"] == "ok" and body["queue"] == "unreachable"
    assert any("No worker has been seen" in p for p in body["problems"])
    assert any("job queue cannot be reached" in p for p in body["problems"])
    assert client.get("/healthz").status_code == 200  # a load balancer keeps sending requests
    queue.huey.storage = queue.storage_for(
        app.config["COMPETENCY_SETTINGS"].resolved_queue_url, queue.huey.name
    )
    relay.relay_once(queue.settings(), "worker:test")
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["workers"] == 1 and response.get_json()["storage"]["free_mb"] > 0
    with read_only(app.config["COMPETENCY_SETTINGS"].resolved_storage_dir):
        body = client.get("/readyz").get_json()
    assert body["storage"] == "unwritable" and "storage folder refuses writes" in body["problems"][0]
    assert "/tmp" not in str(body)


def test_a_worker_that_stopped_beating_is_no_longer_counted(app) -> None:  # type: ignore[no-untyped-def]
    relay.relay_once(queue.settings(), "worker:gone", now=datetime.now(UTC) - timedelta(minutes=2))
    with app.app_context():
        from competency.services import outbox

        assert outbox.live_workers(db()) == []
        assert db().exec(select(Job)).all() == []
