"""Frameworks as stored snapshots, cycles, assessments and what they hold."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import in_check, now_column, optional_time, required_time

ASSESSMENT_KINDS = ("self", "manager")
ASSESSMENT_STATUSES = ("draft", "submitted")
#: Who in a cycle's scope is asked to take it: everyone, the plain members (engineers) or the managers.
CYCLE_AUDIENCES = ("everyone", "members", "managers")


class QuestionnaireVersion(SQLModel, table=True):
    """The parsed definition of a framework as it was first used; assessments point here.

    One row per revision: a text-only change under the same version is a new revision, and all
    revisions of a version score alike (same `structure_hash`).
    """

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        sa.UniqueConstraint("key", "version", "revision"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
        sa.CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, index=True)
    version: int
    #: 1 for the first snapshot of a version, then one more per text-only change.
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    #: sha256 of the canonical JSON of `definition`.
    content_hash: str = Field(max_length=64)
    #: sha256 of what can change a number or what is asked (questionnaire.structure); null on rows
    #: stored before revisions existed, filled in when first compared.
    structure_hash: str | None = Field(default=None, max_length=64)
    title: str = Field(max_length=2000)
    definition: dict[str, Any] = Field(sa_type=sa.JSON, nullable=False)
    created_at: datetime = now_column()


class Cycle(SQLModel, table=True):
    """A round of assessments of one framework, for one team or (team_id null) everyone."""

    __tablename__ = "cycle"
    __table_args__ = (
        sa.CheckConstraint("due_at >= opens_at", name="due_after_open"),
        in_check("audience", CYCLE_AUDIENCES, "audience"),
    )

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    questionnaire_key: str = Field(max_length=80, index=True)
    team_id: int | None = Field(default=None, foreign_key="team.id", ondelete="CASCADE", index=True)
    #: "members": people without a manager role (in the team, or anywhere for the whole organisation);
    #: "managers": the team's managers (or every manager); "everyone": all people in scope.
    audience: str = Field(default="everyone", max_length=16)
    opens_at: datetime = now_column()
    due_at: datetime = required_time()
    closed_at: datetime | None = optional_time()
    created_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    created_at: datetime = now_column()
    #: Days before the due date on which people who have not submitted get a reminder, e.g. "7,1".
    reminder_days: str = Field(default="7,1", max_length=40, sa_column_kwargs={"server_default": "7,1"})


class Assessment(SQLModel, table=True):
    """One person's (kind self) or their manager's (kind manager) rating against a framework version.

    Immutable once submitted: a change is a new assessment.
    """

    __tablename__ = "assessment"
    __table_args__ = (
        in_check("kind", ASSESSMENT_KINDS, "kind"),
        in_check("status", ASSESSMENT_STATUSES, "status"),
        sa.CheckConstraint("(status = 'submitted') = (submitted_at IS NOT NULL)", name="submitted_has_time"),
        sa.CheckConstraint(
            "readiness IS NULL OR (readiness >= 0 AND readiness <= 100)", name="readiness_range"
        ),
        sa.CheckConstraint(
            "readiness_all IS NULL OR (readiness_all >= 0 AND readiness_all <= 100)",
            name="readiness_all_range",
        ),
        sa.CheckConstraint(
            "readiness_new IS NULL OR (readiness_new >= 0 AND readiness_new <= 100)",
            name="readiness_new_range",
        ),
        sa.CheckConstraint("kind = 'manager' OR assessor_id = subject_id", name="self_is_own"),
        sa.Index(None, "subject_id", "kind", "status", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    subject_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    assessor_id: int = Field(foreign_key="user.id", ondelete="CASCADE", index=True)
    kind: str = Field(default="self", max_length=16)
    questionnaire_version_id: int = Field(
        foreign_key="questionnaire_version.id", ondelete="RESTRICT", index=True
    )
    target_level: str = Field(max_length=80)
    #: The person's specialism in the framework (None: a generalist); decides, with the level, what is asked.
    specialism: str | None = Field(default=None, max_length=80)
    status: str = Field(default="draft", max_length=16)
    cycle_id: int | None = Field(default=None, foreign_key="cycle.id", ondelete="SET NULL", index=True)
    #: Area the person was on when they last saved, so that resuming lands there.
    current_area: str | None = Field(default=None, max_length=80)
    created_at: datetime = now_column()
    updated_at: datetime = now_column()
    submitted_at: datetime | None = optional_time()
    #: The readiness shown everywhere: the lower of `readiness_all` (everything the level expects) and
    #: `readiness_new` (what it adds to the level before); DESIGN.md "Scoring".
    readiness: float | None = None
    readiness_all: float | None = None
    readiness_new: float | None = None
    #: A manager assessment is shown to its subject only from this moment (set by the manager).
    released_at: datetime | None = optional_time()


class Answer(SQLModel, table=True):
    __tablename__ = "answer"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "item_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    item_id: str = Field(max_length=80)
    #: The point chosen on the scale; null means "not applicable" (optional items only).
    value: int | None = None


class AreaNote(SQLModel, table=True):
    """Evidence or comments a person writes for an area."""

    __tablename__ = "area_note"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "area_id"),)

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    area_id: str = Field(max_length=80)
    text: str = Field(max_length=5000)


class AreaScore(SQLModel, table=True):
    """The stored skill-radar profile of a submitted assessment, one row per area."""

    __tablename__ = "area_score"
    __table_args__ = (
        sa.UniqueConstraint("assessment_id", "area_id"),
        sa.CheckConstraint(
            "attainment IS NULL OR (attainment >= 0 AND attainment <= 1)", name="attainment_range"
        ),
        sa.CheckConstraint("(score IS NULL) = (gap IS NULL)", name="gap_with_score"),
        sa.Index(None, "area_id", "assessment_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE")
    area_id: str = Field(max_length=80)
    score: float | None = None
    target: float
    gap: float | None = None
    attainment: float | None = None
    #: What the target level adds to this area (None: it adds nothing here, or it is not scored).
    new_score: float | None = None
    #: The last level of the person's path met in this area with every earlier one (the ladder grid).
    reached: str | None = Field(default=None, max_length=80)


class FocusChoice(SQLModel, table=True):
    """The areas a person chose to focus their plan on, for one submitted self-assessment.

    A new assessment starts again from the default focus: the choice belongs to the assessment it was
    made on, and the assessment itself stays as submitted.
    """

    __tablename__ = "focus_choice"

    id: int | None = Field(default=None, primary_key=True)
    assessment_id: int = Field(foreign_key="assessment.id", ondelete="CASCADE", unique=True)
    #: Area ids, in the order chosen.
    areas: list[str] = Field(sa_type=sa.JSON, nullable=False)
    chosen_at: datetime = now_column()
