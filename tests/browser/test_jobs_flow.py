"""Cycles get done: HR opens a cycle and the people it asks receive invitations (read from an SMTP server
on loopback), a reminder and an overdue notice go out on schedule (time moved forward, not waited for),
HR prepares a cycle ZIP, watches its progress bar and downloads it, and an imported person sets their
password from the emailed link. Jobs run on the real Redis, worked by two consumer threads."""

from __future__ import annotations

import re
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session, select
from tests.browser.conftest import shot
from tests.browser.test_hr import HR, pdf_text, smallest_cycle
from tests.conftest import redis_url
from tests.jobs.conftest import Mailbox, free_port, text_of
from werkzeug.serving import make_server

from competency import migrate, queue
from competency.app import create_app
from competency.config import Settings
from competency.models import Cycle, User
from competency.resources import resource_path
from competency.services import cycle_mail, demo, org_import, passwords

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "demo-password"
ADMIN = next(p for p in demo.PEOPLE if p.role == "admin")
#: Rendering a cycle's PDFs on a small shared machine.
ZIP_TIMEOUT_MS = 180_000


@pytest.fixture(scope="module")
def jobs_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from aiosmtpd.controller import Controller

    from competency.db import create_db_engine, session_scope
    from competency.questionnaire import load_file, questionnaire_files

    original = passwords._hasher, passwords._DUMMY_HASH
    passwords._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    passwords._DUMMY_HASH = passwords._hasher.hash("dummy")
    folder = tmp_path_factory.mktemp("jobs-live")
    url = f"sqlite:///{folder / 'live.db'}"
    migrate.upgrade(url)
    engine = create_db_engine(url)
    frameworks = {q.id: q for q in map(load_file, questionnaire_files([resource_path("questionnaires")]))}
    with session_scope(engine) as session:
        demo.load_demo(session, frameworks)
    engine.dispose()

    mailbox = Mailbox(port=free_port())
    smtp = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    smtp.start()
    port = free_port()
    settings = Settings(
        env="test",
        database_url=url,
        secret_key="browser-jobs-secret-0123456789-abcdefghijklmnop",
        questionnaire_dir=resource_path("questionnaires"),
        instance_dir=folder / "instance",
        queue_url=redis_url(),
        queue_name=f"competency-browser-{uuid.uuid4().hex[:8]}",
        smtp_url=f"smtp://127.0.0.1:{mailbox.port}",
        mail_from="competency@example.org",
        # Links in the mails point at the live server, so the browser can follow them.
        base_url=f"http://127.0.0.1:{port}",
        embedded_worker=False,
    )
    app = create_app(settings=settings)
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    queue.configure(settings, app.extensions["competency.engine"])
    consumer = queue.thread_consumer(workers=2)
    yield {
        "app": app,
        "settings": settings,
        "mailbox": mailbox,
        "url": settings.base_url,
        "consumer": consumer,
    }
    queue.stop_thread_consumer(consumer)
    queue.huey.storage.flush_all()
    server.shutdown()
    smtp.stop()
    app.extensions["competency.engine"].dispose()
    passwords._hasher, passwords._DUMMY_HASH = original


@pytest.fixture
def live_page(browser, jobs_live):  # type: ignore[no-untyped-def]
    # The suite's per-test fixture points the queue at memory; this test's server and workers use Redis.
    queue.configure(jobs_live["settings"], jobs_live["app"].extensions["competency.engine"])
    context = browser.new_context(
        base_url=jobs_live["url"], viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


def log_in(page, email: str, password: str = DEMO_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/$"))


def wait_for_mail(mailbox: Mailbox, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(mailbox.messages) >= count:
            time.sleep(0.3)  # let stragglers arrive, so an extra mail is noticed
            return
        time.sleep(0.2)
    raise AssertionError(f"{len(mailbox.messages)} of {count} mails arrived")


def test_a_cycle_gets_done_invitations_reminders_zip_and_set_password(live_page, jobs_live, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page, mailbox, settings = live_page, jobs_live["mailbox"], jobs_live["settings"]
    engine = jobs_live["app"].extensions["competency.engine"]
    mailbox.clear()

    # 1. HR opens an organisation-wide cycle; everyone it asks gets an invitation.
    log_in(page, HR.email)
    page.goto("/cycles/new")
    page.get_by_label("Name").fill("Autumn check-in")
    page.get_by_label("Framework").select_option("ml-engineer")
    page.get_by_label("Team").select_option("all")
    page.get_by_label("Who is asked").select_option("members")
    due_day = (datetime.now(UTC) + timedelta(days=10)).date()
    page.get_by_label("Due date").fill(due_day.isoformat())
    page.get_by_role("button", name=re.compile("Open")).click()
    page.wait_for_url(re.compile(r"/cycles/\d+"))
    cycle_id = int(re.search(r"/cycles/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    with Session(engine) as session:
        cycle = session.get(Cycle, cycle_id)
        asked = {
            s.email
            for s in cycle_mail._statuses(session, cycle, datetime.now(UTC))
            if s.status != "submitted"
        }
    assert len(asked) >= 5
    wait_for_mail(mailbox, len(asked))
    invitations = [m for m in mailbox.messages if m["Subject"] == "Please rate yourself: Autumn check-in"]
    assert {m["To"] for m in invitations} == asked and len(invitations) == len(asked)
    assert f"{settings.base_url}/assessments/new?questionnaire=ml-engineer" in text_of(invitations[0])
    mailbox.clear()

    # 2. Time moves on: the one-day reminder, then (after the due date) the overdue notice, once each.
    # (The demo's own open cycles get theirs in the same sweeps; only this cycle's mails are looked at.)
    due = cycle.due_at

    def sweep(at: datetime) -> list[Any]:
        mailbox.clear()
        with Session(engine) as session:
            queued = cycle_mail.remind(session, settings, at)
        wait_for_mail(mailbox, queued)
        return [m for m in mailbox.messages if "Autumn check-in" in m["Subject"]]

    reminders = sweep(due - timedelta(hours=20))
    assert {m["Subject"] for m in reminders} == {"Autumn check-in: due today"}
    assert sorted(m["To"] for m in reminders) == sorted(asked)
    assert sweep(due - timedelta(hours=19)) == []  # at most once
    overdue = sweep(due + timedelta(hours=2))
    assert {m["Subject"] for m in overdue} == {"Overdue: Autumn check-in"}
    assert sorted(m["To"] for m in overdue) == sorted(asked)
    assert sweep(due + timedelta(days=2)) == []
    mailbox.clear()

    # 3. HR prepares the ZIP of a cycle with results, watches the bar, downloads the file.
    zip_cycle, zip_name, zip_people, _ = smallest_cycle(engine)
    page.goto(f"/cycles/{zip_cycle}")
    page.get_by_role("button", name="Prepare the ZIP").click()
    page.wait_for_url(re.compile(rf"/cycles/{zip_cycle}"))
    bar = page.locator(".job-progress progress")
    assert bar.is_visible()
    labels = set()
    download_link = page.locator("[data-job-download]")
    deadline = time.monotonic() + ZIP_TIMEOUT_MS / 1000
    while not download_link.is_visible() and time.monotonic() < deadline:
        labels.add(page.locator("[data-job-text]").inner_text())
        time.sleep(0.2)
    labels.add(page.locator("[data-job-text]").inner_text())
    shot(page, "40-cycle-zip-ready")
    assert any(re.fullmatch(rf"\d+ of {len(zip_people)} reports", label) for label in labels), labels
    assert f"Ready: {len(zip_people)} reports." in labels
    # The bar survives a reload and still offers the file.
    page.reload()
    assert page.locator("[data-job-download]").is_visible()
    assert page.locator(".job-progress progress").get_attribute("value") == str(len(zip_people))
    with page.expect_download(timeout=60_000) as info:
        page.locator("[data-job-download]").click()
    download = info.value
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
        assert len(pdfs) == len(zip_people)
        assert archive.read("README.txt").decode().startswith(f"{zip_name}: {len(zip_people)} report(s).")
        assert any(zip_people[0] in pdf_text(archive.read(name)) for name in pdfs)
    page.goto("/audit")
    assert (
        page.locator("table tbody tr")
        .filter(has_text="report.cycle.download")
        .filter(has_text=f"cycle:{zip_cycle}")
        .count()
        == 1
    )

    # 4. An imported person gets a set-password link from an admin and uses it.
    with Session(engine) as session:
        org_import.import_csv(
            session,
            b"email,name,team,team_role,global_role,level\nnoor@example.org,Noor Newcomer,Vision,member,member,mid\n",
        )
        session.commit()
        noor = session.exec(select(User).where(User.email == "noor@example.org")).one()
    page.goto("/")
    page.get_by_role("button", name="Log out").click()
    log_in(page, ADMIN.email)
    page.goto(f"/admin/users/{noor.id}")
    page.get_by_role("button", name="Email a set-password link").click()
    wait_for_mail(mailbox, 1)
    (mail,) = mailbox.messages
    assert mail["To"] == "noor@example.org"
    # The token travels in the fragment, which no server log sees; the page moves it into the form.
    link = re.search(r"http://127\.0\.0\.1:\d+/account/set-password#\S+", text_of(mail)).group(0)  # type: ignore[union-attr]
    page.get_by_role("button", name="Log out").click()
    page.goto(link)
    assert page.get_by_role("heading", name="Choose your password").is_visible()
    page.wait_for_function("() => !window.location.hash")  # and takes it off the address bar
    shot(page, "41-set-password")
    page.get_by_label("New password").fill("noor's long password")
    page.get_by_label("Repeat it").fill("noor's long password")
    page.get_by_role("button", name="Set my password").click()
    page.wait_for_url(re.compile(r"/login"))
    log_in(page, "noor@example.org", "noor's long password")
    assert page.get_by_text("Noor Newcomer").first.is_visible()
