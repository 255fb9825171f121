"""Writing a draft: start (or resume) one, save its answers area by area, under the assessment's lock."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from competency import scoring
from competency.models import Answer, AreaNote, Assessment, User, utcnow
from competency.questionnaire import Area, Questionnaire
from competency.services import NotFound, ServiceError, access
from competency.services.assessments.queries import Taken, open_draft
from competency.services.snapshots import ensure_snapshot

MAX_NOTE_LENGTH = 5000


class AlreadySubmitted(ServiceError):
    pass


class Conflict(AlreadySubmitted):
    """The assessment changed under the request (submitted elsewhere meanwhile): shown as 409."""


class NotAllowed(NotFound):
    """The actor lost the right to act on the assessment (e.g. no longer the subject's manager)."""


def start(
    session: Session,
    questionnaire: Questionnaire,
    *,
    subject: User,
    assessor: User,
    level: str,
    kind: str = "self",
    cycle_id: int | None = None,
    specialism: str | None = None,
) -> tuple[Assessment, bool]:
    """A draft for this person, framework and kind: the open one if there is one, else a new one."""
    if level not in questionnaire.level_ids:
        raise ServiceError(
            f"Choose one of the levels of {questionnaire.title}: {', '.join(questionnaire.level_ids)}."
        )
    if specialism is not None and specialism not in questionnaire.specialism_ids:
        known = ", ".join(s.name for s in questionnaire.specialisms) or "none"
        raise ServiceError(f"Choose one of the specialisms of {questionnaire.title} ({known}), or none.")
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
        specialism=specialism,
        cycle_id=cycle_id,
    )
    session.add(assessment)
    session.commit()
    return assessment, True


def save_area(
    session: Session,
    taken: Taken,
    area: Area,
    answers: Mapping[str, int | None],
    note: str | None,
    *,
    actor: User | None = None,
) -> None:
    """Store the answers given for one area (N/A as null) and its note; unanswered items stay open.

    Under the assessment's lock, so a save racing a submit either lands before the scores are taken or
    is refused (AlreadySubmitted); `actor` (the person saving) is checked again under the same lock.
    """
    own = {item.id for item in area.items}
    stray = sorted(set(answers) - own)
    if stray:
        raise ServiceError(f"Items {', '.join(stray)} do not belong to area {area.title}.")
    try:
        scoring.check_answers(
            taken.questionnaire, answers, taken.assessment.target_level, taken.assessment.specialism
        )
    except scoring.AnswerError as exc:
        raise ServiceError("; ".join(exc.problems)) from None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise ServiceError(f"The note is longer than {MAX_NOTE_LENGTH} characters.")
    assessment = lock_draft(session, taken, actor, "This assessment was submitted and can no longer change.")
    assert assessment.id is not None
    if answers:
        _upsert(
            session,
            Answer,
            [{"assessment_id": assessment.id, "item_id": i, "value": v} for i, v in answers.items()],
            keys=("assessment_id", "item_id"),
            update=("value",),
        )
    if note is not None:
        text = note.strip()
        if text:
            _upsert(
                session,
                AreaNote,
                [{"assessment_id": assessment.id, "area_id": area.id, "text": text}],
                keys=("assessment_id", "area_id"),
                update=("text",),
            )
        else:
            session.execute(
                sa.delete(AreaNote).where(
                    col(AreaNote.assessment_id) == assessment.id, col(AreaNote.area_id) == area.id
                )
            )
    assessment.current_area = area.id
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.commit()


def may_act(session: Session, actor: User, assessment: Assessment) -> bool:
    """Whether `actor` may still save or submit `assessment`: its assessor, and for a manager rating
    still a manager of the subject's team (a manager removed from the team can no longer rate)."""
    if assessment.assessor_id != actor.id or not actor.active:
        return False
    if assessment.kind == "manager":
        return access.can_manager_assess(session, actor, assessment.subject_id)
    return assessment.subject_id == actor.id


def lock_draft(session: Session, taken: Taken, actor: User | None, submitted_message: str) -> Assessment:
    """Take the assessment's row lock (PostgreSQL: SELECT ... FOR UPDATE; SQLite: BEGIN IMMEDIATE, the
    database's write lock) and check, inside that transaction, that it is still a draft the actor may
    change. Everything the caller writes before its commit happens under the lock."""
    assessment_id = taken.assessment.id
    # End the read transaction the request may have open: the lock belongs at the start of a new one.
    session.commit()
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        stmt = select(Assessment).where(Assessment.id == assessment_id)
    else:
        stmt = select(Assessment).where(Assessment.id == assessment_id).with_for_update()
    assessment = session.exec(stmt.execution_options(populate_existing=True)).first()
    if assessment is None:
        session.rollback()
        raise NotFound(f"no assessment {assessment_id}")
    taken.assessment = assessment
    if actor is not None and not may_act(session, actor, assessment):
        session.rollback()
        raise NotAllowed("You can no longer change this assessment.")
    if assessment.status != "draft":
        session.rollback()
        raise Conflict(submitted_message)
    return assessment


def _upsert(
    session: Session,
    table: type[Answer] | type[AreaNote],
    rows: list[dict[str, object]],
    *,
    keys: tuple[str, ...],
    update: tuple[str, ...],
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE: a double-click or two tabs saving the same area for the
    first time both succeed instead of one hitting the unique constraint.

    Run as executemany of one statement, not one INSERT with a VALUES list: the statement compiles once
    per process (SQLAlchemy caches it), where 40 rows of literal VALUES compiled anew on every save."""
    dialect = session.connection().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(table.__table__)  # type: ignore[attr-defined]
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: stmt.excluded[name] for name in update}
    )
    session.execute(stmt, rows)
