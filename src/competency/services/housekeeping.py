"""The hourly clean-up of the security tables: login sessions long over and login failures that no longer
count would otherwise grow without end (every login and every guess writes a row)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from competency.models import utcnow
from competency.services import sessions, throttle


def purge_security_tables(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete ended or long-idle sessions and expired login failures; committed; returns the counts."""
    now = now or utcnow()
    counts = {"sessions": sessions.purge(session, now), "login_attempts": throttle.purge(session, now)}
    session.commit()
    return counts
