"""A ZIP job's archive: every finished PDF and a README naming who has no report and which failed, why.

Written by the one worker whose item finished the job (services/jobs.py records the archive's outbox row
with that flip); a storage folder that refuses the write raises storage.Unwritable, in words.
"""

from __future__ import annotations

import zipfile
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import Cycle, Job, JobItem, StoredFile, Team, User, utcnow
from competency.services import report_cache, storage
from competency.services import reports as reports_service
from competency.services.jobs import team_people


def _readme(session: Session, job: Job, items: list[JobItem]) -> str:
    if job.kind == "cycle_zip":
        cycle = session.get(Cycle, job.object_id)
        title = cycle.name if cycle else f"cycle {job.object_id}"
        missing = reports_service.cycle_people(session, cycle)[1] if cycle else []
        without = "No submitted self-assessment in this cycle:"
    else:
        team = session.get(Team, job.object_id)
        title = f"Team {team.name}, {job.questionnaire_key}" if team else f"team {job.object_id}"
        missing = team_people(session, team, job.questionnaire_key)[1] if team else []
        without = f"No submitted self-assessment of {job.questionnaire_key}:"
    done = [i for i in items if i.state == "done"]
    failed = [i for i in items if i.state == "failed"]
    lines = [f"{title}: {len(done)} report(s).", ""]
    if missing:
        lines.append(without)
        lines.extend(f"- {user.name} <{user.email}>" for user in missing)
        lines.append("")
    if failed:
        names = {
            u.id: u
            for u in session.exec(select(User).where(col(User.id).in_([i.subject_id for i in failed])))
        }
        lines.append("Reports that could not be made (tried several times):")
        for item in failed:
            user = names.get(item.subject_id)
            who = f"{user.name} <{user.email}>" if user else f"person {item.subject_id}"
            lines.append(f"- {who}: {item.error or 'unknown error'}")
        lines.append("")
    return "\n".join(lines)


def zip_filename(session: Session, job: Job) -> str:
    if job.kind == "cycle_zip":
        cycle = session.get(Cycle, job.object_id)
        team = session.get(Team, cycle.team_id) if cycle and cycle.team_id else None
        name = cycle.name if cycle else str(job.object_id)
        scope = team.name if team else "organisation"
        return f"cycle-{job.object_id}-{reports_service.slug(name)}-{reports_service.slug(scope)}.zip"
    team = session.get(Team, job.object_id)
    return (
        f"team-{reports_service.slug(team.name if team else str(job.object_id))}-{job.questionnaire_key}.zip"
    )


def write_zip(session: Session, settings: Settings, job_id: int, now: datetime | None = None) -> None:
    """Write the archive of every finished PDF plus a README, store it and mark the job done."""
    job = session.get(Job, job_id)
    if job is None or job.state != "zipping":
        return
    items = list(
        session.exec(select(JobItem).where(JobItem.job_id == job_id).order_by(col(JobItem.filename)))
    )
    name = storage.new_name(job.kind)
    with storage.writing():
        _write_archive(session, settings, job, items, name)
    now = now or utcnow()
    with storage.writing():
        stored_zip = storage.publish(
            session,
            settings,
            kind=job.kind,
            name=name,
            filename=zip_filename(session, job),
            expires_at=now + timedelta(hours=settings.zip_ttl_hours),
        )
    job.file_id = stored_zip.id
    job.state = "done"
    job.finished_at = now
    session.add(job)
    session.commit()


def _write_archive(session: Session, settings: Settings, job: Job, items: list[JobItem], name: str) -> None:
    partial = storage.temporary_path(settings, name)
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
        for item in items:
            if item.state != "done":
                continue
            stored = session.get(StoredFile, item.file_id) if item.file_id else None
            if stored is None or not storage.exists(settings, stored):
                # The cached PDF expired between its render and now: render it again.
                subject = session.get(User, item.subject_id)
                if subject is None:
                    continue
                stored = report_cache.person_pdf(
                    session, settings, subject, job.questionnaire_key, as_of=item.assessment_id
                )
            archive.write(storage.path_of(settings, stored), item.filename)
        archive.writestr("README.txt", _readme(session, job, items))
