"""Team figures as plain members see them: published, coarse, and moved only by several people at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import now_column


class TeamFigures(SQLModel, table=True):
    """One publication of a team's figures for one framework (DESIGN.md access: what a plain member sees
    moves by no single person's submission, resubmission or departure).

    A new publication is made only when at least the aggregate minimum of contributions changed since the
    last one; a cycle's close records the figures then in force as that cycle's trend point.
    """

    __tablename__ = "team_figures"
    __table_args__ = (sa.Index(None, "team_id", "questionnaire_key", "published_at"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", ondelete="CASCADE")
    questionnaire_key: str = Field(max_length=80)
    #: Set on the publication a cycle's close recorded (its trend point); null for the others.
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", ondelete="SET NULL", index=True)
    published_at: datetime = now_column()
    #: Submitted self-assessments the figures are over.
    contributors: int
    #: Person id (as text, a JSON key) -> their assessment's id: the next publication counts how many
    #: people's contributions changed (a new one, a resubmission, a departure) against these.
    contributions: dict[str, int] = Field(sa_type=sa.JSON, nullable=False)
    #: Mean readiness, to READINESS_STEP; null when too few.
    readiness: float | None = None
    #: Area id -> [mean to SCORE_STEP, members scored]; areas scored by too few are absent.
    areas: dict[str, Any] = Field(sa_type=sa.JSON, nullable=False)
