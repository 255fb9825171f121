"""Background jobs with their progress, the items they work through, and the files they leave in storage."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from competency.models.base import in_check, now_column, optional_time, required_time

#: cycle_zip: every report of a cycle; team_zip: every member's report of one framework.
JOB_KINDS = ("cycle_zip", "team_zip")
#: running: PDFs being rendered; zipping: every PDF is done or given up, the archive is being written.
JOB_STATES = ("queued", "running", "zipping", "done", "failed")
ITEM_STATES = ("pending", "done", "failed")
FILE_KINDS = ("cycle_zip", "team_zip", "person_pdf", "team_pdf")


class StoredFile(SQLModel, table=True):
    """A file in the storage folder: a finished ZIP or a cached PDF. Removed (row and file) after expires_at."""

    __tablename__ = "stored_file"
    __table_args__ = (in_check("kind", FILE_KINDS, "kind"), sa.CheckConstraint("size >= 0", name="size"))

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    #: Cached PDFs only: what the PDF shows (results and template version), hashed; one file per key.
    cache_key: str | None = Field(default=None, max_length=64, unique=True)
    #: Path inside the storage folder (random, never derived from user input).
    name: str = Field(max_length=200, unique=True)
    #: The name offered to whoever downloads it.
    filename: str = Field(max_length=300)
    size: int = 0
    created_at: datetime = now_column()
    expires_at: datetime = required_time()


class Job(SQLModel, table=True):
    """A ZIP being prepared: its items are rendered one task each, then one task writes the archive."""

    __tablename__ = "job"
    __table_args__ = (
        in_check("kind", JOB_KINDS, "kind"),
        in_check("state", JOB_STATES, "state"),
        sa.CheckConstraint("done + failed <= total", name="progress"),
        sa.Index(None, "kind", "object_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    #: The cycle (cycle_zip) or team (team_zip) the job is for.
    object_id: int
    questionnaire_key: str = Field(max_length=80)
    requested_by_id: int | None = Field(default=None, foreign_key="user.id", ondelete="SET NULL")
    state: str = Field(default="queued", max_length=16)
    total: int = 0
    done: int = 0
    failed: int = 0
    file_id: int | None = Field(default=None, foreign_key="stored_file.id", ondelete="SET NULL")
    error: str | None = Field(default=None, max_length=2000)
    created_at: datetime = now_column()
    finished_at: datetime | None = optional_time()


class JobItem(SQLModel, table=True):
    """One person's PDF inside a job."""

    __tablename__ = "job_item"
    __table_args__ = (sa.UniqueConstraint("job_id", "subject_id"), in_check("state", ITEM_STATES, "state"))

    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", ondelete="CASCADE", index=True)
    subject_id: int = Field(foreign_key="user.id", ondelete="CASCADE")
    #: The self-assessment the report is as of (a cycle's); null: the latest one.
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id", ondelete="SET NULL")
    #: Name of the PDF inside the ZIP.
    filename: str = Field(max_length=300)
    state: str = Field(default="pending", max_length=16)
    #: Why the PDF is missing from the ZIP (kept for the ZIP's README).
    error: str | None = Field(default=None, max_length=2000)
    file_id: int | None = Field(default=None, foreign_key="stored_file.id", ondelete="SET NULL")
