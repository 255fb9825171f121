"""The outbox in one process: work recorded with the change survives a broker that is down, a wake-up that
was lost and a worker that died holding a row; each effect happens once; the log never holds a link."""

from __future__ import annotations

import dataclasses
import logging
import re
from datetime import UTC, datetime, timedelta

from sqlmodel import select
from tests.jobs.conftest import free_port, text_of
from tests.jobs.test_report_jobs import cycle_with_two_submissions, start_zip
from tests.web.conftest import login

from competency import queue, relay
from competency.models import Cycle, Job, JobItem, Outbox, SentNotification, User
from competency.services import account_links, cycles, outbox
from competency.web.requests import db


def later(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)


def rows(app, kind: str | None = None) -> list[Outbox]:  # type: ignore[no-untyped-def]
    with app.app_context():
        stmt = select(Outbox).order_by(Outbox.id)  # type: ignore[arg-type]
        if kind:
            stmt = stmt.where(Outbox.kind == kind)
        found = list(db().exec(stmt))
        for row in found:
            db().expunge(row)  # read as they are now, kept after the session ends
        return found


def test_a_zip_started_while_the_broker_is_down_completes_when_it_returns(
    app, make_user, run_jobs, broker_down
) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    page = hr.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Failed" not in page and hr.get(f"/jobs/{job_id}.json").get_json()["state"] == "running"
    assert {r.state for r in rows(app, "render_item")} == {"pending"}
    # The broker is back (the fixture restores it on teardown; here, at once) and the relay wakes the rows.
    queue.huey.storage = queue.storage_for(
        app.config["COMPETENCY_SETTINGS"].resolved_queue_url, queue.huey.name
    )
    assert (
        relay.relay_once(queue.settings(), "worker:test", now=later(queue.settings().job_lease_seconds + 1))
        == 2
    )
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 2 and status["failed"] == 0


def test_work_held_by_a_worker_that_died_comes_back_after_its_lease(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    lease = queue.settings().job_lease_seconds
    first = rows(app, "render_item")[0]
    with app.app_context():
        # A worker takes the row, and is killed before it finishes: nothing but its lease is left.
        assert outbox.claim(db(), first.id, lease) is not None
    queue.huey.storage.flush_all()  # and the queue lost every wake-up with it
    assert relay.relay_once(queue.settings(), "worker:test", now=later(lease / 2)) == 0  # still leased
    assert relay.relay_once(queue.settings(), "worker:test", now=later(lease + 1)) == 2
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 2
    with app.app_context():
        items = db().exec(select(JobItem).where(JobItem.job_id == job_id)).all()
        assert sorted(i.state for i in items) == ["done", "done"]
    # Every row is done, and the relay wakes nothing more.
    assert {r.state for r in rows(app)} == {"done"}
    assert relay.relay_once(queue.settings(), "worker:test", now=later(10 * lease)) == 0
    with app.app_context():  # a done job does not block the next one
        assert cycles_zip(app, world.hr.id, cycle_id) != job_id


def cycles_zip(app, hr_id: int, cycle_id: int) -> int:  # type: ignore[no-untyped-def]
    from competency.services import jobs

    return jobs.start_cycle_zip(db(), db().get(User, hr_id), db().get(Cycle, cycle_id)).id or 0


def test_invitations_of_a_cycle_opened_while_the_broker_is_down_go_out_once_when_it_returns(
    app, make_user, make_team, run_jobs, mailbox, broker_down
) -> None:  # type: ignore[no-untyped-def]
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    ada = make_user("ada@example.org", "Ada Engineer")
    bo = make_user("bo@example.org", "Bo Engineer")
    team_id = make_team("Vision", members=[ada, bo])
    with app.app_context():
        cycles.open_cycle(
            db(),
            db().get(User, hr.id),
            name="Spring",
            questionnaire_key="ml-engineer",
            team_id=team_id,
            due_at=datetime.now(UTC) + timedelta(days=9),
        )
    assert [r.kind for r in rows(app)] == ["cycle_opened"]
    queue.huey.storage = queue.storage_for(
        app.config["COMPETENCY_SETTINGS"].resolved_queue_url, queue.huey.name
    )
    for _ in range(3):  # the relay may run any number of times, from any number of workers
        relay.relay_once(queue.settings(), "worker:test", now=later(3 * queue.settings().job_lease_seconds))
        run_jobs()
    assert len(mailbox.to("ada@example.org")) == 1 and len(mailbox.to("bo@example.org")) == 1
    mails = rows(app, "mail")
    assert [m.state for m in mails] == ["done", "done"]
    # Sent mail leaves no body (and no link) in the database.
    assert all(set(m.payload) == {"to", "kind"} for m in mails)


def test_a_reset_asked_while_the_broker_is_down_arrives_later_and_the_log_holds_no_link(
    app, make_user, run_jobs, mailbox, broker_down, caplog
) -> None:  # type: ignore[no-untyped-def]
    make_user("ada@example.org", "Ada Engineer")
    with caplog.at_level(logging.DEBUG), app.app_context():
        account_links.request_reset(db(), queue.settings(), "ada@example.org")
    assert "could not wake 1 job(s)" in caplog.text  # the failure is logged ...
    assert "set-password" not in caplog.text and "Reset your" not in caplog.text  # ... but not the mail
    queue.huey.storage = queue.storage_for(
        app.config["COMPETENCY_SETTINGS"].resolved_queue_url, queue.huey.name
    )
    relay.relay_once(queue.settings(), "worker:test", now=later(queue.settings().job_lease_seconds + 1))
    with caplog.at_level(logging.DEBUG):
        run_jobs()
    (message,) = mailbox.to("ada@example.org")
    token = re.search(r"/account/set-password#(\S+)", text_of(message)).group(1)  # type: ignore[union-attr]
    # Every line but the test's own SMTP server's (aiosmtpd logs what it receives, at DEBUG).
    ours = "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith("mail.log"))
    assert "relay.run" in ours and token not in ours and "set-password" not in ours


def test_a_reminder_whose_mail_failed_is_sent_later_not_forgotten(
    app, make_user, make_team, run_jobs, mailbox
) -> None:  # type: ignore[no-untyped-def]
    from competency.services import cycle_mail

    hr = make_user("hana@example.org", "Hana HR", role="hr")
    ada = make_user("ada@example.org", "Ada Engineer")
    team_id = make_team("Vision", members=[ada])
    now = datetime.now(UTC)
    with app.app_context():
        cycles.open_cycle(
            db(),
            db().get(User, hr.id),
            name="Spring",
            questionnaire_key="ml-engineer",
            team_id=team_id,
            due_at=now + timedelta(days=5),
        )
    run_jobs()
    mailbox.clear()
    working = queue.settings()
    # The SMTP server is away when the reminder is sent: its claim is made and its mail waits, with a reason.
    queue._state.settings = dataclasses.replace(working, smtp_url=f"smtp://127.0.0.1:{free_port()}")
    try:
        with app.app_context():
            assert cycle_mail.remind(db(), queue.settings(), now + timedelta(days=4, hours=12)) == 1
            assert cycle_mail.remind(db(), queue.settings(), now + timedelta(days=4, hours=12)) == 0
        (reminder,) = rows(app, "mail")[-1:]
        assert relay.run_row(reminder.id)
    finally:
        queue._state.settings = working
    (reminder,) = rows(app, "mail")[-1:]
    assert (
        reminder.state == "pending" and reminder.attempts == 1 and "ConnectionRefusedError" in reminder.error
    )
    with app.app_context():
        assert db().exec(select(SentNotification).where(SentNotification.kind == "reminder-1")).all()
    queue.huey.storage.flush_all()  # the retry's wake-up is lost too
    relay.relay_once(queue.settings(), "worker:test", now=later(3600))
    run_jobs()
    (message,) = mailbox.to("ada@example.org")
    assert "Spring" in message["Subject"]


def test_one_scheduler_holds_the_lease_until_it_stops_renewing(app) -> None:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    with app.app_context():
        assert outbox.take_lease(db(), "scheduler", "host-a:1", 150, now=now)
        assert not outbox.take_lease(db(), "scheduler", "host-b:2", 150, now=now + timedelta(seconds=60))
        assert outbox.take_lease(db(), "scheduler", "host-a:1", 150, now=now + timedelta(seconds=60))
        # host-a died: after its lease, host-b takes over.
        assert outbox.take_lease(db(), "scheduler", "host-b:2", 150, now=now + timedelta(seconds=211))
        assert not outbox.take_lease(db(), "scheduler", "host-a:1", 150, now=now + timedelta(seconds=212))
    # The queue's periodic tasks follow the lease: a second scheduler enqueues none of them.
    assert queue.holds_scheduler("host-c:3") is False
    assert queue.huey.read_periodic(datetime(2026, 12, 7, 7, 0)) == []


def test_a_job_held_by_nobody_is_not_blocked_for_hours(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    with app.app_context():
        job = db().get(Job, job_id)
        from competency.services import jobs

        jobs.cancel_job(db(), db().get(User, world.hr.id), job)
        assert {r.state for r in rows(app, "render_item")} == {"cancelled"}
        assert db().get(Job, job_id).error == "Cancelled by Hana HR."
        jobs.retry_job(db(), db().get(Job, job_id))
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 2


def test_a_pdf_that_kills_its_worker_every_time_is_given_up_and_named(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    lease = queue.settings().job_lease_seconds
    first = rows(app, "render_item")[0]
    with app.app_context():
        for attempt in range(first.max_attempts):  # each attempt's worker dies holding it
            assert outbox.claim(db(), first.id, lease) is not None
            assert (
                relay.relay_once(queue.settings(), "worker:test", now=later((attempt + 1) * (lease + 1))) >= 1
            )
    queue.huey.storage.flush_all()
    relay.relay_once(queue.settings(), "worker:test", now=later(10 * lease))
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 1 and status["failed"] == 1
    (row,) = [r for r in rows(app, "render_item") if r.id == first.id]
    assert row.state == "failed" and "The worker stopped while working on it, 3 times" in (row.error or "")
    assert "The worker stopped while working on it" in hr.get(f"/jobs/{job_id}").get_data(as_text=True)


def test_a_job_longer_than_its_lease_keeps_it_by_heartbeat(app, make_user, run_jobs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    from competency.services import report_cache

    world, cycle_id = cycle_with_two_submissions(app, make_user)
    working = queue.settings()
    queue._state.settings = dataclasses.replace(working, job_lease_seconds=2)
    outbox.set_lease(2)
    woken: list[int] = []
    real = report_cache.person_pdf

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        # Three leases long, while a relay looks for lost work every half second.
        deadline = time.monotonic() + 6
        while time.monotonic() < deadline:
            woken.append(relay.relay_once(queue.settings(), "worker:other"))
            time.sleep(0.5)
        return real(*args, **kwargs)

    hr = app.test_client()
    login(hr, world.hr.email)
    try:
        job_id = start_zip(hr, cycle_id)
        monkeypatch.setattr(report_cache, "person_pdf", slow)
        row = rows(app, "render_item")[0]
        runner = threading.Thread(target=relay.run_row, args=(row.id,))
        runner.start()
        runner.join(timeout=30)
    finally:
        queue._state.settings = working
        outbox.set_lease(working.job_lease_seconds)
    assert not runner.is_alive() and len(woken) >= 10
    # The relay was at work (it woke the other row, never claimed, each lease) but never took the running
    # one: had it, the row would be pending again, not done after one attempt.
    (done,) = [r for r in rows(app, "render_item") if r.id == row.id]
    assert done.state == "done" and done.attempts == 1
    assert sum(woken) >= 2 and job_id


def test_finished_work_leaves_the_outbox_and_a_later_retry_records_it_again(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    from competency.services import jobs

    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    with app.app_context():
        jobs.cancel_job(db(), db().get(User, world.hr.id), db().get(Job, job_id))
        assert outbox.prune(db(), now=later(6 * 24 * 3600)) == 0  # kept a week
        assert outbox.prune(db(), now=later(8 * 24 * 3600)) == 2  # the two cancelled items
        assert rows(app) == []
        jobs.retry_job(db(), db().get(Job, job_id))
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 2
