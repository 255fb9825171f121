"""Limits on expensive work in a request, so one person cannot starve everyone else.

`pdf_render_slot` wraps a PDF render: one render at a time per person (across every process on
PostgreSQL, through an advisory lock; within the process on SQLite), a small cap of renders per
process, and token buckets on how many renders start per minute, per person and in total. Without the
buckets two members who change a plan step before each request force a fresh render every time, one
after the other, and hold the process's render slots for good: everyone else waited 60 times longer.
A refused request gets a friendly 429 (your own previous PDF is still being made, or you asked for
many fresh ones) or 503 (the service is busy), each with Retry-After. A PDF served from a cache needs
no slot and no token: wrap only the render itself.
"""

from __future__ import annotations

import math
import threading
import time
import zlib
from collections.abc import Callable, Iterator
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


#: Fresh renders one person may start in a burst, and how many seconds earn one more.
PERSON_BURST, PERSON_REFILL_SECONDS = 4, 15.0
#: Fresh renders the process starts in a burst over everyone, and how many seconds earn one more.
TOTAL_BURST, TOTAL_REFILL_SECONDS = 20, 1.5


class TokenBucket:
    """`burst` tokens, one more every `refill` seconds; `take` spends one or says how long to wait."""

    def __init__(self, burst: int, refill: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.burst, self.refill, self.clock = burst, refill, clock
        self.tokens, self.at = float(burst), clock()

    def _update(self) -> None:
        now = self.clock()
        self.tokens = min(float(self.burst), self.tokens + (now - self.at) / self.refill)
        self.at = now

    def wait(self) -> int:
        """Seconds until a token is there (0: one is there now)."""
        self._update()
        return 0 if self.tokens >= 1 else math.ceil((1 - self.tokens) * self.refill)

    def take(self) -> None:
        self._update()
        self.tokens -= 1


class _Slots:
    def __init__(self, cap: int, person_burst: int = PERSON_BURST, total_burst: int = TOTAL_BURST) -> None:
        self.cap = cap
        self.lock = threading.Lock()
        self.running = 0
        self.people: set[int] = set()
        self.person_burst = person_burst
        self.total = TokenBucket(total_burst, TOTAL_REFILL_SECONDS)
        self.buckets: dict[int, TokenBucket] = {}

    def bucket(self, person_id: int) -> TokenBucket:
        if len(self.buckets) > 10_000:
            # Full buckets hold no information: forget them rather than grow without end.
            self.buckets = {p: b for p, b in self.buckets.items() if b.wait() or b.tokens < b.burst}
        return self.buckets.setdefault(person_id, TokenBucket(self.person_burst, PERSON_REFILL_SECONDS))


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
        mine = slots.bucket(person_id)
        if wait := mine.wait():
            raise RenderRefused(
                429,
                f"You asked for many fresh PDFs in a short time. Try again in {wait} seconds.",
                wait,
            )
        if wait := slots.total.wait():
            raise RenderRefused(
                503, "Many reports are being prepared right now. Try again in a few seconds.", wait
            )
        mine.take()
        slots.total.take()
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
    app.extensions["competency.pdf_slots"] = _Slots(
        cap,
        int(app.config.get("PDF_PERSON_BURST") or PERSON_BURST),
        int(app.config.get("PDF_TOTAL_BURST") or TOTAL_BURST),
    )
