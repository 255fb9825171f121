"""Reading assessments: the one being taken (with its questionnaire snapshot), drafts, answers and notes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from competency.models import Answer, AreaNote, Assessment, QuestionnaireVersion, User
from competency.questionnaire import Area, Item, Questionnaire
from competency.services import NotFound
from competency.services.snapshots import snapshot_questionnaire


@dataclass
class Taken:
    """An assessment with the questionnaire version it was taken against."""

    assessment: Assessment
    questionnaire: Questionnaire
    snapshot: QuestionnaireVersion

    def areas(self) -> list[Area]:
        """The areas this assessment asks: those in play at its target level and specialism."""
        return self.questionnaire.areas_in_play(self.assessment.target_level, self.assessment.specialism)

    def items(self, area: Area) -> list[Item]:
        return self.questionnaire.items_in_play(
            area, self.assessment.target_level, self.assessment.specialism
        )


def load(session: Session, assessment_id: int) -> Taken:
    """The assessment and its parsed snapshot. The stored definition (100 kB of JSON for a large framework)
    is left unread unless this process has not parsed that content hash yet: every rating page loads it."""
    row = session.exec(
        select(Assessment, QuestionnaireVersion)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(Assessment.id == assessment_id)
        .options(defer(col(QuestionnaireVersion.definition)))
    ).first()
    if row is None:
        raise NotFound(f"no assessment {assessment_id}")
    assessment, snapshot = row
    return Taken(assessment, snapshot_questionnaire(snapshot), snapshot)


def open_draft(
    session: Session, *, subject_id: int, assessor_id: int, kind: str, questionnaire_key: str
) -> Assessment | None:
    return session.exec(
        select(Assessment)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(
            Assessment.subject_id == subject_id,
            Assessment.assessor_id == assessor_id,
            Assessment.kind == kind,
            Assessment.status == "draft",
            QuestionnaireVersion.key == questionnaire_key,
        )
        .order_by(col(Assessment.updated_at).desc())
    ).first()


def drafts_of(session: Session, assessor_id: int) -> list[tuple[Assessment, QuestionnaireVersion, User]]:
    rows = session.exec(
        select(Assessment, QuestionnaireVersion, User)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .join(User, col(User.id) == Assessment.subject_id)
        .where(Assessment.assessor_id == assessor_id, Assessment.status == "draft")
        .order_by(col(Assessment.updated_at).desc())
    ).all()
    return [(a, q, u) for a, q, u in rows]


def answers_of(session: Session, assessment_id: int) -> dict[str, int | None]:
    rows = session.exec(
        select(Answer.item_id, Answer.value).where(Answer.assessment_id == assessment_id)
    ).all()
    return {item_id: value for item_id, value in rows}


def notes_of(session: Session, assessment_id: int) -> dict[str, str]:
    rows = session.exec(
        select(AreaNote.area_id, AreaNote.text).where(AreaNote.assessment_id == assessment_id)
    ).all()
    return {area_id: text for area_id, text in rows}


def unanswered(taken: Taken, answers: Mapping[str, int | None]) -> list[tuple[Area, list[str]]]:
    """Per area asked, the items in play with no answer at all (N/A counts as answered)."""
    out = []
    for area in taken.areas():
        missing = [item.id for item in taken.items(area) if item.id not in answers]
        if missing:
            out.append((area, missing))
    return out


def own_levels(session: Session, subject_id: int) -> dict[str, tuple[str, str | None]]:
    """The frameworks a person takes, each with the target level and specialism of their latest
    self-assessment of it (submitted or draft), most recent first. A manager rates them with exactly these."""
    rows = session.exec(
        select(QuestionnaireVersion.key, Assessment.target_level, Assessment.specialism)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(Assessment.subject_id == subject_id, Assessment.kind == "self")
        .order_by(sa.func.coalesce(col(Assessment.submitted_at), col(Assessment.updated_at)).desc())
    ).all()
    out: dict[str, tuple[str, str | None]] = {}
    for key, level, specialism in rows:
        out.setdefault(key, (level, specialism))
    return out


def latest_self_answers(session: Session, subject_id: int, key: str) -> dict[str, int | None]:
    """The answers of the person's latest submitted self-assessment of `key` (empty when none)."""
    latest = session.exec(
        select(Assessment.id)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(
            Assessment.subject_id == subject_id,
            Assessment.kind == "self",
            Assessment.status == "submitted",
            QuestionnaireVersion.key == key,
        )
        .order_by(col(Assessment.submitted_at).desc(), col(Assessment.id).desc())
        .limit(1)
    ).first()
    return answers_of(session, latest) if latest is not None else {}
