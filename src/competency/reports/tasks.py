"""Report jobs: each person's PDF of a ZIP, the ZIP itself, warming the PDF cache, removing old files.

The ZIP's work is outbox rows (services/jobs.py records them with the job); the handlers here run them
under a lease. A PDF render has its own watchdog (reports.pdf), in process workers and threads alike.
A storage folder that refuses writes fails the whole job at its first write: no retry would help.
"""

from __future__ import annotations

from huey import crontab
from sqlmodel import Session

from competency import queue
from competency.config import Settings
from competency.models import JobItem, Outbox, User
from competency.relay import handles
from competency.services import NotFound, housekeeping, job_archive, jobs, outbox, report_cache, storage


def _give_up_item(db: Session, settings: Settings, row: Outbox, reason: str) -> None:
    jobs.fail_item(db, row.payload["item_id"], reason)


@handles("render_item", retry_delay=5, backoff=3, give_up=_give_up_item)
def render_item(db: Session, settings: Settings, row: Outbox) -> None:
    """One person's PDF of a ZIP; after the last attempt the item is given up, with the reason kept."""
    item_id = row.payload["item_id"]
    try:
        jobs.render_item(db, settings, item_id)
    except storage.Unwritable as exc:
        item = db.get(JobItem, item_id)
        if item is not None:
            jobs.fail_job(db, item.job_id, str(exc))


def _give_up_zip(db: Session, settings: Settings, row: Outbox, reason: str) -> None:
    jobs.fail_job(db, row.payload["job_id"], reason)


@handles("write_zip", retry_delay=10, backoff=3, give_up=_give_up_zip)
def write_zip(db: Session, settings: Settings, row: Outbox) -> None:
    try:
        job_archive.write_zip(db, settings, row.payload["job_id"])
    except storage.Unwritable as exc:
        jobs.fail_job(db, row.payload["job_id"], str(exc))


@handles("warm_pdf", retry_delay=30)
def warm_person_pdf(db: Session, settings: Settings, row: Outbox) -> None:
    """Render a person's current report ahead of its first download (after a submit or a release).

    `as_subject`: the copy the person themselves downloads (only manager ratings released to them)."""
    subject = db.get(User, row.payload["subject_id"])
    if subject is None:
        return
    try:
        report_cache.person_pdf(
            db,
            settings,
            subject,
            row.payload["key"],
            viewer=subject if row.payload.get("as_subject") else None,
        )
    except NotFound:
        return  # nothing submitted (yet): nothing to warm


@queue.huey.periodic_task(crontab(minute="7"), retries=1, retry_delay=60)
def remove_expired_files() -> None:
    """Hourly: old ZIPs and PDFs no one asked for in a while leave the storage folder, finished work
    leaves the outbox, ended login sessions and expired login failures leave their tables."""
    with queue.session() as db:
        storage.remove_expired(db, queue.settings())
        outbox.prune(db)
        housekeeping.purge_security_tables(db)
