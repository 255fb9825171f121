"""Server-side login sessions: started at login, checked on every request, ended at logout,
password change or second-factor change, so a copied or replayed cookie stops working at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col

from competency.models import User, UserSession, utcnow

#: seen_at is written at most this often: a write per request would serialise every page on SQLite.
TOUCH_EVERY = timedelta(minutes=1)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session,
    user: User,
    *,
    remote_addr: str | None = None,
    user_agent: str | None = None,
) -> str:
    """A new session for `user`; returns the random token the browser keeps (the caller commits)."""
    assert user.id is not None
    token = secrets.token_urlsafe(32)
    session.add(
        UserSession(
            id=_digest(token),
            user_id=user.id,
            remote_addr=(remote_addr or "")[:64] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    return token


def find(session: Session, token: str | None, user_id: int) -> UserSession | None:
    """The live session of `user_id` with this token, or None (unknown, ended, someone else's)."""
    if not token:
        return None
    row = session.get(UserSession, _digest(token))
    if row is None or row.ended_at is not None or row.user_id != user_id:
        return None
    return row


def touch(session: Session, row: UserSession, now: datetime | None = None) -> None:
    now = now or utcnow()
    if now - row.seen_at >= TOUCH_EVERY:
        row.seen_at = now
        session.add(row)
        session.commit()


def end(session: Session, token: str | None, reason: str) -> None:
    """End one session (logout, expiry); the caller commits."""
    if not token:
        return
    row = session.get(UserSession, _digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at = utcnow()
        row.ended_reason = reason[:32]
        session.add(row)


def end_all(session: Session, user_id: int, reason: str, *, keep: str | None = None) -> int:
    """End every live session of the person but `keep` (a token); returns how many ended."""
    where = [col(UserSession.user_id) == user_id, col(UserSession.ended_at).is_(None)]
    if keep:
        where.append(col(UserSession.id) != _digest(keep))
    result = session.execute(
        sa.update(UserSession).where(*where).values(ended_at=utcnow(), ended_reason=reason[:32])
    )
    return int(getattr(result, "rowcount", 0) or 0)


#: Rows are kept this long after their last use or their end: no live session is idle this long (the
#: idle limit is 30 minutes, the absolute one 12 hours), and a day of ended ones helps read an incident.
KEEP = timedelta(days=1)


def purge(session: Session, now: datetime | None = None, keep: timedelta = KEEP) -> int:
    """Forget sessions ended, or unused, more than `keep` ago (the hourly clean-up); returns how many."""
    cutoff = (now or utcnow()) - keep
    result = session.execute(
        sa.delete(UserSession).where(
            sa.or_(col(UserSession.ended_at) < cutoff, col(UserSession.seen_at) < cutoff)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
