"""ZIPs of many reports as jobs: one task per person's PDF, then one task that writes the archive
(services/job_archive.py); HR may cancel a running job and retry a failed one.

Progress lives in the `job` row (done and failed counters, moved by single UPDATE statements so that
parallel workers never lose a count); the worker that finishes the last item flips the job from
`running` to `zipping` with a conditional UPDATE, and records the archive's outbox row in that same
transaction, so exactly one archive is written. Every item's render is an outbox row recorded with the
job, so a killed worker or a lost queue delays the ZIP but never leaves it unfinished.
A PDF that keeps failing is given up and named, with the reason, in the ZIP's README and on its page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import (
    Assessment,
    Cycle,
    Job,
    JobItem,
    Outbox,
    QuestionnaireVersion,
    StoredFile,
    Team,
    User,
    utcnow,
)
from competency.services import NotFound, ServiceError, access, outbox, report_cache
from competency.services import reports as reports_service

#: Jobs still working: a second request for the same ZIP joins the running one. A job whose worker died
#: is not "stale": its outbox rows come back to another worker within a lease (services/outbox.py).
ACTIVE = ("queued", "running", "zipping")
#: Attempts at one person's PDF (a render that fails is retried 5 s, then 15 s later).
ITEM_ATTEMPTS = 3
ZIP_ATTEMPTS = 3


def is_active(job: Job, now: datetime | None = None) -> bool:
    return job.state in ACTIVE


@dataclass(frozen=True)
class Progress:
    id: int
    kind: str
    state: str
    total: int
    done: int
    failed: int
    error: str | None
    filename: str | None
    expires_at: datetime | None

    @property
    def processed(self) -> int:
        return self.done + self.failed

    @property
    def label(self) -> str:
        return f"{self.processed:,} of {self.total:,}"

    @property
    def percent(self) -> float:
        return 100.0 * self.processed / self.total if self.total else 100.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "processed": self.processed,
            "label": self.label,
            "percent": round(self.percent, 1),
            "error": self.error,
            "filename": self.filename,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
        }


def progress(session: Session, job: Job) -> Progress:
    stored = session.get(StoredFile, job.file_id) if job.file_id else None
    return Progress(
        id=job.id or 0,
        kind=job.kind,
        state=job.state,
        total=job.total,
        done=job.done,
        failed=job.failed,
        error=job.error,
        filename=stored.filename if stored else None,
        expires_at=stored.expires_at if stored else None,
    )


def file_of(session: Session, job: Job) -> StoredFile | None:
    """The finished, unexpired file of a job, or None."""
    if job.state != "done" or job.file_id is None:
        return None
    stored = session.get(StoredFile, job.file_id)
    if stored is None or stored.expires_at <= utcnow():
        return None
    return stored


def latest(session: Session, kind: str, object_id: int, key: str | None = None) -> Job | None:
    stmt = select(Job).where(Job.kind == kind, Job.object_id == object_id)
    if key is not None:
        stmt = stmt.where(Job.questionnaire_key == key)
    return session.exec(stmt.order_by(col(Job.created_at).desc(), col(Job.id).desc()).limit(1)).first()


def can_see(session: Session, actor: User, job: Job) -> bool:
    """Who may watch and download a job: whoever may start it now (access is checked again, not kept)."""
    if job.kind == "cycle_zip":
        return actor.is_hr
    return access.can_view_team_individuals(session, actor, job.object_id)


# -- starting ----------------------------------------------------------------------------------------


def _filenames(people: list[User], key: str) -> dict[int, str]:
    names = {user.id or 0: reports_service.person_filename(user, key) for user in people}
    clashes = Counter(names.values())
    for user in people:
        # Two people whose names reduce to the same file name: both files get the person's id.
        if clashes[names[user.id or 0]] > 1:
            names[user.id or 0] = f"{reports_service.slug(user.name)}-{user.id}-{key}.pdf"
    return names


def _create(
    session: Session, actor: User, kind: str, object_id: int, key: str, people: list[tuple[User, int | None]]
) -> tuple[Job, bool]:
    running = session.exec(
        select(Job).where(
            Job.kind == kind,
            Job.object_id == object_id,
            Job.questionnaire_key == key,
            col(Job.state).in_(ACTIVE),
        )
    ).first()
    if running is not None:
        return running, False
    names = _filenames([user for user, _ in people], key)
    job = Job(
        kind=kind,
        object_id=object_id,
        questionnaire_key=key,
        requested_by_id=actor.id,
        state="running" if people else "zipping",
        total=len(people),
    )
    session.add(job)
    session.flush()
    assert job.id is not None
    items = [
        JobItem(
            job_id=job.id, subject_id=user.id or 0, assessment_id=assessment_id, filename=names[user.id or 0]
        )
        for user, assessment_id in people
    ]
    session.add_all(items)
    session.flush()
    # The work is recorded with the job: a job never exists without what finishes it.
    for item in items:
        _record_item(session, job.id, item.id or 0)
    if not items:
        _record_zip(session, job.id)
    session.commit()
    return job, True


def _record_item(session: Session, job_id: int, item_id: int) -> None:
    outbox.record(
        session,
        "render_item",
        {"item_id": item_id},
        key=f"render_item:{item_id}",
        job_id=job_id,
        max_attempts=ITEM_ATTEMPTS,
    )


def _record_zip(session: Session, job_id: int) -> None:
    outbox.record(
        session,
        "write_zip",
        {"job_id": job_id},
        key=f"write_zip:{job_id}",
        job_id=job_id,
        max_attempts=ZIP_ATTEMPTS,
    )


def start_cycle_zip(session: Session, actor: User, cycle: Cycle) -> Job:
    """A job for every report of the cycle (each as of the person's assessment in it). HR only."""
    if not actor.is_hr:
        raise NotFound(f"no cycle {cycle.id}")
    done, _missing = reports_service.cycle_people(session, cycle)
    job, _created = _create(
        session, actor, "cycle_zip", cycle.id or 0, cycle.questionnaire_key, [(u, a) for u, a in done]
    )
    return job


def team_people(session: Session, team: Team, key: str) -> tuple[list[User], list[User]]:
    """(members with a submitted self-assessment of `key`, members without one), by name."""
    from competency.services.teams import members_of

    people = [user for user, _role in members_of(session, team.id or 0)]
    submitted = set(
        session.exec(
            select(Assessment.subject_id)
            .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
            .where(
                Assessment.kind == "self",
                Assessment.status == "submitted",
                QuestionnaireVersion.key == key,
                col(Assessment.subject_id).in_([u.id for u in people]),
            )
        ).all()
    )
    return [u for u in people if u.id in submitted], [u for u in people if u.id not in submitted]


def start_team_zip(session: Session, actor: User, team: Team, key: str) -> Job:
    """A job for every member's latest report of framework `key`: HR, admins and the team's managers."""
    if not access.can_view_team_individuals(session, actor, team.id or 0):
        raise NotFound(f"no team {team.id}")
    done, _missing = team_people(session, team, key)
    job, _created = _create(session, actor, "team_zip", team.id or 0, key, [(u, None) for u in done])
    return job


# -- working (called by the tasks) -------------------------------------------------------------------


def render_item(session: Session, settings: Settings, item_id: int) -> bool:
    """Render (or take from the cache) one item's PDF; True when this finished the job's last item."""
    item = session.get(JobItem, item_id)
    if item is None or item.state != "pending":
        return False  # a retry of an item already counted, or a job deleted meanwhile
    job = session.get(Job, item.job_id)
    subject = session.get(User, item.subject_id)
    if job is None or subject is None or job.state != "running":
        return False  # cancelled or failed meanwhile
    stored = report_cache.person_pdf(
        session, settings, subject, job.questionnaire_key, as_of=item.assessment_id
    )
    return _finish_item(session, item_id, job.id or 0, "done", file_id=stored.id)


def fail_item(session: Session, item_id: int, reason: str) -> bool:
    """Give up one item (its retries are spent); True when this finished the job's last item."""
    session.rollback()
    item = session.get(JobItem, item_id)
    if item is None or item.state != "pending":
        return False
    return _finish_item(session, item_id, item.job_id, "failed", error=reason[:2000])


def _finish_item(
    session: Session,
    item_id: int,
    job_id: int,
    state: str,
    *,
    file_id: int | None = None,
    error: str | None = None,
) -> bool:
    claimed = session.execute(
        sa.update(JobItem)
        .where(col(JobItem.id) == item_id, col(JobItem.state) == "pending")
        .values(state=state, file_id=file_id, error=error)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return False
    counter = col(Job.done) if state == "done" else col(Job.failed)
    session.execute(sa.update(Job).where(col(Job.id) == job_id).values({counter: counter + 1}))
    session.commit()
    last = session.execute(
        sa.update(Job)
        .where(
            col(Job.id) == job_id,
            col(Job.state) == "running",
            col(Job.done) + col(Job.failed) >= col(Job.total),
        )
        .values(state="zipping")
    )
    finished = last.rowcount == 1  # type: ignore[attr-defined]
    if finished:
        _record_zip(session, job_id)  # with the flip: the one worker that flipped it records the archive
    session.commit()
    return bool(finished)


def fail_job(session: Session, job_id: int, reason: str) -> None:
    """The job stops here, with its remaining work (HR may retry it, or start a new one)."""
    session.rollback()
    job = session.get(Job, job_id)
    if job is None or job.state == "done":
        return
    job.state = "failed"
    job.error = reason[:2000]
    job.finished_at = utcnow()
    session.add(job)
    outbox.cancel_job_rows(session, job_id, reason)
    session.commit()


def cancel_job(session: Session, actor: User, job: Job) -> None:
    if job.state not in ACTIVE:
        raise ServiceError("This job is no longer running.")
    fail_job(session, job.id or 0, f"Cancelled by {actor.name}.")


def retry_job(session: Session, job: Job) -> None:
    """A failed job (cancelled, given up, storage refused) works again on what it did not finish."""
    if job.state != "failed":
        raise ServiceError("Only a job that failed can be retried.")
    job_id = job.id or 0
    reset = session.execute(
        sa.update(JobItem)
        .where(col(JobItem.job_id) == job_id, col(JobItem.state) == "failed")
        .values(state="pending", error=None)
    ).rowcount  # type: ignore[attr-defined]
    pending = session.exec(
        select(JobItem.id).where(JobItem.job_id == job_id, JobItem.state == "pending")
    ).all()
    job.failed = max(0, job.failed - int(reset or 0))
    job.state = "running" if pending else "zipping"
    job.error = None
    job.finished_at = None
    session.add(job)
    session.flush()
    keys = [f"render_item:{item_id}" for item_id in pending] if pending else [f"write_zip:{job_id}"]
    rows = dict(session.exec(select(Outbox.key, Outbox.id).where(col(Outbox.key).in_(keys))).all())
    # Rows pruned since (finished work leaves the outbox after a week) are recorded again.
    for item_id in pending:
        if f"render_item:{item_id}" not in rows:
            _record_item(session, job_id, item_id or 0)
    if not pending and not rows:
        _record_zip(session, job_id)
    outbox.retry(session, [r for r in rows.values() if r is not None])


def get_job(session: Session, actor: User, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None or not can_see(session, actor, job):
        raise NotFound(f"no job {job_id}")
    return job
