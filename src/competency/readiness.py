"""What `/readyz` checks before a load balancer or an operator trusts this installation with work: the
database, the job queue, the storage folder (writable, with room) and a worker seen in the last minute.
Each problem is said in words an operator can act on, without secrets or server paths."""

from __future__ import annotations

import secrets
import shutil
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from competency import queue
from competency.config import Settings
from competency.services import outbox

#: Below this much free space in the storage folder a cycle ZIP may not fit.
MIN_FREE_BYTES = 500 * 1024 * 1024


def check(session: Session, settings: Settings) -> tuple[bool, dict[str, Any]]:
    """(ready, report): every check's outcome, and `problems` in words when something is wrong."""
    problems: list[str] = []
    report: dict[str, Any] = {}
    try:
        session.exec(sa.select(sa.literal(1)))  # type: ignore[call-overload]
        report["database"] = "ok"
    except sa.exc.SQLAlchemyError as exc:
        session.rollback()
        report["database"] = "unreachable"
        problems.append(f"The database cannot be reached ({type(exc).__name__}).")
    try:
        report["queue"] = {"waiting": int(queue.huey.pending_count())}
    except Exception as exc:
        report["queue"] = "unreachable"
        problems.append(
            f"The job queue cannot be reached ({type(exc).__name__}); work is kept in the database and "
            "sent when it is back."
        )
    report["storage"] = _storage(settings, problems)
    if report["database"] == "ok":
        try:
            workers = outbox.live_workers(session)
            report["workers"] = len(workers)
            if not workers:
                problems.append("No worker has been seen in the last minute: start `competency worker`.")
        except sa.exc.SQLAlchemyError as exc:
            session.rollback()
            problems.append(f"The workers' table cannot be read ({type(exc).__name__}): run the migrations.")
    if problems:
        report["problems"] = problems
    report["status"] = "error" if problems else "ok"
    return not problems, report


def _storage(settings: Settings, problems: list[str]) -> dict[str, Any] | str:
    folder = settings.resolved_storage_dir
    probe = folder / f".readyz-{secrets.token_hex(4)}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as exc:
        problems.append(f"The storage folder refuses writes ({exc.strerror or type(exc).__name__}).")
        return "unwritable"
    free = shutil.disk_usage(folder).free
    if free < MIN_FREE_BYTES:
        problems.append(f"The storage folder has {free // (1024 * 1024)} MB free; a cycle ZIP may not fit.")
    return {"free_mb": free // (1024 * 1024)}
