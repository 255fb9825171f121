"""Cycle mail: the invitation when a cycle opens, reminders before its due date, the overdue notice.

Each notice is claimed in `sent_notification` in the transaction that records its mail in the outbox, so it
goes out once, however often the periodic job runs (and is sent even when a worker dies); nobody who has submitted gets one, nor anyone who turned cycle mail off.
`now` is passed in, so tests move time forward instead of waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import Cycle, QuestionnaireVersion, Team, utcnow
from competency.services import notifications
from competency.services.cycle_sql import status_rows
from competency.services.cycle_status import MemberStatus, progress_from_rows

#: The reminder days a cycle gets unless its opener chose others.
DEFAULT_REMINDER_DAYS = "7,1"
MAX_REMINDER_DAY = 90


def parse_reminder_days(text: str) -> list[int]:
    """ "7, 1" -> [7, 1]; raises ValueError with a message for the person who typed it."""
    days: set[int] = set()
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        if not part.isdigit() or not 1 <= int(part) <= MAX_REMINDER_DAY:
            raise ValueError(f"Reminder days are whole numbers from 1 to {MAX_REMINDER_DAY}, e.g. 7, 1.")
        days.add(int(part))
    return sorted(days, reverse=True)


def format_reminder_days(days: list[int]) -> str:
    return ",".join(str(d) for d in sorted(set(days), reverse=True))


def _statuses(session: Session, cycle: Cycle, now: datetime) -> list[MemberStatus]:
    rows = status_rows(session, cycles_where=[col(Cycle.id) == cycle.id])
    found = progress_from_rows(rows, now)
    return found[0].statuses if found else []


def _framework_title(session: Session, key: str) -> str:
    title = session.exec(
        select(QuestionnaireVersion.title)
        .where(QuestionnaireVersion.key == key)
        .order_by(col(QuestionnaireVersion.version).desc(), col(QuestionnaireVersion.id).desc())
    ).first()
    return title or key


def _context(session: Session, settings: Settings, cycle: Cycle) -> dict[str, object]:
    team = session.get(Team, cycle.team_id) if cycle.team_id else None
    return {
        "cycle": cycle,
        "team_name": team.name if team else None,
        "framework": _framework_title(session, cycle.questionnaire_key),
        "due": cycle.due_at.strftime("%A %d %B %Y"),
        "start_url": notifications.link(
            settings, f"/assessments/new?questionnaire={cycle.questionnaire_key}#q-{cycle.questionnaire_key}"
        ),
    }


def _pending(session: Session, cycle: Cycle, now: datetime) -> list[MemberStatus]:
    """People the cycle covers who have not submitted and still want cycle mail."""
    statuses = [s for s in _statuses(session, cycle, now) if s.status != "submitted"]
    out = notifications.opted_out(session, [s.user_id for s in statuses], "cycles")
    return [s for s in statuses if s.user_id not in out]


def invite(session: Session, settings: Settings, cycle_id: int, now: datetime | None = None) -> int:
    """Invite everyone an open cycle covers; returns how many invitations were queued."""
    now = now or utcnow()
    cycle = session.get(Cycle, cycle_id)
    if cycle is None or cycle.closed_at is not None:
        return 0
    context = _context(session, settings, cycle)
    count = 0
    for status in _pending(session, cycle, now):
        if notifications.claim(session, "invitation", status.user_id, f"cycle:{cycle.id}"):
            # The claim and the mail commit together: claimed means it will be sent.
            mail = notifications.render(
                "cycle_invitation",
                settings,
                to=status.email,
                subject=f"Please rate yourself: {cycle.name}",
                name=status.name,
                **context,
            )
            # Keyed by cycle and person: the cycle page counts the invitations still waiting to go.
            notifications.send(session, mail, key=f"invitation:{cycle.id}:{status.user_id}")
            count += 1
    session.commit()
    return count


def remind(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Reminders and overdue notices due at `now` for every open cycle; returns how many were queued.

    A late run that finds several reminder days passed sends only the nearest one (and marks the others),
    so nobody gets "7 days left" after "1 day left".
    """
    now = now or utcnow()
    cycles = session.exec(
        select(Cycle)
        .where(col(Cycle.closed_at).is_(None), col(Cycle.opens_at) <= now)
        .order_by(col(Cycle.id))
    ).all()
    count = 0
    for cycle in cycles:
        try:
            days = parse_reminder_days(cycle.reminder_days or "")
        except ValueError:
            days = parse_reminder_days(DEFAULT_REMINDER_DAYS)
        overdue = now > cycle.due_at
        passed = [d for d in days if now >= cycle.due_at - timedelta(days=d)]
        if not overdue and not passed:
            continue
        context = _context(session, settings, cycle)
        obj = f"cycle:{cycle.id}"
        left: int | None = None
        if overdue:
            kind, subject = "cycle_overdue", f"Overdue: {cycle.name}"
        else:
            nearest = passed.index(min(passed))
            left = max(0, (cycle.due_at - now).days)
            kind = "cycle_reminder"
            subject = (
                f"{cycle.name}: due {'today' if left == 0 else f'in {left} day' + ('s' if left > 1 else '')}"
            )
        for status in _pending(session, cycle, now):
            if overdue:
                if not notifications.claim(session, "overdue", status.user_id, obj):
                    continue
            else:
                # Every reminder day already passed is claimed; the mail goes only for the nearest one.
                claimed = [notifications.claim(session, f"reminder-{d}", status.user_id, obj) for d in passed]
                if not claimed[nearest]:
                    continue
            mail = notifications.render(
                kind,
                settings,
                to=status.email,
                subject=subject,
                name=status.name,
                days_left=left,
                **context,
            )
            notifications.send(session, mail)
            count += 1
    session.commit()
    return count
