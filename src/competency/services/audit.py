"""The audit trail: who did what, when and from where (downloads, exports, administrative changes,
logins and their failures, throttling, logout, password and second-factor changes, access denials and
profile views by managers and HR), and searching it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import AuditEvent, User

#: Rows in one CSV export at most (a year of a large organisation's events fits).
CSV_LIMIT = 200_000


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


@dataclass(frozen=True)
class Filter:
    """What the audit page asks for. `person` is an email: events by them or about them."""

    person: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.person or self.action or self.since or self.until)

    def as_args(self) -> dict[str, str]:
        out = {"person": self.person, "action": self.action}
        out["since"] = self.since.isoformat() if self.since else ""
        out["until"] = self.until.isoformat() if self.until else ""
        return {k: v for k, v in out.items() if v}


def parse_filter(args: Any) -> tuple[Filter, list[str]]:
    """A Filter from query arguments, and the problems found (a bad date is named, not a 500)."""
    problems = []
    dates: dict[str, date | None] = {}
    for name in ("since", "until"):
        raw = (args.get(name) or "").strip()
        dates[name] = None
        if raw:
            try:
                dates[name] = date.fromisoformat(raw)
            except ValueError:
                problems.append(f"{name}: {raw!r} is not a date; use YYYY-MM-DD")
    person = (args.get("person") or "").strip().lower()[:254]
    action = (args.get("action") or "").strip()[:80]
    return Filter(person, action, dates["since"], dates["until"]), problems


def _where(session: Session, f: Filter) -> list[sa.ColumnElement[bool]]:
    where: list[sa.ColumnElement[bool]] = []
    if f.person:
        user_id = session.exec(select(User.id).where(User.email == f.person)).first()
        if user_id is None:
            # Unknown now (or deleted): login failures still name the email in the object.
            where.append(col(AuditEvent.object) == f"login:{f.person}")
        else:
            where.append(
                sa.or_(
                    col(AuditEvent.actor_id) == user_id,
                    col(AuditEvent.object) == f"user:{user_id}",
                    col(AuditEvent.object) == f"login:{f.person}",
                )
            )
    if f.action:
        where.append(
            sa.or_(col(AuditEvent.action) == f.action, col(AuditEvent.action).startswith(f.action + "."))
        )
    if f.since:
        where.append(col(AuditEvent.at) >= datetime.combine(f.since, time.min, UTC))
    if f.until:
        where.append(col(AuditEvent.at) < datetime.combine(f.until + timedelta(days=1), time.min, UTC))
    return where


def search(
    session: Session, f: Filter | None = None, *, limit: int = 100, offset: int = 0
) -> list[tuple[AuditEvent, str | None]]:
    """Events matching `f`, newest first, with the actor's email."""
    rows = session.exec(
        select(AuditEvent, User.email)
        .join(User, col(User.id) == AuditEvent.actor_id, isouter=True)
        .where(*_where(session, f or Filter()))
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [(event, email) for event, email in rows]


def actions(session: Session) -> list[str]:
    """Every action recorded so far, for the filter's choices."""
    return sorted(session.exec(select(AuditEvent.action).distinct()).all())


def csv_lines(session: Session, f: Filter) -> Iterator[str]:
    """The matching events as CSV (header first), newest first."""
    from competency.services.reports import csv_safe

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["at_utc", "actor", "action", "object", "details", "remote_addr"])
    for event, email in search(session, f, limit=CSV_LIMIT):
        details = "; ".join(f"{k}={v}" for k, v in sorted(event.details.items()))
        row = [
            event.at.isoformat(),
            email or "",
            event.action,
            event.object,
            details,
            event.remote_addr or "",
        ]
        writer.writerow(csv_safe(row))
    yield buffer.getvalue()
