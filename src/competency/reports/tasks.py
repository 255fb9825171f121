"""Report jobs: each person's PDF of a ZIP, the ZIP itself, warming the PDF cache, removing old files.

Time limits: every task carries one (enforced by the worker processes of `competency worker`); a PDF
render also has its own watchdog (reports.pdf), which holds in the embedded thread consumer too.
"""

from __future__ import annotations

import logging
from typing import Any

from huey import crontab

from competency import queue
from competency.models import JobItem, User
from competency.services import NotFound, housekeeping, jobs, report_cache, storage

log = logging.getLogger(__name__)

#: Seconds a task may run before its worker abandons it (the render itself stops at 60 s).
PDF_TIME_LIMIT = 120
ZIP_TIME_LIMIT = 1800


def _reason(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


@queue.huey.task(retries=2, retry_delay=5, retry_backoff=3, timeout=PDF_TIME_LIMIT, context=True)
def render_item(item_id: int, task: Any = None) -> None:
    """One person's PDF of a ZIP. After the last retry the item is given up, with the reason kept."""
    settings = queue.settings()
    final = task is None or not task.retries
    with queue.session() as db:
        try:
            last = jobs.render_item(db, settings, item_id)
        except Exception as exc:
            if not final:
                raise  # huey schedules the retry, with a growing delay
            log.exception("giving up job item %s", item_id)
            last = jobs.fail_item(db, item_id, _reason(exc))
        item = db.get(JobItem, item_id) if last else None
        if item is not None:
            queue.enqueue(write_zip, item.job_id, strict=True)


@queue.huey.task(retries=2, retry_delay=10, retry_backoff=3, timeout=ZIP_TIME_LIMIT, context=True)
def write_zip(job_id: int, task: Any = None) -> None:
    settings = queue.settings()
    final = task is None or not task.retries
    with queue.session() as db:
        try:
            jobs.write_zip(db, settings, job_id)
        except Exception as exc:
            if not final:
                raise
            log.exception("giving up job %s", job_id)
            jobs.fail_job(db, job_id, _reason(exc))


@queue.huey.task(retries=1, retry_delay=30, timeout=PDF_TIME_LIMIT)
def warm_person_pdf(subject_id: int, key: str, as_subject: bool = False) -> None:
    """Render a person's current report ahead of its first download (after a submit or a release).

    `as_subject`: the copy the person themselves downloads (only manager ratings released to them)."""
    with queue.session() as db:
        subject = db.get(User, subject_id)
        if subject is None:
            return
        try:
            report_cache.person_pdf(
                db, queue.settings(), subject, key, viewer=subject if as_subject else None
            )
        except NotFound:
            return  # nothing submitted (yet): nothing to warm


@queue.huey.periodic_task(crontab(minute="7"), retries=1, retry_delay=60)
def remove_expired_files() -> None:
    """Hourly: old ZIPs and PDFs no one asked for in a while leave the storage folder; ended login
    sessions and expired login failures leave their tables."""
    with queue.session() as db:
        storage.remove_expired(db, queue.settings())
        housekeeping.purge_security_tables(db)
