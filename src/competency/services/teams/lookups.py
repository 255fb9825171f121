"""Set-based reads about a team: its members, the frameworks they take, the teams a person may open,
the stored framework versions, and each member's latest submitted assessment of a framework."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from competency.models import AreaScore, Assessment, Membership, QuestionnaireVersion, Team, User
from competency.questionnaire import Questionnaire
from competency.services.newest import newest_submitted
from competency.services.snapshots import snapshot_questionnaire


def team_people(team_id: int) -> Any:
    """SQL: ids of the team's active members (managers included), for use in an IN clause."""
    return (
        sa.select(col(Membership.user_id))
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.team_id) == team_id, col(User.active).is_(True))
    )


def latest(team_id: int, key: str, kinds: tuple[str, ...], subjects: Any = None) -> Any:
    """SQL: the submitted assessments of `kinds` and framework `key` of the team's members (of
    `subjects` among them when given: ids or a select of them), each member's newest of each kind
    with rn = 1."""
    where = [
        col(Assessment.kind).in_(kinds),
        col(QuestionnaireVersion.key) == key,
        col(Assessment.subject_id).in_(team_people(team_id)),
    ]
    if subjects is not None:
        where.append(col(Assessment.subject_id).in_(subjects))
    return newest_submitted(*where, name="latest")


def member_rows(
    session: Session, team_id: int, key: str, offset: int = 0, limit: int | None = None
) -> list[Any]:
    """The team's active members by name (`limit` of them from `offset`), each with their latest
    submitted self- and manager assessment of framework `key` and its area scores: a row per (member,
    kind, area), a single row for a member without either; `total` is the number of members in all.
    One statement."""
    people = (
        sa.select(
            col(User.id).label("user_id"),
            col(User.name).label("name"),
            col(User.email).label("email"),
            col(Membership.role).label("role"),
            sa.func.count().over().label("total"),
        )
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(col(Membership.team_id) == team_id, col(User.active).is_(True))
        .order_by(col(User.name), col(User.id))
        .offset(offset)
        .limit(limit)
        .subquery("people")
    )
    subjects = sa.select(people.c.user_id) if limit is not None else None
    newest = latest(team_id, key, ("self", "manager"), subjects)
    assessor = aliased(User)
    stmt = (
        sa.select(
            people,
            newest,
            col(assessor.name).label("assessor_name"),
            col(AreaScore.area_id),
            col(AreaScore.score),
            col(AreaScore.target),
            col(AreaScore.gap),
            col(AreaScore.new_score),
            col(AreaScore.reached),
        )
        .outerjoin(newest, sa.and_(newest.c.subject_id == people.c.user_id, newest.c.rn == 1))
        .outerjoin(AreaScore, col(AreaScore.assessment_id) == newest.c.assessment_id)
        .outerjoin(assessor, col(assessor.id) == newest.c.assessor_id)
        .order_by(people.c.name, people.c.user_id, newest.c.kind, col(AreaScore.id))
    )
    return list(session.execute(stmt).all())


def member_count(session: Session, team_id: int) -> int:
    return int(
        session.execute(sa.select(sa.func.count()).select_from(team_people(team_id).subquery())).scalar_one()
    )


def members_of(session: Session, team_id: int) -> list[tuple[User, str]]:
    rows = session.exec(
        select(User, Membership.role)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(col(Membership.team_id) == team_id, col(User.active).is_(True))
        .order_by(col(User.name), col(User.id))
    ).all()
    return [(user, role) for user, role in rows]


def framework_keys(session: Session, team_id: int) -> list[tuple[str, int]]:
    """(framework key, members with a submitted self-assessment of it), most submitted first."""
    rows = session.execute(
        sa.select(col(QuestionnaireVersion.key), sa.func.count(sa.distinct(col(Assessment.subject_id))))
        .join(Assessment, col(Assessment.questionnaire_version_id) == col(QuestionnaireVersion.id))
        .where(
            col(Assessment.kind) == "self",
            col(Assessment.status) == "submitted",
            col(Assessment.subject_id).in_(team_people(team_id)),
        )
        .group_by(col(QuestionnaireVersion.key))
    ).all()
    return sorted(((key, int(n)) for key, n in rows), key=lambda pair: (-pair[1], pair[0]))


def visible_teams(session: Session, actor: User) -> list[tuple[Team, int, str | None]]:
    """(team, active member count, the actor's role in it) for the teams the actor may open:
    every team for HR and admins, else the teams they belong to."""
    mine = aliased(Membership)
    count = (
        sa.select(sa.func.count())
        .select_from(Membership)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(col(Membership.team_id) == col(Team.id), col(User.active).is_(True))
        .scalar_subquery()
    )
    stmt = (
        select(Team, count, mine.role)
        .outerjoin(mine, sa.and_(col(mine.team_id) == col(Team.id), col(mine.user_id) == (actor.id or 0)))
        .order_by(col(Team.name))
    )
    if not actor.is_hr:
        stmt = stmt.where(col(mine.id).is_not(None))
    return [(team, int(n), role) for team, n, role in session.exec(stmt).all()]


#: Parsed framework versions by content hash: their definitions are read and parsed once per process.
_versions: dict[str, Questionnaire] = {}


def snapshots(session: Session, key: str) -> dict[int, Questionnaire]:
    """Every stored version of framework `key`, by snapshot id. Reads the (large) definitions only of
    versions this process has not parsed yet: one statement, two on a cold cache."""
    rows = session.execute(
        sa.select(col(QuestionnaireVersion.id), col(QuestionnaireVersion.content_hash)).where(
            col(QuestionnaireVersion.key) == key
        )
    ).all()
    missing = [row_id for row_id, digest in rows if digest not in _versions]
    if missing:
        for row in session.exec(
            select(QuestionnaireVersion).where(col(QuestionnaireVersion.id).in_(missing))
        ):
            _versions[row.content_hash] = snapshot_questionnaire(row)
    return {row_id: _versions[digest] for row_id, digest in rows}


def frameworks_taken(
    session: Session, team_id: int, subjects: list[int] | None = None
) -> dict[int, set[str]]:
    """Per team member (of `subjects` among them when given), the framework keys they take (a
    self-assessment of it, submitted or draft). One statement: the dashboard says "takes another
    framework" instead of "not submitted"."""
    stmt = (
        sa.select(col(Assessment.subject_id), col(QuestionnaireVersion.key))
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Assessment.questionnaire_version_id))
        .where(col(Assessment.kind) == "self", col(Assessment.subject_id).in_(team_people(team_id)))
        .distinct()
    )
    if subjects is not None:
        stmt = stmt.where(col(Assessment.subject_id).in_(subjects))
    rows = session.execute(stmt).all()
    out: dict[int, set[str]] = {}
    for subject_id, key in rows:
        out.setdefault(subject_id, set()).add(key)
    return out
