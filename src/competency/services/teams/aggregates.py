"""Per-area team figures worked out by the database: how many scored the area, mean, median, lowest and
highest, coverage at target, experts and the best of them by name, and each submitted member's level.

Over each member's latest submitted self-assessment of the framework, whatever version they took: an
area counts where the member's stored profile has it, so an area not in play at their level (absent
from it) leaves them out, and areas of earlier versions are aggregated under their id. A team of a
thousand sends a row per area to Python, not a thousand members' scores.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from competency import scoring
from competency.models import AreaScore, User
from competency.services.teams.lookups import latest
from competency.services.teams.summary import EXPERTS_NAMED, Expert, RosterEntry


def _latest_self(team_id: int, key: str) -> Any:
    return latest(team_id, key, ("self",))


def area_stats(
    session: Session, team_id: int, key: str, expert_level: float
) -> dict[str, scoring.TeamAreaStats]:
    """Per area id any member's latest self-assessment has (scored or not), its team figures: the same
    numbers, to the last bit, as `scoring.team_area_stats` over the members' (score, own target).

    The database counts the members per (area, score), and how many of them reach their own target;
    area scores are weighted means of a few answers and take few distinct values, so an area sends
    tens of rows, not a row per member. Mean (an exact sum), median, range and expert count follow
    from the counts. One statement."""
    newest = _latest_self(team_id, key)
    score = col(AreaScore.score)
    rows = session.execute(
        sa.select(
            col(AreaScore.area_id),
            score,
            sa.func.count(),
            # DESIGN.md: every comparison with a target allows 1e-9, as scoring does.
            sa.func.sum(sa.case((score >= col(AreaScore.target) - scoring.TOLERANCE, 1), else_=0)),
        )
        .join(newest, newest.c.assessment_id == col(AreaScore.assessment_id))
        .where(newest.c.rn == 1)
        .group_by(col(AreaScore.area_id), score)
    ).all()
    counts: dict[str, list[tuple[float, int, int]]] = {}
    for area_id, value, n, covered in rows:
        scored = counts.setdefault(area_id, [])
        if value is not None:
            scored.append((float(value), int(n), int(covered or 0)))
    return {area_id: _stats(area_id, sorted(scored), expert_level) for area_id, scored in counts.items()}


def _stats(area_id: str, scored: list[tuple[float, int, int]], expert_level: float) -> scoring.TeamAreaStats:
    """Team figures from (score, members with it, of them at target) in ascending score order."""
    n = sum(count for _, count, _ in scored)
    if not n:
        return no_scores(area_id)
    # fsum over every member's score, as statistics.fmean sums them: the same mean to the last bit.
    total = math.fsum(itertools.chain.from_iterable(itertools.repeat(v, count) for v, count, _ in scored))
    return scoring.TeamAreaStats(
        area_id=area_id,
        mean=total / n,
        median=_median(scored, n),
        min=scored[0][0],
        max=scored[-1][0],
        n=n,
        coverage=sum(covered for _, _, covered in scored),
        experts=sum(count for v, count, _ in scored if v >= expert_level - scoring.TOLERANCE),
    )


def _median(scored: list[tuple[float, int, int]], n: int) -> float:
    """The middle score of n (the mean of the middle two when n is even), as statistics.median."""

    def nth(index: int) -> float:
        seen = 0
        for value, count, _ in scored:
            seen += count
            if index < seen:
                return value
        raise IndexError(index)

    if n % 2:
        return nth(n // 2)
    return (nth(n // 2 - 1) + nth(n // 2)) / 2


def reached(session: Session, team_id: int, key: str) -> dict[str, dict[str | None, int]]:
    """Per area, members (latest self-assessment) by the level they reached there; None counts those who
    did not meet the first level of their path. Unscored areas are left out. One statement."""
    newest = _latest_self(team_id, key)
    rows = session.execute(
        sa.select(col(AreaScore.area_id), col(AreaScore.reached), sa.func.count())
        .join(newest, newest.c.assessment_id == col(AreaScore.assessment_id))
        .where(newest.c.rn == 1, col(AreaScore.score).is_not(None))
        .group_by(col(AreaScore.area_id), col(AreaScore.reached))
    ).all()
    out: dict[str, dict[str | None, int]] = {}
    for area_id, level, n in rows:
        out.setdefault(area_id, {})[level] = int(n)
    return out


def no_scores(area_id: str) -> scoring.TeamAreaStats:
    """The figures of an area nobody scored."""
    return scoring.team_area_stats(area_id, [], 0.0)


def _by_name(session: Session) -> Any:
    """User.name sorted by code point, as Python sorts strings (PostgreSQL would use the locale)."""
    name = col(User.name)
    return name.collate("C") if session.get_bind().dialect.name == "postgresql" else name


def top_experts(
    session: Session, team_id: int, key: str, expert_level: float, per_area: int = EXPERTS_NAMED + 1
) -> dict[str, list[Expert]]:
    """Per area, the `per_area` members scoring highest at or above the expert level (then by name
    and id). One statement."""
    newest = _latest_self(team_id, key)
    score = col(AreaScore.score)
    ranked = (
        sa.select(
            col(AreaScore.area_id).label("area_id"),
            col(User.id).label("user_id"),
            col(User.name).label("name"),
            score.label("score"),
            sa.func.row_number()
            .over(
                partition_by=col(AreaScore.area_id), order_by=(score.desc(), _by_name(session), col(User.id))
            )
            .label("place"),
        )
        .join(newest, newest.c.assessment_id == col(AreaScore.assessment_id))
        .join(User, col(User.id) == newest.c.subject_id)
        .where(newest.c.rn == 1, score >= expert_level - scoring.TOLERANCE)
        .subquery("ranked")
    )
    rows = session.execute(
        sa.select(ranked.c.area_id, ranked.c.user_id, ranked.c.name, ranked.c.score)
        .where(ranked.c.place <= per_area)
        .order_by(ranked.c.area_id, ranked.c.place)
    ).all()
    out: dict[str, list[Expert]] = {}
    for area_id, user_id, name, value in rows:
        out.setdefault(area_id, []).append(Expert(user_id, name, float(value)))
    return out


def roster(session: Session, team_id: int, key: str, area_ids: list[str]) -> list[RosterEntry]:
    """Every member with a submitted self-assessment, by name, with their target level and their
    scores in `area_ids` (None where not scored): one row per member, one statement."""
    newest = _latest_self(team_id, key)
    stmt = (
        sa.select(col(User.id), col(User.name), newest.c.target_level)
        .join(User, col(User.id) == newest.c.subject_id)
        .where(newest.c.rn == 1)
        .order_by(_by_name(session), col(User.id))
    )
    if not area_ids:
        return [RosterEntry(uid, name, level, ()) for uid, name, level in session.execute(stmt).all()]
    # A column per area: the member's stored score there, looked up by (assessment, area) (the table's
    # unique index), which is cheaper than grouping every score by member.
    scores = [
        sa.select(col(AreaScore.score))
        .where(col(AreaScore.assessment_id) == newest.c.assessment_id, col(AreaScore.area_id) == area_id)
        .scalar_subquery()
        for area_id in area_ids
    ]
    stmt = stmt.add_columns(*scores)
    rows = session.execute(stmt).all()
    return [RosterEntry(row[0], row[1], row[2], tuple(row[3:])) for row in rows]


def levels(entries: list[RosterEntry]) -> dict[str, int]:
    """Submitted self-assessments per target level."""
    out: dict[str, int] = {}
    for entry in entries:
        out[entry.level] = out.get(entry.level, 0) + 1
    return out
