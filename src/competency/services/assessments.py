"""Taking an assessment: start or resume a draft, save area by area, submit (then it is immutable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency import scoring
from competency.models import Answer, AreaNote, AreaScore, Assessment, QuestionnaireVersion, User, utcnow
from competency.questionnaire import Area, Questionnaire
from competency.services import NotFound, ServiceError
from competency.services.snapshots import ensure_snapshot, snapshot_questionnaire

MAX_NOTE_LENGTH = 5000


class AlreadySubmitted(ServiceError):
    pass


@dataclass
class Taken:
    """An assessment with the questionnaire version it was taken against."""

    assessment: Assessment
    questionnaire: Questionnaire
    snapshot: QuestionnaireVersion


def load(session: Session, assessment_id: int) -> Taken:
    row = session.exec(
        select(Assessment, QuestionnaireVersion)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(Assessment.id == assessment_id)
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


def start(
    session: Session,
    questionnaire: Questionnaire,
    *,
    subject: User,
    assessor: User,
    level: str,
    kind: str = "self",
    cycle_id: int | None = None,
) -> tuple[Assessment, bool]:
    """A draft for this person, framework and kind: the open one if there is one, else a new one."""
    if level not in questionnaire.level_ids:
        raise ServiceError(
            f"Choose one of the levels of {questionnaire.title}: {', '.join(questionnaire.level_ids)}."
        )
    existing = open_draft(
        session,
        subject_id=subject.id or 0,
        assessor_id=assessor.id or 0,
        kind=kind,
        questionnaire_key=questionnaire.id,
    )
    if existing is not None:
        return existing, False
    snapshot = ensure_snapshot(session, questionnaire)
    assert snapshot.id is not None and subject.id is not None and assessor.id is not None
    assessment = Assessment(
        subject_id=subject.id,
        assessor_id=assessor.id,
        kind=kind,
        questionnaire_version_id=snapshot.id,
        target_level=level,
        cycle_id=cycle_id,
    )
    session.add(assessment)
    session.commit()
    return assessment, True


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


def save_area(
    session: Session,
    taken: Taken,
    area: Area,
    answers: Mapping[str, int | None],
    note: str | None,
) -> None:
    """Store the answers given for one area (N/A as null) and its note; unanswered items stay open."""
    assessment = taken.assessment
    if assessment.status != "draft":
        raise AlreadySubmitted("This assessment was submitted and can no longer change. Start a new one.")
    own = {item.id for item in area.items}
    stray = sorted(set(answers) - own)
    if stray:
        raise ServiceError(f"Items {', '.join(stray)} do not belong to area {area.title}.")
    try:
        scoring.check_answers(taken.questionnaire, answers)
    except scoring.AnswerError as exc:
        raise ServiceError("; ".join(exc.problems)) from None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise ServiceError(f"The note is longer than {MAX_NOTE_LENGTH} characters.")
    existing = {
        a.item_id: a
        for a in session.exec(
            select(Answer).where(Answer.assessment_id == assessment.id, col(Answer.item_id).in_(own))
        ).all()
    }
    assert assessment.id is not None
    for item_id, value in answers.items():
        row = existing.get(item_id)
        if row is None:
            session.add(Answer(assessment_id=assessment.id, item_id=item_id, value=value))
        elif row.value != value:
            row.value = value
            session.add(row)
    if note is not None:
        note_row = session.exec(
            select(AreaNote).where(AreaNote.assessment_id == assessment.id, AreaNote.area_id == area.id)
        ).first()
        text = note.strip()
        if note_row is None and text:
            session.add(AreaNote(assessment_id=assessment.id, area_id=area.id, text=text))
        elif note_row is not None and text:
            note_row.text = text
            session.add(note_row)
        elif note_row is not None:
            session.delete(note_row)
    assessment.current_area = area.id
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.commit()


def unanswered(
    questionnaire: Questionnaire, answers: Mapping[str, int | None]
) -> list[tuple[Area, list[str]]]:
    """Per area, the items with no answer at all (N/A counts as answered)."""
    out = []
    for area in questionnaire.areas:
        missing = [item.id for item in area.items if item.id not in answers]
        if missing:
            out.append((area, missing))
    return out


def submit(session: Session, taken: Taken, *, submitted_at: datetime | None = None) -> scoring.Profile:
    """Score, store the area scores, and freeze the assessment (committed)."""
    profile = _finalise(session, taken, submitted_at=submitted_at)
    session.commit()
    from competency.services import events

    events.assessment_submitted(taken.assessment)
    return profile


def _finalise(session: Session, taken: Taken, *, submitted_at: datetime | None = None) -> scoring.Profile:
    assessment = taken.assessment
    if assessment.status != "draft":
        raise AlreadySubmitted("This assessment was already submitted.")
    answers = answers_of(session, assessment.id or 0)
    profile = scoring.score(taken.questionnaire, answers, assessment.target_level)
    if all(result.score is None for result in profile.areas.values()):
        raise ServiceError("Answer at least half of the items of one area before you submit.")
    write_scores(session, assessment, profile)
    assessment.status = "submitted"
    assessment.submitted_at = submitted_at or utcnow()
    assessment.updated_at = utcnow()
    assessment.readiness = profile.readiness
    session.add(assessment)
    session.flush()
    return profile


def write_scores(session: Session, assessment: Assessment, profile: scoring.Profile) -> None:
    assert assessment.id is not None
    session.exec(sa.delete(AreaScore).where(col(AreaScore.assessment_id) == assessment.id))  # type: ignore[call-overload]
    for area_id, result in profile.areas.items():
        session.add(
            AreaScore(
                assessment_id=assessment.id,
                area_id=area_id,
                score=result.score,
                target=result.target,
                gap=result.gap,
                attainment=result.attainment,
            )
        )


def record(
    session: Session,
    questionnaire: Questionnaire,
    *,
    subject: User,
    assessor: User,
    kind: str,
    level: str,
    answers: Mapping[str, int | None],
    submitted_at: datetime | None = None,
    cycle_id: int | None = None,
) -> tuple[Assessment, scoring.Profile]:
    """A submitted assessment from answers gathered elsewhere (CLI import, demo data).

    Flushed, not committed: the caller's unit of work decides (an import is all or nothing).
    """
    if level not in questionnaire.level_ids:
        raise ServiceError(
            f"unknown level {level!r}; {questionnaire.id} has {', '.join(questionnaire.level_ids)}"
        )
    if kind == "self" and subject.id != assessor.id:
        raise ServiceError(
            "a self-assessment is made by its subject; use --kind manager for someone else's rating"
        )
    try:
        scoring.check_answers(questionnaire, answers)
    except scoring.AnswerError as exc:
        raise ServiceError("bad answers: " + "; ".join(exc.problems)) from None
    snapshot = ensure_snapshot(session, questionnaire)
    assert snapshot.id is not None and subject.id is not None and assessor.id is not None
    when = submitted_at or utcnow()
    assessment = Assessment(
        subject_id=subject.id,
        assessor_id=assessor.id,
        kind=kind,
        questionnaire_version_id=snapshot.id,
        target_level=level,
        status="draft",
        cycle_id=cycle_id,
        created_at=when,
        updated_at=when,
    )
    session.add(assessment)
    session.flush()
    assert assessment.id is not None
    for item_id, value in answers.items():
        session.add(Answer(assessment_id=assessment.id, item_id=item_id, value=value))
    session.flush()
    taken = Taken(assessment, questionnaire, snapshot)
    profile = _finalise(session, taken, submitted_at=when)
    return assessment, profile
