"""Where people stand in cycles: each person's status, counts, open cycles and the team trend.

The SQL that decides whom a cycle covers and which assessment counts is in `cycle_sql`; every query is
set-based, so the number of statements does not grow with the number of people.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import AreaScore, Cycle, Membership, User, utcnow
from competency.services import access
from competency.services.cycle_sql import (
    covers,
    ranked_assessments,
    status_rows,
    team_people,
)

#: A person's status in a cycle, in the order they progress through it.
STATUSES = ("not started", "draft", "submitted")
#: What a status page counts: the three statuses, with "overdue" replacing an unfinished one after the due
#: date while the cycle is open, and "missed" replacing it once the cycle is closed.
STATES = ("not started", "draft", "submitted", "overdue", "missed")


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
    #: Not submitted when the cycle closed: it can no longer be done, so it is not "overdue".
    missed: bool = False

    @property
    def state(self) -> str:
        """The status as counted on status pages: an unfinished one is "overdue" after the due date, and
        "missed" once the cycle is closed."""
        if self.missed:
            return "missed"
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
    #: Members scored per area (the aggregate minimum applies per area too: services/teams.py).
    area_counts: dict[str, int] = field(default_factory=dict)


def is_overdue(cycle: Cycle, status: str, now: datetime | None = None) -> bool:
    return status != "submitted" and cycle.closed_at is None and (now or utcnow()) > cycle.due_at


def is_missed(cycle: Cycle, status: str) -> bool:
    return status != "submitted" and cycle.closed_at is not None


def is_open(cycle: Cycle) -> bool:
    return cycle.closed_at is None


def progress_from_rows(rows: Sequence[Any], now: datetime) -> list[CycleProgress]:
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
                missed=is_missed(cycle, state),
            )
        )
    return [CycleProgress(cycle, statuses) for cycle, statuses in grouped.values()]


# -- reading ---------------------------------------------------------------------------------------


def statuses_of(
    session: Session, user: User, cycles: Sequence[Cycle], now: datetime | None = None
) -> dict[int, MemberStatus]:
    """The user's own status in each of `cycles` that covers them, in one statement."""
    if not cycles:
        return {}
    rows = status_rows(
        session,
        cycles_where=[col(Cycle.id).in_([c.id for c in cycles])],
        people_where=[col(User.id) == (user.id or 0)],
        subjects=[user.id or 0],
    )
    return {p.cycle.id or 0: p.statuses[0] for p in progress_from_rows(rows, now or utcnow()) if p.statuses}


def progress(session: Session, actor: User, cycle: Cycle, now: datetime | None = None) -> CycleProgress:
    """Everyone the cycle covers, as far as the actor may see them (a manager: their teams' members)."""
    people_where: list[sa.ColumnElement[bool]] = []
    if not actor.is_hr:
        managed = sorted(access.managed_team_ids(session, actor.id or 0))
        people_where.append(
            col(User.id).in_(sa.select(col(Membership.user_id)).where(col(Membership.team_id).in_(managed)))
        )
    rows = status_rows(session, cycles_where=[col(Cycle.id) == cycle.id], people_where=people_where)
    found = progress_from_rows(rows, now or utcnow())
    return found[0] if found else CycleProgress(cycle, [])


def counts_by_cycle(
    session: Session, cycles: Sequence[Cycle], now: datetime | None = None
) -> dict[int, dict[str, int]]:
    """Counts per state for many cycles in one statement, over everyone each cycle covers."""
    if not cycles:
        return {}
    ids = [c.id for c in cycles]
    ranked = ranked_assessments([col(Cycle.id).in_(ids)])
    status = sa.func.coalesce(ranked.c.status, "not started")
    stmt = (
        sa.select(col(Cycle.id), status, sa.func.count())
        .select_from(Cycle)
        .join(User, sa.and_(col(User.active).is_(True), covers(col(User.id))))
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
        cycle = by_id[cycle_id]
        key = "missed" if is_missed(cycle, state) else "overdue" if is_overdue(cycle, state, now) else state
        out[cycle_id][key] += count
    return out


def team_progress(
    session: Session, team_id: int, key: str, now: datetime | None = None
) -> list[CycleProgress]:
    """The open cycles of framework `key` that cover the team, with the status of each team member."""
    rows = status_rows(
        session,
        cycles_where=[
            col(Cycle.questionnaire_key) == key,
            col(Cycle.closed_at).is_(None),
            sa.or_(col(Cycle.team_id).is_(None), col(Cycle.team_id) == team_id),
        ],
        people_where=[col(User.id).in_(team_people(team_id))],
        subjects=team_people(team_id),
    )
    return progress_from_rows(rows, now or utcnow())


def open_progress_of(
    session: Session, people: Any, team_ids: Sequence[int], now: datetime | None = None
) -> list[CycleProgress]:
    """Open cycles (of any framework) run for `team_ids` or the whole organisation, with the status of
    each of `people` (a subquery of user ids) they cover. One statement, for a manager's home."""
    now = now or utcnow()
    rows = status_rows(
        session,
        cycles_where=[
            col(Cycle.closed_at).is_(None),
            col(Cycle.opens_at) <= now,
            sa.or_(col(Cycle.team_id).is_(None), col(Cycle.team_id).in_(team_ids)),
        ],
        people_where=[col(User.id).in_(people)],
        subjects=people,
    )
    return progress_from_rows(rows, now)


def pending_for(
    session: Session, user: User, now: datetime | None = None
) -> list[tuple[Cycle, MemberStatus]]:
    """Open cycles covering `user` that they have not submitted yet, the soonest due first."""
    now = now or utcnow()
    rows = status_rows(
        session,
        cycles_where=[col(Cycle.closed_at).is_(None), col(Cycle.opens_at) <= now],
        people_where=[col(User.id) == (user.id or 0)],
        subjects=[user.id or 0],
    )
    return [
        (p.cycle, status)
        for p in progress_from_rows(rows, now)
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
            covers(sa.literal(subject_id)),
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
    ranked = ranked_assessments(cycles_where, team_people(team_id))
    latest = sa.and_(ranked.c.rn == 1, ranked.c.status == "submitted")
    per_cycle = session.execute(
        sa.select(ranked.c.cycle_id, sa.func.count(), sa.func.avg(ranked.c.readiness))
        .where(latest)
        .group_by(ranked.c.cycle_id)
    ).all()
    per_area = session.execute(
        sa.select(
            ranked.c.cycle_id, col(AreaScore.area_id), sa.func.avg(col(AreaScore.score)), sa.func.count()
        )
        .join(AreaScore, col(AreaScore.assessment_id) == ranked.c.assessment_id)
        .where(latest, col(AreaScore.score).is_not(None))
        .group_by(ranked.c.cycle_id, col(AreaScore.area_id))
    ).all()
    counts = {cycle_id: (n, readiness) for cycle_id, n, readiness in per_cycle}
    means: dict[int, dict[str, float]] = defaultdict(dict)
    scored: dict[int, dict[str, int]] = defaultdict(dict)
    for cycle_id, area_id, mean, n in per_area:
        means[cycle_id][area_id] = float(mean)
        scored[cycle_id][area_id] = int(n)
    out = []
    for cycle in cycles:
        n, readiness = counts.get(cycle.id, (0, None))
        out.append(
            TrendPoint(
                cycle,
                n,
                None if readiness is None else float(readiness),
                means.get(cycle.id or 0, {}),
                scored.get(cycle.id or 0, {}),
            )
        )
    return out


#: Columns of a cycle's status CSV.
STATUS_CSV_COLUMNS = ("name", "email", "status", "state", "submitted_at", "cycle", "due_at", "closed_at")


def statuses_csv(progress: CycleProgress) -> str:
    """The statuses a cycle page shows, as CSV (the same people the viewer may see)."""
    import csv
    import io

    from competency.services.reports import csv_safe

    cycle = progress.cycle
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(STATUS_CSV_COLUMNS)
    for status in progress.statuses:
        row = [
            status.name,
            status.email,
            status.status,
            status.state,
            status.submitted_at.isoformat() if status.submitted_at else "",
            cycle.name,
            cycle.due_at.isoformat(),
            cycle.closed_at.isoformat() if cycle.closed_at else "",
        ]
        writer.writerow(csv_safe(row))
    return buffer.getvalue()
