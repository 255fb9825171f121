"""Cycle and team ZIPs as jobs on Redis, their progress, download and expiry; the PDF cache."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader
from sqlmodel import select
from tests.web.conftest import login
from tests.web.test_reports import make_team_member
from tests.web.world import answers_for, build_world

from competency.models import Answer, AuditEvent, Cycle, Job, StoredFile, User
from competency.services import assessments, report_cache, storage
from competency.web.requests import catalog, db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def cycle_with_two_submissions(app, make_user):  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    with app.app_context():
        session = db()
        now = datetime.now(UTC)
        cycle = Cycle(
            name="Autumn review",
            questionnaire_key="ml-engineer",
            team_id=world.team_id,
            opens_at=now - timedelta(days=10),
            due_at=now + timedelta(days=10),
        )
        session.add(cycle)
        session.commit()
        questionnaire = catalog().get("ml-engineer")
        for person_id, level in ((world.subject.id, "senior"), (world.manager.id, "mid")):
            person = session.get(User, person_id)
            assessments.record(
                session,
                questionnaire,
                subject=person,
                assessor=person,
                kind="self",
                level=level,
                answers=answers_for(questionnaire, 3, level),
                cycle_id=cycle.id,
            )
        session.commit()
        cycle_id = cycle.id
    newcomer = make_user("nina@example.org", "Nina Newcomer")
    make_team_member(app, world.team_id, newcomer.id)
    return world, cycle_id


def start_zip(client, cycle_id: int) -> int:  # type: ignore[no-untyped-def]
    page = client.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(f"/cycles/{cycle_id}/zip", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/cycles/{cycle_id}#reports-zip"
    )
    with client.application.app_context():
        job = db().exec(select(Job).where(Job.object_id == cycle_id, Job.kind == "cycle_zip")).one()
    return job.id or 0


def downloads(app) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db().exec(select(AuditEvent).where(AuditEvent.action == "report.cycle.download")))


def test_cycle_zip_is_a_job_with_progress_and_is_audited_only_when_downloaded(
    app, make_user, run_jobs
) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)

    before = hr.get(f"/jobs/{job_id}.json").get_json()
    assert before["state"] == "running" and before["label"] == "0 of 2" and before["download_url"] is None
    assert hr.get(f"/jobs/{job_id}/file").status_code == 404
    # The page shows the bar, which survives a reload; the old URL leads to it while no ZIP is ready.
    page = hr.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert f'data-job-status="/jobs/{job_id}.json"' in page and "0 of 2 reports" in page
    assert (
        hr.get(f"/reports/cycles/{cycle_id}.zip")
        .headers["Location"]
        .endswith(f"/cycles/{cycle_id}#reports-zip")
    )
    assert downloads(app) == []

    # Two PDFs, then the ZIP: three jobs through Redis.
    assert run_jobs() == 3
    after = hr.get(f"/jobs/{job_id}.json").get_json()
    assert after["state"] == "done" and after["label"] == "2 of 2" and after["failed"] == 0
    assert after["download_url"] == f"/jobs/{job_id}/file"
    assert after["filename"].startswith(f"cycle-{cycle_id}-autumn-review-")

    response = hr.get(f"/reports/cycles/{cycle_id}.zip", follow_redirects=True)
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert int(response.headers["Content-Length"]) == len(response.data)
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()
    assert archive.namelist() == ["mia-manager-ml-engineer.pdf", "sam-subject-ml-engineer.pdf", "README.txt"]
    text = pdf_text(archive.read("sam-subject-ml-engineer.pdf"))
    assert "Sam Subject" in text and "Senior" in text
    readme = archive.read("README.txt").decode()
    assert "Nina Newcomer" in readme and "Sam Subject" not in readme
    (event,) = downloads(app)
    assert event.actor_id == world.hr.id and event.object == f"cycle:{cycle_id}"
    assert event.details["people"] == 2 and event.details["job"] == job_id

    manager = app.test_client()
    login(manager, world.manager.email)
    for path in (f"/jobs/{job_id}", f"/jobs/{job_id}.json", f"/jobs/{job_id}/file"):
        assert manager.get(path).status_code == 404


def test_a_second_request_joins_the_running_job(app, make_user) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    first = start_zip(hr, cycle_id)
    page = hr.get(f"/cycles/{cycle_id}").get_data(as_text=True)
    assert "Prepare the ZIP" not in page and "Prepare again" not in page
    with app.app_context():
        from competency.services import jobs

        again = jobs.start_cycle_zip(db(), db().get(User, world.hr.id), db().get(Cycle, cycle_id))
    assert again.id == first


def test_a_pdf_that_keeps_failing_is_retried_then_named_in_the_readme(
    app, make_user, run_jobs, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    real = report_cache.person_pdf
    attempts: list[int] = []

    def flaky(session, settings, subject, key, **kwargs):  # type: ignore[no-untyped-def]
        if subject.id == world.subject.id:
            attempts.append(subject.id)
            raise RuntimeError("the render ran out of time")
        return real(session, settings, subject, key, **kwargs)

    monkeypatch.setattr(report_cache, "person_pdf", flaky)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    run_jobs()
    status = hr.get(f"/jobs/{job_id}.json").get_json()
    assert status["state"] == "done" and status["done"] == 1 and status["failed"] == 1
    assert len(attempts) == 3  # the first try and two retries
    response = hr.get(f"/jobs/{job_id}/file")
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    response.close()
    assert archive.namelist() == ["mia-manager-ml-engineer.pdf", "README.txt"]
    readme = archive.read("README.txt").decode()
    assert "Sam Subject <sam@example.org>: RuntimeError: the render ran out of time" in readme


def test_team_zip_holds_every_member_with_a_submission(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, make_user)
    manager = app.test_client()
    login(manager, world.manager.email)
    page = manager.get(f"/teams/{world.team_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = manager.post(
        f"/teams/{world.team_id}/pdfs", data={"csrf_token": token, "questionnaire": "ml-engineer"}
    )
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_page = manager.get(response.headers["Location"]).get_data(as_text=True)
    assert "All reports of the team" in job_page and "js/jobs.js" in job_page
    run_jobs()
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    download = manager.get(f"/jobs/{job_id}/file")
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    download.close()
    assert "sam-subject-ml-engineer.pdf" in names and "README.txt" in names
    other = app.test_client()
    login(other, world.other_manager.email)
    assert other.get(f"/jobs/{job_id}.json").status_code == 404
    other_token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"', other.get("/").get_data(as_text=True)
    ).group(1)  # type: ignore[union-attr]
    refused = other.post(
        f"/teams/{world.team_id}/pdfs", data={"csrf_token": other_token, "questionnaire": "ml-engineer"}
    )
    assert refused.status_code == 404


def test_old_zips_expire_and_leave_storage(app, make_user, run_jobs) -> None:  # type: ignore[no-untyped-def]
    world, cycle_id = cycle_with_two_submissions(app, make_user)
    hr = app.test_client()
    login(hr, world.hr.email)
    job_id = start_zip(hr, cycle_id)
    run_jobs()
    settings = app.config["COMPETENCY_SETTINGS"]
    with app.app_context():
        job = db().get(Job, job_id)
        stored = db().get(StoredFile, job.file_id)
        path = storage.path_of(settings, stored)
        assert path.is_file()
        assert storage.remove_expired(db(), settings, datetime.now(UTC)) == 0
        later = datetime.now(UTC) + timedelta(hours=settings.zip_ttl_hours, minutes=1)
        assert storage.remove_expired(db(), settings, later) >= 1
    assert not path.exists()
    assert hr.get(f"/jobs/{job_id}/file").status_code == 404
    assert "The last ZIP has expired" in hr.get(f"/cycles/{cycle_id}").get_data(as_text=True)


def test_person_pdf_is_rendered_once_until_new_results_arrive(app, make_user, run_jobs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from competency.reports import render

    world = build_world(app, make_user)
    renders: list[str] = []
    real = render.person_pdf

    def counting(context, **kwargs):  # type: ignore[no-untyped-def]
        renders.append(context["person"]["name"])
        return real(context, **kwargs)

    monkeypatch.setattr(render, "person_pdf", counting)
    hr = app.test_client()
    login(hr, world.hr.email)
    first = hr.get(f"/reports/people/{world.subject.id}.pdf?questionnaire=ml-engineer")
    second = hr.get(f"/reports/people/{world.subject.id}.pdf?questionnaire=ml-engineer")
    assert first.status_code == second.status_code == 200 and first.data == second.data
    assert len(renders) == 1
    with app.app_context():
        actions = [e.action for e in db().exec(select(AuditEvent))]
    assert actions.count("report.person.download") == 2  # every download is audited, cached or not

    # New results: a submit through the service queues a job that warms the new report.
    with app.app_context():
        questionnaire = catalog().get("ml-engineer")
        subject = db().get(User, world.subject.id)
        draft, _ = assessments.start(db(), questionnaire, subject=subject, assessor=subject, level="mid")
        for item_id, value in answers_for(questionnaire, 2).items():
            db().add(Answer(assessment_id=draft.id, item_id=item_id, value=value))
        db().commit()
        assessments.submit(db(), assessments.load(db(), draft.id))
    run_jobs()
    assert len(renders) == 2  # warmed in the background
    third = hr.get(f"/reports/people/{world.subject.id}.pdf?questionnaire=ml-engineer")
    assert third.status_code == 200 and third.data != first.data and len(renders) == 2


def test_releasing_a_rating_warms_the_subjects_own_report(app, make_user, run_jobs, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from competency.models import Assessment
    from competency.reports import render

    world = build_world(app, make_user)
    renders: list[bool] = []
    real = render.person_pdf

    def counting(context, **kwargs):  # type: ignore[no-untyped-def]
        renders.append(bool(context["comparison"]))
        return real(context, **kwargs)

    monkeypatch.setattr(render, "person_pdf", counting)
    own = app.test_client()
    login(own, world.subject.email)
    before = own.get(f"/reports/people/{world.subject.id}.pdf?questionnaire=ml-engineer")
    assert before.status_code == 200 and renders == [False]  # the rating is not theirs to see yet
    with app.app_context():
        rating = db().get(Assessment, world.manager_rating_id)
        manager = db().get(User, world.manager.id)
        assert assessments.release(db(), manager, rating)
    run_jobs()
    assert renders == [False, True]  # their copy, now with the manager's rating, rendered ahead of them
    after = own.get(f"/reports/people/{world.subject.id}.pdf?questionnaire=ml-engineer")
    assert after.status_code == 200 and after.data != before.data and len(renders) == 2


def test_a_cached_pdf_whose_file_went_is_rendered_again_without_holding_a_write_lock(app, make_user) -> None:  # type: ignore[no-untyped-def]
    # Seen in the jobs bench: the stale row was deleted in a transaction left open across the render, so on
    # SQLite every other worker's write waited for it and two workers rendered no faster than one.
    import sqlalchemy as sa

    world = build_world(app, make_user)
    settings = app.config["COMPETENCY_SETTINGS"]
    engine = app.extensions["competency.engine"]
    with app.app_context():
        subject = db().get(User, world.subject.id)
        first = report_cache.person_pdf(db(), settings, subject, "ml-engineer")
        stale_id, stale_name = first.id, first.name
        storage.path_of(settings, first).unlink()

    writes: list[str] = []

    def another_worker_writes():  # type: ignore[no-untyped-def]
        with engine.connect() as other:
            if engine.dialect.name == "sqlite":
                other.exec_driver_sql("PRAGMA busy_timeout=200")
            else:
                other.exec_driver_sql("SET lock_timeout = '200ms'")
            other.execute(
                sa.text("UPDATE stored_file SET expires_at = expires_at WHERE id = :id OR kind = 'zip'"),
                {"id": stale_id},
            )
            other.commit()
        writes.append("done")
        return contextlib.nullcontext()

    with app.app_context():
        subject = db().get(User, world.subject.id)
        again = report_cache.person_pdf(db(), settings, subject, "ml-engineer", guard=another_worker_writes)
    assert writes == ["done"]  # the other write went through during the render, not after a timeout
    assert again.name != stale_name and storage.exists(settings, again)  # rendered and stored anew
