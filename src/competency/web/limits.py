"""Limits on expensive work in a request, so one person cannot starve everyone else.

`pdf_render_slot` wraps a PDF render: one render at a time per person (across every process on
PostgreSQL, through an advisory lock; within the process on SQLite), and a small cap of renders per
process. A refused request gets a friendly 429 (your own previous PDF is still being made) or 503
(the service is busy), each with Retry-After. A PDF served from a cache needs no slot: wrap only the
render itself.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import Flask, current_app

#: Renders one web process runs at once (a render takes ~0.2-1 s of one core).
DEFAULT_RENDERS_PER_PROCESS = 2
#: The advisory-lock class of per-person PDF renders (any fixed number shared by every process).
_LOCK_CLASS = zlib.crc32(b"competency.pdf") & 0x7FFFFFFF


class RenderRefused(Exception):
    """Not now: `status` 429 (the person's previous render runs) or 503 (the process is busy)."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class _Slots:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.lock = threading.Lock()
        self.running = 0
        self.people: set[int] = set()


def _slots() -> _Slots:
    slots: _Slots = current_app.extensions["competency.pdf_slots"]
    return slots


@contextmanager
def _person_lock(person_id: int) -> Iterator[bool]:
    """PostgreSQL: an advisory lock held on a connection of its own for the render; True when taken."""
    engine: sa.Engine = current_app.extensions["competency.engine"]
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        taken = connection.execute(
            sa.text("SELECT pg_try_advisory_lock(:c, :p)"), {"c": _LOCK_CLASS, "p": person_id % 2**31}
        ).scalar()
        try:
            yield bool(taken)
        finally:
            if taken:
                connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:c, :p)"), {"c": _LOCK_CLASS, "p": person_id % 2**31}
                )
            connection.rollback()


@contextmanager
def pdf_render_slot(person_id: int) -> Iterator[None]:
    """Hold a render slot for `person_id` (the person asking) around one PDF render, or raise RenderRefused."""
    slots = _slots()
    busy_self = RenderRefused(
        429, "Your previous PDF is still being prepared. Wait for it to finish, then ask again.", 5
    )
    with slots.lock:
        if person_id in slots.people:
            raise busy_self
        if slots.running >= slots.cap:
            raise RenderRefused(
                503, "Many reports are being prepared right now. Try again in a few seconds.", 10
            )
        slots.running += 1
        slots.people.add(person_id)
    try:
        with _person_lock(person_id) as taken:
            if not taken:
                raise busy_self
            yield
    finally:
        with slots.lock:
            slots.running -= 1
            slots.people.discard(person_id)


def init_app(app: Flask) -> None:
    cap = int(app.config.get("PDF_RENDERS_PER_PROCESS") or DEFAULT_RENDERS_PER_PROCESS)
    app.extensions["competency.pdf_slots"] = _Slots(cap)
