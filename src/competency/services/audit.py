"""The audit trail: who downloaded or exported what, when and from where."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from competency.models import AuditEvent, User


def log(
    session: Session,
    *,
    actor_id: int | None,
    action: str,
    object: str = "",
    details: dict[str, Any] | None = None,
    remote_addr: str | None = None,
) -> AuditEvent:
    """Record an event; the caller commits with its own unit of work."""
    event = AuditEvent(
        actor_id=actor_id,
        action=action[:80],
        object=object[:200],
        details=details or {},
        remote_addr=(remote_addr or "")[:64] or None,
    )
    session.add(event)
    return event


def recent(session: Session, *, limit: int = 100, offset: int = 0) -> list[tuple[AuditEvent, str | None]]:
    rows = session.exec(
        select(AuditEvent, User.email)
        .join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(event, email) for event, email in rows]
