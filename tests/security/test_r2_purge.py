"""Round 2: the hourly clean-up empties the sessions and login-throttle tables of what no longer counts,
and keeps live sessions and recent failures."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlmodel import select

from competency.models import LoginAttempt, UserSession, utcnow
from competency.reports.tasks import remove_expired_files
from competency.web.requests import db


def add_session(user_id: int, key: str, *, seen: datetime, ended: datetime | None = None) -> None:
    db().add(UserSession(id=key * 64, user_id=user_id, created_at=seen, seen_at=seen, ended_at=ended))


def test_the_hourly_cleanup_purges_old_sessions_and_failures(app: Flask, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user("tidy@example.org")
    now = utcnow()
    with app.app_context():
        add_session(user.id, "a", seen=now - timedelta(minutes=5))  # live
        add_session(user.id, "b", seen=now - timedelta(hours=3), ended=now - timedelta(hours=3))  # just ended
        add_session(
            user.id, "c", seen=now - timedelta(days=3), ended=now - timedelta(days=2)
        )  # ended long ago
        add_session(user.id, "d", seen=now - timedelta(days=3))  # abandoned, never logged out
        for minutes, email in (
            (1, "recent@example.org"),
            (60, "old@example.org"),
            (60 * 24 * 40, "older@x.org"),
        ):
            db().add(
                LoginAttempt(email=email, remote_addr="198.51.100.7", at=now - timedelta(minutes=minutes))
            )
        db().commit()

    remove_expired_files.call_local()

    with app.app_context():
        kept = set(db().exec(select(UserSession.id)).all())
        emails = set(db().exec(select(LoginAttempt.email)).all())
        assert db().execute(sa.select(sa.func.count()).select_from(UserSession)).scalar_one() == 2
    assert kept == {"a" * 64, "b" * 64}
    assert emails == {"recent@example.org"}


def test_the_cleanup_runs_every_hour() -> None:
    hours = {
        hour
        for hour in range(24)
        for minute in range(60)
        if remove_expired_files.task_class().validate_datetime(datetime(2026, 1, 5, hour, minute))
    }
    assert hours == set(range(24))
