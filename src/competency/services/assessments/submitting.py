"""Finishing an assessment: score and freeze a draft (submit), record one gathered elsewhere, release a rating."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from competency import scoring
from competency.models import Answer, AreaNote, AreaScore, Assessment, Cycle, User, utcnow
from competency.questionnaire import Questionnaire
from competency.services import NotFound, ServiceError, events
from competency.services.assessments.drafts import MAX_NOTE_LENGTH, AlreadySubmitted, lock_draft
from competency.services.assessments.queries import Taken, answers_of
from competency.services.snapshots import ensure_snapshot


def submit(
    session: Session, taken: Taken, *, submitted_at: datetime | None = None, actor: User | None = None
) -> scoring.Profile:
    """Score, store the area scores, and freeze the assessment (committed), under the assessment's
    lock: a second submit (double-click, another tab) finds it submitted and gets Conflict."""
    lock_draft(session, taken, actor, "This assessment was already submitted.")
    _leave_closed_cycle(session, taken.assessment)
    try:
        profile = _finalise(session, taken, submitted_at=submitted_at)
    except ServiceError:
        session.rollback()
        raise
    events.assessment_submitted(session, taken.assessment)
    session.commit()
    return profile


def _leave_closed_cycle(session: Session, assessment: Assessment) -> None:
    """A draft of a cycle that has closed since it was started is not submitted into it: the cycle's
    figures are final once it closes. The draft leaves the cycle (answers kept) and the person is told;
    submitting again records it outside any cycle."""
    if assessment.cycle_id is None:
        return
    cycle = session.get(Cycle, assessment.cycle_id)
    if cycle is None or cycle.closed_at is None:
        return
    assessment.cycle_id = None
    session.add(assessment)
    session.commit()
    raise ServiceError(
        f"The cycle “{cycle.name}” closed on {cycle.closed_at:%d %B %Y}, so this assessment no longer "
        "counts for it. Your answers are kept: press Submit again to record it outside the cycle."
    )


def _finalise(session: Session, taken: Taken, *, submitted_at: datetime | None = None) -> scoring.Profile:
    assessment = taken.assessment
    if assessment.status != "draft":
        raise AlreadySubmitted("This assessment was already submitted.")
    answers = answers_of(session, assessment.id or 0)
    profile = scoring.score(taken.questionnaire, answers, assessment.target_level, assessment.specialism)
    if all(result.score is None for result in profile.areas.values()):
        raise ServiceError("Answer at least half of the items of one area before you submit.")
    write_scores(session, assessment, profile)
    assessment.status = "submitted"
    assessment.submitted_at = submitted_at or utcnow()
    assessment.updated_at = utcnow()
    session.add(assessment)
    session.flush()
    return profile


def write_scores(session: Session, assessment: Assessment, profile: scoring.Profile) -> None:
    """The stored profile: readiness (both parts) on the assessment, one row of numbers per area."""
    assert assessment.id is not None
    assessment.readiness = profile.readiness
    assessment.readiness_all = profile.readiness_all
    assessment.readiness_new = profile.readiness_new
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
                new_score=result.new_score,
                reached=result.reached,
            )
        )


def check_notes(
    questionnaire: Questionnaire, notes: Mapping[str, Any], level: str, specialism: str | None = None
) -> list[str]:
    """Notes keyed by area id: each area known and in play at `level`, each note text within the limit."""
    in_play = {area.id for area in questionnaire.areas_in_play(level, specialism)}
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
    specialism: str | None = None,
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
        scoring.check_answers(questionnaire, answers, level, specialism)
    except scoring.AnswerError as exc:
        raise ServiceError("bad answers: " + "; ".join(exc.problems)) from None
    note_problems = check_notes(questionnaire, notes or {}, level, specialism)
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
        specialism=specialism,
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
    events.rating_released(session, assessment)
    session.commit()
    return True
