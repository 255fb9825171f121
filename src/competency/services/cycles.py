"""Assessment cycles: opening and closing them, whom they cover, each person's status and the team trend.

Which assessments count for a cycle: self-assessments of the cycle's framework that carry its id, and,
for assessments started outside any cycle (cycle_id null), those submitted between the cycle's opening
and its closing, or still in draft while the cycle is open. Every query here is set-based: the number
of statements does not grow with the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import (
    CYCLE_AUDIENCES,
    AreaScore,
    Assessment,
    Cycle,
    Membership,
    QuestionnaireVersion,
    Team,
    User,
    utcnow,
)
from competency.services import NotFound, ServiceError, access, audit

#: A person's status in a cycle, in the order they progress through it.
STATUSES = ("not started", "draft", "submitted")
#: What a status page counts: the three statuses, with "overdue" replacing an unfinished one after the due date.
STATES = ("not started", "draft", "submitted", "overdue")
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class MemberStatus:
    """Where one person stands in one cycle."""

    user_id: int
    name: str
    email: str
    status: str
    overdue: bool
    assessment_id: int | None = None
    submitted_at: datetime | None = None

    @property
    def state(self) -> str:
        """The status as counted on status pages: an unfinished one after the due date is "overdue"."""
        return "overdue" if self.overdue else self.status


@dataclass(frozen=True)
class CycleProgress:
    """A cycle with the status of everyone it covers (or of the part of them the viewer may see)."""

    cycle: Cycle
    statuses: list[MemberStatus] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.statuses)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATES, 0)
        for status in self.statuses:
            counts[status.state] += 1
        return counts

    @property
    def submitted(self) -> int:
        return self.counts["submitted"]

    @property
    def percent(self) -> float | None:
        return 100.0 * self.submitted / self.total if self.total else None


@dataclass(frozen=True)
class TrendPoint:
    """A team's numbers in one cycle: means over each member's latest self-assessment in it."""

    cycle: Cycle
    submitted: int
    readiness: float | None
    area_means: dict[str, float]


def is_overdue(cycle: Cycle, status: str, now: datetime | None = None) -> bool:
    return status != "submitted" and (now or utcnow()) > cycle.due_at


def is_open(cycle: Cycle) -> bool:
    return cycle.closed_at is None


# -- the SQL building blocks -----------------------------------------------------------------------


def _covers(user_id: Any) -> sa.ColumnElement[bool]:
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
        .where(col(User.active).is_(True), _covers(col(User.id)))
        .order_by(col(User.name), col(User.id))
    )
    return list(session.exec(stmt).all())


def _counts_for_cycle() -> sa.ColumnElement[bool]:
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


def _ranked(cycles_where: Sequence[sa.ColumnElement[bool]], subjects: Any | None = None) -> Any:
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
                col(Assessment.questionnaire_version_id) == col(QuestionnaireVersion.id), _counts_for_cycle()
            ),
        )
        .where(*cycles_where)
    )
    if subjects is not None:
        stmt = stmt.where(col(Assessment.subject_id).in_(subjects))
    return stmt.subquery("ranked")


def _team_people(team_id: int) -> Any:
    return sa.select(col(Membership.user_id)).where(col(Membership.team_id) == team_id)


def _status_rows(
    session: Session,
    *,
    cycles_where: Sequence[sa.ColumnElement[bool]],
    people_where: Sequence[sa.ColumnElement[bool]] = (),
    subjects: Any | None = None,
) -> list[Any]:
    """(Cycle, user id, name, email, assessment id, status, submitted at) for every covered person."""
    ranked = _ranked(cycles_where, subjects)
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
        .join(User, sa.and_(col(User.active).is_(True), _covers(col(User.id)), *people_where))
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


def _progress(rows: Sequence[Any], now: datetime) -> list[CycleProgress]:
    grouped: dict[int, tuple[Cycle, list[MemberStatus]]] = {}
    for cycle, user_id, name, email, assessment_id, status, submitted_at in rows:
        entry = grouped.setdefault(cycle.id, (cycle, []))
        state = status or "not started"
        entry[1].append(
            MemberStatus(
                user_id=user_id,
                name=name,
                email=email,
                status=state,
                overdue=is_overdue(cycle, state, now),
                assessment_id=assessment_id,
                submitted_at=submitted_at,
            )
        )
    return [CycleProgress(cycle, statuses) for cycle, statuses in grouped.values()]


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


def statuses_of(
    session: Session, user: User, cycles: Sequence[Cycle], now: datetime | None = None
) -> dict[int, MemberStatus]:
    """The user's own status in each of `cycles` that covers them, in one statement."""
    if not cycles:
        return {}
    rows = _status_rows(
        session,
        cycles_where=[col(Cycle.id).in_([c.id for c in cycles])],
        people_where=[col(User.id) == (user.id or 0)],
        subjects=[user.id or 0],
    )
    return {p.cycle.id or 0: p.statuses[0] for p in _progress(rows, now or utcnow()) if p.statuses}


def visible_cycles(session: Session, actor: User) -> list[tuple[Cycle, str | None]]:
    """(cycle, team name) of the cycles the actor may see: all for HR and admins, else those covering
    them or run for a team they manage. Newest first."""
    stmt = select(Cycle, Team.name).outerjoin(Team, col(Team.id) == col(Cycle.team_id))
    if not actor.is_hr:
        stmt = stmt.where(_covers(sa.literal(actor.id or 0)))
    stmt = stmt.order_by(col(Cycle.opens_at).desc(), col(Cycle.id).desc())
    return [(cycle, name) for cycle, name in session.exec(stmt).all()]


def progress(session: Session, actor: User, cycle: Cycle, now: datetime | None = None) -> CycleProgress:
    """Everyone the cycle covers, as far as the actor may see them (a manager: their teams' members)."""
    people_where: list[sa.ColumnElement[bool]] = []
    if not actor.is_hr:
        managed = sorted(access.managed_team_ids(session, actor.id or 0))
        people_where.append(
            col(User.id).in_(sa.select(col(Membership.user_id)).where(col(Membership.team_id).in_(managed)))
        )
    rows = _status_rows(session, cycles_where=[col(Cycle.id) == cycle.id], people_where=people_where)
    found = _progress(rows, now or utcnow())
    return found[0] if found else CycleProgress(cycle, [])


def counts_by_cycle(
    session: Session, cycles: Sequence[Cycle], now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Counts per state for many cycles in one statement, over everyone each cycle covers."""
    if not cycles:
        return {}
    ids = [c.id for c in cycles]
    ranked = _ranked([col(Cycle.id).in_(ids)])
    status = sa.func.coalesce(ranked.c.status, "not started")
    stmt = (
        sa.select(col(Cycle.id), status, sa.func.count())
        .select_from(Cycle)
        .join(User, sa.and_(col(User.active).is_(True), _covers(col(User.id))))
        .outerjoin(
            ranked,
            sa.and_(
                ranked.c.cycle_id == col(Cycle.id), ranked.c.subject_id == col(User.id), ranked.c.rn == 1
            ),
        )
        .where(col(Cycle.id).in_(ids))
        .group_by(col(Cycle.id), status)
    )
    now = now or utcnow()
    by_id = {c.id: c for c in cycles}
    out: dict[int, dict[str, int]] = {c.id or 0: dict.fromkeys(STATES, 0) for c in cycles}
    for cycle_id, state, count in session.execute(stmt).all():
        key = "overdue" if is_overdue(by_id[cycle_id], state, now) else state
        out[cycle_id][key] += count
    return out


def team_progress(
    session: Session, team_id: int, key: str, now: datetime | None = None
) -> list[CycleProgress]:
    """The open cycles of framework `key` that cover the team, with the status of each team member."""
    rows = _status_rows(
        session,
        cycles_where=[
            col(Cycle.questionnaire_key) == key,
            col(Cycle.closed_at).is_(None),
            sa.or_(col(Cycle.team_id).is_(None), col(Cycle.team_id) == team_id),
        ],
        people_where=[col(User.id).in_(_team_people(team_id))],
        subjects=_team_people(team_id),
    )
    return _progress(rows, now or utcnow())


def pending_for(
    session: Session, user: User, now: datetime | None = None
) -> list[tuple[Cycle, MemberStatus]]:
    """Open cycles covering `user` that they have not submitted yet, the soonest due first."""
    now = now or utcnow()
    rows = _status_rows(
        session,
        cycles_where=[col(Cycle.closed_at).is_(None), col(Cycle.opens_at) <= now],
        people_where=[col(User.id) == (user.id or 0)],
        subjects=[user.id or 0],
    )
    return [
        (p.cycle, status)
        for p in _progress(rows, now)
        for status in p.statuses
        if status.status != "submitted"
    ]


def open_cycle_for(session: Session, subject_id: int, key: str, now: datetime | None = None) -> int | None:
    """The open cycle of framework `key` that a new self-assessment of `subject_id` belongs to: one of
    their team's before an organisation-wide one, then the soonest due."""
    now = now or utcnow()
    return session.exec(
        select(Cycle.id)
        .where(
            col(Cycle.questionnaire_key) == key,
            col(Cycle.closed_at).is_(None),
            col(Cycle.opens_at) <= now,
            _covers(sa.literal(subject_id)),
        )
        .order_by(sa.case((col(Cycle.team_id).is_(None), 1), else_=0), col(Cycle.due_at), col(Cycle.id))
        .limit(1)
    ).first()


def team_trend(session: Session, team_id: int, key: str, now: datetime | None = None) -> list[TrendPoint]:
    """Per cycle of `key` that covers the team and has opened: mean readiness and mean score per area
    over each current member's latest self-assessment submitted in it. Three statements."""
    now = now or utcnow()
    cycles_where = [
        col(Cycle.questionnaire_key) == key,
        col(Cycle.opens_at) <= now,
        sa.or_(col(Cycle.team_id).is_(None), col(Cycle.team_id) == team_id),
    ]
    cycles = list(
        session.exec(select(Cycle).where(*cycles_where).order_by(col(Cycle.opens_at), col(Cycle.id)))
    )
    if not cycles:
        return []
    ranked = _ranked(cycles_where, _team_people(team_id))
    latest = sa.and_(ranked.c.rn == 1, ranked.c.status == "submitted")
    per_cycle = session.execute(
        sa.select(ranked.c.cycle_id, sa.func.count(), sa.func.avg(ranked.c.readiness))
        .where(latest)
        .group_by(ranked.c.cycle_id)
    ).all()
    per_area = session.execute(
        sa.select(ranked.c.cycle_id, col(AreaScore.area_id), sa.func.avg(col(AreaScore.score)))
        .join(AreaScore, col(AreaScore.assessment_id) == ranked.c.assessment_id)
        .where(latest, col(AreaScore.score).is_not(None))
        .group_by(ranked.c.cycle_id, col(AreaScore.area_id))
    ).all()
    counts = {cycle_id: (n, readiness) for cycle_id, n, readiness in per_cycle}
    means: dict[int, dict[str, float]] = defaultdict(dict)
    for cycle_id, area_id, mean in per_area:
        means[cycle_id][area_id] = float(mean)
    out = []
    for cycle in cycles:
        n, readiness = counts.get(cycle.id, (0, None))
        out.append(
            TrendPoint(
                cycle, n, None if readiness is None else float(readiness), means.get(cycle.id or 0, {})
            )
        )
    return out


# -- changing ----------------------------------------------------------------------------------------


def runnable_teams(session: Session, actor: User) -> list[Team]:
    """Teams the actor may open a cycle for: every team for HR and admins, else the teams they manage."""
    stmt = select(Team).order_by(col(Team.name))
    if not actor.is_hr:
        stmt = stmt.where(
            col(Team.id).in_(
                sa.select(col(Membership.team_id)).where(
                    col(Membership.user_id) == (actor.id or 0), col(Membership.role) == "manager"
                )
            )
        )
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
    session.commit()
    from competency.services import events

    events.cycle_opened(cycle)
    return cycle


def close_cycle(
    session: Session,
    actor: User,
    cycle: Cycle,
    *,
    now: datetime | None = None,
    remote_addr: str | None = None,
) -> None:
    if not access.can_run_cycles(session, actor, cycle.team_id):
        raise NotFound(f"no cycle {cycle.id}")
    if cycle.closed_at is not None:
        raise ServiceError("This cycle is already closed.")
    cycle.closed_at = now or utcnow()
    session.add(cycle)
    _audit(session, actor, "cycle.close", cycle, remote_addr)
    session.commit()
    from competency.services import events

    events.cycle_closed(cycle)


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
