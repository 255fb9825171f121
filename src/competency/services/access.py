"""Who may see and do what (DESIGN.md's access matrix). Views turn a refusal into 404."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from competency.models import Membership, User


def team_role(session: Session, user_id: int, team_id: int) -> str | None:
    return session.exec(
        select(Membership.role).where(Membership.user_id == user_id, Membership.team_id == team_id)
    ).first()


def managed_teams(user_id: int) -> Any:
    """SQL: ids of the teams `user_id` manages, for use in an IN clause (or .exists())."""
    return sa.select(col(Membership.team_id)).where(
        col(Membership.user_id) == user_id, col(Membership.role) == "manager"
    )


def managed_team_ids(session: Session, user_id: int) -> set[int]:
    return set(session.execute(managed_teams(user_id)).scalars().all())


def manages(session: Session, manager_id: int, subject_id: int) -> bool:
    """True when `manager_id` is a manager of a team that `subject_id` belongs to."""
    mine = aliased(Membership)
    theirs = aliased(Membership)
    found = session.exec(
        select(sa.literal(1))
        .select_from(mine)
        .join(theirs, col(theirs.team_id) == col(mine.team_id))
        .where(mine.user_id == manager_id, mine.role == "manager", theirs.user_id == subject_id)
        .limit(1)
    ).first()
    return found is not None


def can_view_person(session: Session, actor: User, subject_id: int) -> bool:
    """Profile, plan, history and PDF: the person, HR, admins and their team's managers."""
    return actor.id == subject_id or actor.is_hr or manages(session, actor.id or 0, subject_id)


def can_manager_assess(session: Session, actor: User, subject_id: int) -> bool:
    """Only a manager of the subject's team, never of themselves (HR and admins rate nobody)."""
    return actor.id != subject_id and manages(session, actor.id or 0, subject_id)


def can_view_team_individuals(session: Session, actor: User, team_id: int) -> bool:
    return actor.is_hr or team_role(session, actor.id or 0, team_id) == "manager"


def can_run_cycles(session: Session, actor: User, team_id: int | None) -> bool:
    """HR and admins for any scope; managers for their own teams only."""
    if actor.is_hr:
        return True
    return team_id is not None and team_role(session, actor.id or 0, team_id) == "manager"


def manager_names(session: Session, subject_id: int) -> list[str]:
    """Names of the managers of the person's teams (who, by can_view_person, see their results)."""
    mine, theirs = aliased(Membership), aliased(Membership)
    rows = session.exec(
        select(User.name)
        .join(theirs, col(theirs.user_id) == col(User.id))
        .join(mine, col(mine.team_id) == col(theirs.team_id))
        .where(mine.user_id == subject_id, theirs.role == "manager", col(User.id) != subject_id)
        .distinct()
        .order_by(User.name)
    ).all()
    return list(rows)


def who_sees_results(session: Session, subject_id: int) -> str:
    """The one sentence, said to the person, of who may see their results: what can_view_person allows
    (themselves, their teams' managers by name, HR and administrators) and what team members get."""
    managers = manager_names(session, subject_id)
    named = (
        f"the managers of your teams ({', '.join(managers)})" if managers else "the managers of your teams"
    )
    return (
        f"Who sees your results: you, {named}, HR and the administrators. "
        "Your teammates see only team figures, never your answers."
    )
