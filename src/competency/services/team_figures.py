"""What a plain member sees of their team: figures published in coarse steps, and republished only when at
least k contributions changed, so that no one person's submission, resubmission or departure moves them.

Managers and HR read the live figures (services/teams/load.py); plain members read the newest publication
here (services.cycles records a closing cycle's; the team page publishes when due). Differencing two publications isolates no one: they differ by k or more contributions, and each mean
is rounded to half a scale point, so one person's score moves it by less than the rounding hides.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import (
    AreaScore,
    Assessment,
    Cycle,
    Membership,
    QuestionnaireVersion,
    TeamFigures,
    User,
    utcnow,
)
from competency.services.cycle_sql import team_people
from competency.services.newest import newest_submitted

#: Means are published to this step of the scale.
SCORE_STEP = 0.5
#: Mean readiness is published to this many percentage points.
READINESS_STEP = 5.0


def coarse(value: float, step: float) -> float:
    """To the nearest `step` (halves up, as a person reads "2.75 is about 3")."""
    return math.floor(value / step + 0.5) * step


def newest(session: Session, team_id: int, key: str) -> TeamFigures | None:
    return session.exec(
        select(TeamFigures)
        .where(TeamFigures.team_id == team_id, TeamFigures.questionnaire_key == key)
        .order_by(col(TeamFigures.published_at).desc(), col(TeamFigures.id).desc())
    ).first()


def trend(session: Session, team_id: int, key: str) -> list[TeamFigures]:
    """The publications a closed cycle recorded, oldest first: the trend points plain members see."""
    return list(
        session.exec(
            select(TeamFigures)
            .where(
                TeamFigures.team_id == team_id,
                TeamFigures.questionnaire_key == key,
                col(TeamFigures.cycle_id).is_not(None),
            )
            .order_by(col(TeamFigures.published_at), col(TeamFigures.id))
        ).all()
    )


def refresh(
    session: Session,
    team_id: int,
    key: str,
    threshold: int,
    *,
    cycle: Cycle | None = None,
    now: datetime | None = None,
) -> TeamFigures | None:
    """Publish the team's figures when at least `threshold` contributions changed since the last
    publication (or none exists and `threshold` people contributed); flushed, not committed.

    `cycle`: the cycle closing, whose trend point is recorded either way: the new figures, or, when
    fewer changed, the figures already in force (so a trend point moves by no single person either).
    """
    now = now or utcnow()
    last = newest(session, team_id, key)
    newest_self = newest_submitted(
        col(Assessment.kind) == "self",
        col(QuestionnaireVersion.key) == key,
        col(Assessment.subject_id).in_(team_people(team_id)),
        col(Assessment.subject_id).in_(sa.select(col(User.id)).where(col(User.active).is_(True))),
    )
    rows = session.execute(
        sa.select(newest_self.c.subject_id, newest_self.c.assessment_id, newest_self.c.readiness).where(
            newest_self.c.rn == 1
        )
    ).all()
    now_in = {str(subject_id): int(assessment_id) for subject_id, assessment_id, _ in rows}
    before = last.contributions if last is not None else {}
    # People whose contribution differs: a new one, a resubmission, a departure.
    changed = sum(1 for person in set(now_in) | set(before) if now_in.get(person) != before.get(person))
    ids = sorted(now_in.values())
    if len(ids) >= threshold and changed >= threshold:
        figures = TeamFigures(
            team_id=team_id,
            questionnaire_key=key,
            cycle_id=cycle.id if cycle else None,
            published_at=now,
            contributors=len(ids),
            contributions=now_in,
            readiness=_readiness([r for _, _, r in rows if r is not None], threshold),
            areas=_areas(session, ids, threshold),
        )
    elif cycle is not None and last is not None:
        figures = TeamFigures(
            team_id=team_id,
            questionnaire_key=key,
            cycle_id=cycle.id,
            published_at=now,
            contributors=last.contributors,
            contributions=dict(last.contributions),
            readiness=last.readiness,
            areas=dict(last.areas),
        )
    else:
        return last
    session.add(figures)
    session.flush()
    return figures


def _readiness(values: list[float], threshold: int) -> float | None:
    if len(values) < threshold:
        return None
    return coarse(math.fsum(values) / len(values), READINESS_STEP)


def _areas(session: Session, ids: list[int], threshold: int) -> dict[str, list[float]]:
    scores: dict[str, list[float]] = defaultdict(list)
    if ids:
        for area_id, value in session.execute(
            sa.select(col(AreaScore.area_id), col(AreaScore.score)).where(
                col(AreaScore.assessment_id).in_(ids), col(AreaScore.score).is_not(None)
            )
        ).all():
            scores[area_id].append(float(value))
    return {
        area_id: [coarse(math.fsum(values) / len(values), SCORE_STEP), len(values)]
        for area_id, values in scores.items()
        if len(values) >= threshold
    }


def refresh_for_person(session: Session, user_id: int, key: str, threshold: int) -> None:
    """After someone submits, resubmits or leaves: each of their teams' figures, where due."""
    teams = session.exec(select(Membership.team_id).where(Membership.user_id == user_id)).all()
    for team_id in sorted(set(teams)):
        refresh(session, team_id, key, threshold)
