"""Taking an assessment: start or resume a draft, save area by area, submit (then it is immutable)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from competency import scoring
from competency.models import Answer, AreaNote, AreaScore, Assessment, QuestionnaireVersion, User, utcnow
from competency.questionnaire import Area, Questionnaire
from competency.services import NotFound, ServiceError, access
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
        scoring.check_answers(taken.questionnaire, answers, taken.assessment.target_level)
    except scoring.AnswerError as exc:
        raise ServiceError("; ".join(exc.problems)) from None
    if note is not None and len(note) > MAX_NOTE_LENGTH:
        raise ServiceError(f"The note is longer than {MAX_NOTE_LENGTH} characters.")
    assessment = _lock_draft(session, taken, actor, "This assessment was submitted and can no longer change.")
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


class Conflict(AlreadySubmitted):
    """The assessment changed under the request (submitted elsewhere meanwhile): shown as 409."""


def may_act(session: Session, actor: User, assessment: Assessment) -> bool:
    """Whether `actor` may still save or submit `assessment`: its assessor, and for a manager rating
    still a manager of the subject's team (a manager removed from the team can no longer rate)."""
    if assessment.assessor_id != actor.id or not actor.active:
        return False
    if assessment.kind == "manager":
        return access.can_manager_assess(session, actor, assessment.subject_id)
    return assessment.subject_id == actor.id


def _lock_draft(session: Session, taken: Taken, actor: User | None, submitted_message: str) -> Assessment:
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


class NotAllowed(NotFound):
    """The actor lost the right to act on the assessment (e.g. no longer the subject's manager)."""


def _upsert(
    session: Session,
    table: type[Answer] | type[AreaNote],
    rows: list[dict[str, object]],
    *,
    keys: tuple[str, ...],
    update: tuple[str, ...],
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE: a double-click or two tabs saving the same area for the
    first time both succeed instead of one hitting the unique constraint."""
    dialect = session.connection().dialect.name
    insert = sqlite_insert if dialect == "sqlite" else pg_insert
    stmt = insert(table).values(rows)
    stmt = stmt.on_conflict_do_update(
        index_elements=list(keys), set_={name: stmt.excluded[name] for name in update}
    )
    session.execute(stmt)


def unanswered(
    questionnaire: Questionnaire, answers: Mapping[str, int | None], level: str
) -> list[tuple[Area, list[str]]]:
    """Per area in play at `level`, the items in play with no answer at all (N/A counts as answered)."""
    out = []
    for area in questionnaire.areas_in_play(level):
        missing = [item.id for item in questionnaire.items_in_play(area, level) if item.id not in answers]
        if missing:
            out.append((area, missing))
    return out


def submit(
    session: Session, taken: Taken, *, submitted_at: datetime | None = None, actor: User | None = None
) -> scoring.Profile:
    """Score, store the area scores, and freeze the assessment (committed), under the assessment's
    lock: a second submit (double-click, another tab) finds it submitted and gets Conflict."""
    _lock_draft(session, taken, actor, "This assessment was already submitted.")
    try:
        profile = _finalise(session, taken, submitted_at=submitted_at)
    except ServiceError:
        session.rollback()
        raise
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


def check_notes(questionnaire: Questionnaire, notes: Mapping[str, Any], level: str) -> list[str]:
    """Notes keyed by area id: each area known and in play at `level`, each note text within the limit."""
    in_play = {area.id for area in questionnaire.areas_in_play(level)}
    known = {area.id for area in questionnaire.areas}
    problems = []
    for area_id, text in notes.items():
        if area_id not in known:
            problems.append(f"{area_id}: unknown area (not in {questionnaire.id} v{questionnaire.version})")
        elif area_id not in in_play:
            problems.append(f"{area_id}: not in play at level {level!r}")
        elif not isinstance(text, str):
            problems.append(f"{area_id}: a note is text, not {type(text).__name__}")
        elif len(text) > MAX_NOTE_LENGTH:
            problems.append(f"{area_id}: the note is longer than {MAX_NOTE_LENGTH} characters")
    return problems


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
    notes: Mapping[str, str] | None = None,
) -> tuple[Assessment, scoring.Profile]:
    """A submitted assessment from answers (and evidence notes per area) gathered elsewhere (CLI import, demo).

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
        scoring.check_answers(questionnaire, answers, level)
    except scoring.AnswerError as exc:
        raise ServiceError("bad answers: " + "; ".join(exc.problems)) from None
    note_problems = check_notes(questionnaire, notes or {}, level)
    if note_problems:
        raise ServiceError("bad notes: " + "; ".join(note_problems))
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
    for area_id, text in (notes or {}).items():
        if text.strip():
            session.add(AreaNote(assessment_id=assessment.id, area_id=area_id, text=text.strip()))
    session.flush()
    taken = Taken(assessment, questionnaire, snapshot)
    profile = _finalise(session, taken, submitted_at=when)
    return assessment, profile


def release(
    session: Session,
    actor: User,
    assessment: Assessment,
    *,
    now: datetime | None = None,
    remote_addr: str | None = None,
) -> bool:
    """Show a submitted manager rating (scores and notes) to its subject. True when it was released now.

    A manager of the subject's team does it, typically after the one-to-one; before that the subject does
    not see it anywhere (profile, API, PDF). Releasing twice changes nothing.
    """
    from competency.services import access, audit

    if assessment.kind != "manager" or not access.can_manager_assess(session, actor, assessment.subject_id):
        raise NotFound(f"no manager assessment {assessment.id}")
    if assessment.status != "submitted":
        raise ServiceError("Submit the rating before you release it.")
    if assessment.released_at is not None:
        return False
    assessment.released_at = now or utcnow()
    session.add(assessment)
    audit.log(
        session,
        actor_id=actor.id,
        action="assessment.release",
        object=f"assessment:{assessment.id}",
        details={"subject": assessment.subject_id},
        remote_addr=remote_addr,
    )
    session.commit()
    from competency.services import events

    events.rating_released(assessment)
    return True


def own_levels(session: Session, subject_id: int) -> dict[str, str]:
    """The frameworks a person takes, each with the target level of their latest self-assessment of it
    (submitted or draft), most recent first. A manager rates them with exactly these."""
    rows = session.exec(
        select(QuestionnaireVersion.key, Assessment.target_level)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(Assessment.subject_id == subject_id, Assessment.kind == "self")
        .order_by(sa.func.coalesce(col(Assessment.submitted_at), col(Assessment.updated_at)).desc())
    ).all()
    out: dict[str, str] = {}
    for key, level in rows:
        out.setdefault(key, level)
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


def managers_of(session: Session, subject_id: int) -> list[str]:
    """Names of the managers of the person's teams (who see their results), for the submit confirmation."""
    from sqlalchemy.orm import aliased

    from competency.models import Membership

    mine, theirs = aliased(Membership), aliased(Membership)
    rows = session.exec(
        select(User.name)
        .join(theirs, col(theirs.user_id) == col(User.id))
        .join(mine, col(mine.team_id) == col(theirs.team_id))
        .where(mine.user_id == subject_id, theirs.role == "manager", col(User.id) != subject_id)
        .distinct()
        .order_by(User.name)
    ).all()
    return list(rows)
