"""Each person's newest submitted assessment of a framework, as SQL: the one window query that the team
dashboard, the inbox and the CSV export share, so they all agree on which rating is "the latest"."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import col

from competency.models import Assessment, QuestionnaireVersion


def newest_submitted(*where: Any, name: str = "newest") -> Any:
    """A subquery of the submitted assessments matching `where`, ranked within each (subject, framework
    key, kind): rn = 1 is the newest (latest submitted_at, then highest id). Columns: assessment_id,
    subject_id, assessor_id, kind, key, target_level, submitted_at, readiness, readiness_all, readiness_new, specialism,
    version_id, rn."""
    rank = (
        sa.func.row_number()
        .over(
            partition_by=(col(Assessment.subject_id), col(QuestionnaireVersion.key), col(Assessment.kind)),
            order_by=(col(Assessment.submitted_at).desc(), col(Assessment.id).desc()),
        )
        .label("rn")
    )
    return (
        sa.select(
            col(Assessment.id).label("assessment_id"),
            col(Assessment.subject_id).label("subject_id"),
            col(Assessment.assessor_id).label("assessor_id"),
            col(Assessment.kind).label("kind"),
            col(QuestionnaireVersion.key).label("key"),
            col(Assessment.target_level).label("target_level"),
            col(Assessment.submitted_at).label("submitted_at"),
            col(Assessment.readiness).label("readiness"),
            col(Assessment.readiness_all).label("readiness_all"),
            col(Assessment.readiness_new).label("readiness_new"),
            col(Assessment.specialism).label("specialism"),
            col(Assessment.questionnaire_version_id).label("version_id"),
            rank,
        )
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Assessment.questionnaire_version_id))
        .where(col(Assessment.status) == "submitted", *where)
        .subquery(name)
    )
