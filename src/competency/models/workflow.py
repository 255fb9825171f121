"""What people do around an assessment: plan steps they work on, blind spots talked through, home visits."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import in_check, now_column, optional_time

PLAN_STATUSES = ("not started", "in progress", "done")


class PlanStepStatus(SQLModel, table=True):
    """Where a person stands on one roadmap step of a framework.

    Keyed by person, framework key and step id, not by assessment: a step done stays done when a later
    assessment recommends it again.
    """

    __tablename__ = "plan_step_status"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "questionnaire_key", "step_id"),
        in_check("status", PLAN_STATUSES, "status"),
        sa.CheckConstraint("(status = 'done') = (done_at IS NOT NULL)", name="done_has_time"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    questionnaire_key: str = Field(max_length=80)
    step_id: str = Field(max_length=80)
    status: str = Field(default="not started", max_length=16)
    #: When the step was last marked done (null unless done).
    done_at: datetime | None = optional_time()
    updated_at: datetime = now_column()


class PlanStepEvent(SQLModel, table=True):
    """Every change of a plan step's status, so the history keeps what was done when."""

    __tablename__ = "plan_step_event"
    __table_args__ = (
        in_check("status", PLAN_STATUSES, "status"),
        sa.Index(None, "user_id", "questionnaire_key", "at"),
        sa.Index(None, "status", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    questionnaire_key: str = Field(max_length=80)
    step_id: str = Field(max_length=80)
    status: str = Field(max_length=16)
    #: The submitted self-assessment whose plan listed the step when it changed.
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id", ondelete="SET NULL")
    actor_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    at: datetime = now_column()


class BlindSpotDiscussion(SQLModel, table=True):
    """A manager marked a blind spot (self vs manager differ by a point or more) as talked through.

    Keyed by the pair of assessments compared: a new self-assessment or rating makes a new blind spot.
    """

    # Short names: PostgreSQL cuts identifiers at 63 characters and the unique constraint names its columns.
    __tablename__ = "blind_spot_mark"
    __table_args__ = (sa.UniqueConstraint("self_rating_id", "manager_rating_id", "area_id"),)

    id: int | None = Field(default=None, primary_key=True)
    #: The self-assessment compared.
    self_rating_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    #: The manager assessment compared.
    manager_rating_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", index=True)
    area_id: str = Field(max_length=80)
    by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    at: datetime = now_column()


class HomeVisit(SQLModel, table=True):
    """When a person last came to their home page, so it can say what happened since."""

    __tablename__ = "home_visit"

    user_id: int = Field(foreign_key="user.id", ondelete="CASCADE", primary_key=True)
    #: Start of the current visit (a visit lasts while the person keeps coming back within the hour).
    seen_at: datetime = now_column()
    #: Start of the visit before; "since your last visit" counts from here.
    previous_seen_at: datetime | None = optional_time()
