"""Assessment cycles: listing the ones a person may see, opening and closing them.

Where people stand in a cycle (statuses, counts, the team trend) is `cycle_status`; its names are
re-exported here because callers think of them as the cycle's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import CYCLE_AUDIENCES, Cycle, Team, User, utcnow
from competency.services import NotFound, ServiceError, access, audit, events, team_figures
from competency.services.cycle_sql import covered_people, covers
from competency.services.cycle_status import (
    STATES,
    STATUSES,
    CycleProgress,
    MemberStatus,
    TrendPoint,
    counts_by_cycle,
    is_missed,
    is_open,
    is_overdue,
    open_cycle_for,
    open_progress_of,
    pending_for,
    progress,
    statuses_csv,
    statuses_of,
    team_progress,
    team_trend,
)
from competency.services.names import name_problem

__all__ = [
    "STATES",
    "STATUSES",
    "CycleProgress",
    "MemberStatus",
    "TrendPoint",
    "close_cycle",
    "counts_by_cycle",
    "covered_people",
    "get_cycle",
    "is_missed",
    "is_open",
    "is_overdue",
    "open_cycle",
    "open_cycle_for",
    "open_progress_of",
    "pending_for",
    "progress",
    "runnable_teams",
    "statuses_csv",
    "statuses_of",
    "team_progress",
    "team_trend",
    "visible_cycles",
]

MAX_NAME_LENGTH = 200


# -- reading -----------------------------------------------------------------------------------------


def get_cycle(session: Session, cycle_id: int) -> Cycle:
    cycle = session.get(Cycle, cycle_id)
    if cycle is None:
        raise NotFound(f"no cycle {cycle_id}")
    return cycle


def can_view_statuses(actor: User, cycle: Cycle, managed_team_ids: set[int]) -> bool:
    """HR and admins; a manager of the cycle's team, or of any team for an organisation-wide cycle
    (who then sees their teams' members only)."""
    if actor.is_hr:
        return True
    return bool(managed_team_ids) and (cycle.team_id is None or cycle.team_id in managed_team_ids)


def visible_cycles(session: Session, actor: User) -> list[tuple[Cycle, str | None]]:
    """(cycle, team name) of the cycles the actor may see: all for HR and admins, else those covering
    them or run for a team they manage (and, for a manager, every organisation-wide one, since it covers
    their team). Newest first."""
    stmt = select(Cycle, Team.name).outerjoin(Team, col(Team.id) == col(Cycle.team_id))
    if not actor.is_hr:
        managed = access.managed_teams(actor.id or 0)
        manages_any = managed.exists()
        stmt = stmt.where(
            sa.or_(
                covers(sa.literal(actor.id or 0)),
                col(Cycle.team_id).in_(managed),
                sa.and_(col(Cycle.team_id).is_(None), manages_any),
            )
        )
    stmt = stmt.order_by(col(Cycle.opens_at).desc(), col(Cycle.id).desc())
    return [(cycle, name) for cycle, name in session.exec(stmt).all()]


# -- changing ----------------------------------------------------------------------------------------


def runnable_teams(session: Session, actor: User) -> list[Team]:
    """Teams the actor may open a cycle for: every team for HR and admins, else the teams they manage."""
    stmt = select(Team).order_by(col(Team.name))
    if not actor.is_hr:
        stmt = stmt.where(col(Team.id).in_(access.managed_teams(actor.id or 0)))
    return list(session.exec(stmt).all())


def open_cycle(
    session: Session,
    actor: User,
    *,
    name: str,
    questionnaire_key: str,
    team_id: int | None,
    due_at: datetime,
    audience: str = "everyone",
    now: datetime | None = None,
    remote_addr: str | None = None,
    reminder_days: str | None = None,
) -> Cycle:
    """Open a cycle now. Refused (NotFound) for a scope the actor may not run."""
    now = now or utcnow()
    if not access.can_run_cycles(session, actor, team_id):
        raise NotFound("you cannot open a cycle for this team")
    if team_id is not None and session.get(Team, team_id) is None:
        raise NotFound(f"no team {team_id}")
    name = name.strip()
    if not name:
        raise ServiceError("Give the cycle a name, e.g. “Spring review 2025”.")
    if len(name) > MAX_NAME_LENGTH:
        raise ServiceError(f"The name is longer than {MAX_NAME_LENGTH} characters; shorten it.")
    if problem := name_problem(name):
        # The name goes into the subject of every invitation: it must not be able to end the header.
        raise ServiceError(f"The {problem}.")
    if audience not in CYCLE_AUDIENCES:
        raise ServiceError(f"Choose who is asked: {', '.join(CYCLE_AUDIENCES)}.")
    if due_at.tzinfo is None:
        raise ValueError("due_at must be timezone-aware")
    if due_at <= now:
        raise ServiceError("The due date has passed: choose a date in the future.")
    clash = session.exec(
        select(Cycle.name).where(
            col(Cycle.questionnaire_key) == questionnaire_key,
            col(Cycle.closed_at).is_(None),
            col(Cycle.team_id).is_(None) if team_id is None else col(Cycle.team_id) == team_id,
        )
    ).first()
    if clash is not None:
        raise ServiceError(
            f"“{clash}” is still open for the same framework and scope. Close it before you open another."
        )
    cycle = Cycle(
        name=name,
        questionnaire_key=questionnaire_key,
        team_id=team_id,
        audience=audience,
        opens_at=now,
        due_at=due_at,
        created_by_id=actor.id,
        created_at=now,
    )
    if reminder_days is not None:
        from competency.services.cycle_mail import format_reminder_days, parse_reminder_days

        try:
            cycle.reminder_days = format_reminder_days(parse_reminder_days(reminder_days))
        except ValueError as exc:
            raise ServiceError(str(exc)) from None
    session.add(cycle)
    session.flush()
    _audit(session, actor, "cycle.open", cycle, remote_addr, team_id=team_id, questionnaire=questionnaire_key)
    events.cycle_opened(session, cycle)  # in the same transaction: no open cycle without its invitations
    session.commit()
    return cycle


def close_cycle(
    session: Session,
    actor: User,
    cycle: Cycle,
    *,
    now: datetime | None = None,
    remote_addr: str | None = None,
    threshold: int = 5,
) -> None:
    """Close the cycle, and record its trend point in the figures plain members see (`threshold`: the
    aggregate minimum, which is also how many contributions must change before their figures move)."""
    if not access.can_run_cycles(session, actor, cycle.team_id):
        raise NotFound(f"no cycle {cycle.id}")
    if cycle.closed_at is not None:
        raise ServiceError("This cycle is already closed.")
    cycle.closed_at = now or utcnow()
    session.add(cycle)
    teams = [cycle.team_id] if cycle.team_id is not None else session.exec(select(Team.id)).all()
    for team_id in teams:
        if team_id is not None:
            team_figures.refresh(
                session, team_id, cycle.questionnaire_key, threshold, cycle=cycle, now=cycle.closed_at
            )
    _audit(session, actor, "cycle.close", cycle, remote_addr)
    events.cycle_closed(session, cycle)
    session.commit()


def _audit(
    session: Session, actor: User, action: str, cycle: Cycle, remote_addr: str | None, **details: Any
) -> None:
    audit.log(
        session,
        actor_id=actor.id,
        action=action,
        object=f"cycle:{cycle.id}",
        details={"name": cycle.name, **details},
        remote_addr=remote_addr,
    )
