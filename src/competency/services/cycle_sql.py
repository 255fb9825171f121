"""The SQL that says whom a cycle covers and which assessment decides each person's status in it.

Which assessments count for a cycle: self-assessments of the cycle's framework that carry its id, and,
for assessments started outside any cycle (cycle_id null), those submitted between the cycle's opening
and its closing, or still in draft while the cycle is open. Every query is set-based: the number of
statements does not grow with the number of people.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import Assessment, Cycle, Membership, QuestionnaireVersion, User


def covers(user_id: Any) -> sa.ColumnElement[bool]:
    """SQL: the cycle in the statement asks `user_id` to take it (its scope and its audience)."""

    def membership(*where: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        return sa.select(sa.literal(1)).where(col(Membership.user_id) == user_id, *where).exists()

    in_team = col(Membership.team_id) == col(Cycle.team_id)
    whole_org = col(Cycle.team_id).is_(None)
    manages_any = membership(col(Membership.role) == "manager")
    return sa.or_(
        sa.and_(col(Cycle.audience) == "everyone", sa.or_(whole_org, membership(in_team))),
        sa.and_(
            col(Cycle.audience) == "members",
            sa.or_(
                sa.and_(whole_org, membership(), sa.not_(manages_any)),
                membership(in_team, col(Membership.role) == "member"),
            ),
        ),
        sa.and_(
            col(Cycle.audience) == "managers",
            sa.or_(sa.and_(whole_org, manages_any), membership(in_team, col(Membership.role) == "manager")),
        ),
    )


def covered_people(session: Session, cycle: Cycle) -> list[User]:
    """Everyone the cycle asks to take it, by name."""
    stmt = (
        select(User)
        .join(Cycle, col(Cycle.id) == cycle.id)
        .where(col(User.active).is_(True), covers(col(User.id)))
        .order_by(col(User.name), col(User.id))
    )
    return list(session.exec(stmt).all())


def counts_for_cycle() -> sa.ColumnElement[bool]:
    """SQL: the assessment in the statement counts for the cycle in the statement."""
    a, c = Assessment, Cycle
    unlinked = sa.and_(
        col(a.cycle_id).is_(None),
        sa.or_(
            sa.and_(
                col(a.status) == "submitted",
                col(a.submitted_at) >= col(c.opens_at),
                sa.or_(col(c.closed_at).is_(None), col(a.submitted_at) <= col(c.closed_at)),
            ),
            sa.and_(col(a.status) == "draft", col(c.closed_at).is_(None)),
        ),
    )
    return sa.and_(col(a.kind) == "self", sa.or_(col(a.cycle_id) == col(c.id), unlinked))


def ranked_assessments(cycles_where: Sequence[sa.ColumnElement[bool]], subjects: Any | None = None) -> Any:
    """Per (cycle, person), the assessments that count, best first: the latest submitted one, else
    the latest draft (rn = 1 is the one that decides the status)."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(col(Cycle.id), col(Assessment.subject_id)),
            order_by=(
                sa.case((col(Assessment.status) == "submitted", 0), else_=1),
                col(Assessment.submitted_at).desc(),
                col(Assessment.updated_at).desc(),
                col(Assessment.id).desc(),
            ),
        )
        .label("rn")
    )
    stmt = (
        sa.select(
            col(Cycle.id).label("cycle_id"),
            col(Assessment.subject_id).label("subject_id"),
            col(Assessment.id).label("assessment_id"),
            col(Assessment.status).label("status"),
            col(Assessment.submitted_at).label("submitted_at"),
            col(Assessment.readiness).label("readiness"),
            rank,
        )
        .select_from(Cycle)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.key) == col(Cycle.questionnaire_key))
        .join(
            Assessment,
            sa.and_(
                col(Assessment.questionnaire_version_id) == col(QuestionnaireVersion.id), counts_for_cycle()
            ),
        )
        .where(*cycles_where)
    )
    if subjects is not None:
        stmt = stmt.where(col(Assessment.subject_id).in_(subjects))
    return stmt.subquery("ranked")


def team_people(team_id: int) -> Any:
    return sa.select(col(Membership.user_id)).where(col(Membership.team_id) == team_id)


def status_rows(
    session: Session,
    *,
    cycles_where: Sequence[sa.ColumnElement[bool]],
    people_where: Sequence[sa.ColumnElement[bool]] = (),
    subjects: Any | None = None,
) -> list[Any]:
    """(Cycle, user id, name, email, assessment id, status, submitted at) for every covered person."""
    ranked = ranked_assessments(cycles_where, subjects)
    stmt = (
        select(  # type: ignore[call-overload]
            Cycle,
            User.id,
            User.name,
            User.email,
            ranked.c.assessment_id,
            ranked.c.status,
            ranked.c.submitted_at,
        )
        .select_from(Cycle)
        .join(User, sa.and_(col(User.active).is_(True), covers(col(User.id)), *people_where))
        .outerjoin(
            ranked,
            sa.and_(
                ranked.c.cycle_id == col(Cycle.id), ranked.c.subject_id == col(User.id), ranked.c.rn == 1
            ),
        )
        .where(*cycles_where)
        .order_by(col(Cycle.due_at), col(Cycle.id), col(User.name), col(User.id))
    )
    return list(session.exec(stmt).all())
