"""Files the jobs leave behind (cycle ZIPs, cached PDFs): a folder on disk, a `stored_file` row each.

Names inside the folder are random, never derived from what a user typed. A file is written under a
temporary name and renamed into place, so a reader never sees half of one. Expired files are removed by
a periodic task; in a deployment with several machines the folder is a shared volume.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import secrets
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import StoredFile, utcnow
from competency.services import ServiceError

log = logging.getLogger(__name__)

SUFFIXES = {"cycle_zip": ".zip", "team_zip": ".zip", "person_pdf": ".pdf", "team_pdf": ".pdf"}

_REFUSALS = {
    errno.EROFS: "it is read-only",
    errno.EACCES: "this service may not write there",
    errno.EPERM: "this service may not write there",
    errno.ENOSPC: "it is full",
    errno.EDQUOT: "its quota is used up",
}


class Unwritable(ServiceError):
    """The storage folder refuses writes: no retry helps, so the job fails at once, saying why in words."""


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Turn a refused write into Unwritable (without the server's path, which the message must not show)."""
    try:
        yield
    except OSError as exc:
        why = _REFUSALS.get(exc.errno or 0)
        if why is None:
            raise
        raise Unwritable(
            f"The storage folder refuses new files ({why}). Ask an administrator to check "
            "COMPETENCY_STORAGE_DIR, then retry."
        ) from None


def root(settings: Settings) -> Path:
    folder = settings.resolved_storage_dir
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def path_of(settings: Settings, stored: StoredFile) -> Path:
    folder = root(settings).resolve()
    path = (folder / stored.name).resolve()
    if not path.is_relative_to(folder):
        raise ValueError(f"stored file {stored.id} points outside the storage folder")
    return path


def exists(settings: Settings, stored: StoredFile) -> bool:
    return path_of(settings, stored).is_file()


def new_name(kind: str) -> str:
    return f"{kind}/{secrets.token_hex(16)}{SUFFIXES[kind]}"


def temporary_path(settings: Settings, name: str) -> Path:
    """Where to write `name` before publish() renames it into place."""
    final = root(settings) / name
    final.parent.mkdir(parents=True, exist_ok=True)
    return final.with_name(f".{final.name}.partial")


def publish(
    session: Session,
    settings: Settings,
    *,
    kind: str,
    name: str,
    filename: str,
    expires_at: datetime,
    cache_key: str | None = None,
) -> StoredFile:
    """Rename the finished temporary file into place and record it (flushed, not committed)."""
    partial = temporary_path(settings, name)
    final = root(settings) / name
    os.replace(partial, final)
    stored = StoredFile(
        kind=kind,
        name=name,
        filename=filename[:300],
        size=final.stat().st_size,
        cache_key=cache_key,
        expires_at=expires_at,
    )
    try:
        # A savepoint: when another process stored the same cache key meanwhile, only this row is undone.
        with session.begin_nested():
            session.add(stored)
    except sa.exc.IntegrityError:
        final.unlink(missing_ok=True)
        raise
    return stored


def save_bytes(
    session: Session,
    settings: Settings,
    data: bytes,
    *,
    kind: str,
    filename: str,
    expires_at: datetime,
    cache_key: str | None = None,
) -> StoredFile:
    name = new_name(kind)
    with writing():
        temporary_path(settings, name).write_bytes(data)
        return publish(
            session,
            settings,
            kind=kind,
            name=name,
            filename=filename,
            expires_at=expires_at,
            cache_key=cache_key,
        )


def read_bytes(settings: Settings, stored: StoredFile) -> bytes:
    return path_of(settings, stored).read_bytes()


def delete(session: Session, settings: Settings, stored: StoredFile) -> None:
    with contextlib.suppress(FileNotFoundError):
        path_of(settings, stored).unlink()
    session.delete(stored)


def remove_expired(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Delete every file past its expiry (rows and files); jobs keep their row without the file."""
    now = now or utcnow()
    expired = session.exec(select(StoredFile).where(col(StoredFile.expires_at) <= now)).all()
    for stored in expired:
        delete(session, settings, stored)
    session.commit()
    if expired:
        log.info("removed %d expired stored file(s)", len(expired))
    return len(expired)
