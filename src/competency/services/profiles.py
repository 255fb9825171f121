"""A person's profile for a framework: latest self-assessment beside the latest manager rating."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from competency import scoring
from competency.models import Answer, AreaScore, Assessment, FocusChoice, QuestionnaireVersion, User
from competency.questionnaire import Questionnaire
from competency.services.assessments import notes_of
from competency.services.snapshots import snapshot_questionnaire


@dataclass
class Rated:
    """One submitted assessment with its questionnaire version and stored profile."""

    assessment: Assessment
    questionnaire: Questionnaire
    profile: scoring.Profile

    @property
    def scores(self) -> dict[str, float | None]:
        return {area_id: r.score for area_id, r in self.profile.areas.items()}


@dataclass
class PersonProfile:
    subject: User
    questionnaire_key: str
    current: Rated | None
    manager: Rated | None
    manager_name: str | None
    history: list[Rated] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)
    manager_notes: dict[str, str] = field(default_factory=dict)
    #: When the person chose their own focus areas on the current assessment (None: the default focus).
    focus_chosen_at: datetime | None = None

    @property
    def questionnaire(self) -> Questionnaire | None:
        return self.current.questionnaire if self.current else None

    @property
    def previous(self) -> Rated | None:
        return self.history[-2] if len(self.history) >= 2 else None

    def comparison(self) -> list[scoring.Comparison]:
        if self.current is None or self.manager is None:
            return []
        return scoring.compare(
            self.current.questionnaire,
            self.current.scores,
            self.manager.scores,
            self.current.assessment.target_level,
            self.current.assessment.specialism,
        )

    def changes(self) -> dict[str, float | None]:
        """Score change per area since the previous submitted self-assessment (None: not comparable)."""
        if self.current is None or self.previous is None:
            return {}
        before = self.previous.scores
        out: dict[str, float | None] = {}
        for area_id, now in self.current.scores.items():
            then = before.get(area_id)
            out[area_id] = None if now is None or then is None else now - then
        return out

    def change_summary(self) -> dict[str, int]:
        """How many areas went up, down or stayed (to the displayed two decimals) since the previous one."""
        out = {"better": 0, "lower": 0, "unchanged": 0}
        for delta in self.changes().values():
            if delta is None:
                continue
            out[change_word(delta)] += 1
        return out

    def area_history(self) -> list[tuple[str, list[float | None]]]:
        """Per area of the current framework, its score in each submitted self-assessment, oldest first."""
        if self.current is None:
            return []
        return [
            (
                area.id,
                [
                    r.profile.areas[area.id].score if area.id in r.profile.areas else None
                    for r in self.history
                ],
            )
            for area in self.current.questionnaire.areas
        ]


def change_word(delta: float) -> str:
    """better / lower / unchanged, judged on the two decimals shown, so "+0.00" is never displayed."""
    rounded = round(delta, 2)
    if rounded > 0:
        return "better"
    if rounded < 0:
        return "lower"
    return "unchanged"


def submitted_keys(session: Session, subject_id: int) -> list[str]:
    """Framework keys this person has a submitted self-assessment of, most recent first."""
    rows = session.exec(
        select(QuestionnaireVersion.key, Assessment.submitted_at)
        .join(Assessment, col(Assessment.questionnaire_version_id) == QuestionnaireVersion.id)
        .where(
            Assessment.subject_id == subject_id, Assessment.status == "submitted", Assessment.kind == "self"
        )
        .order_by(col(Assessment.submitted_at).desc())
    ).all()
    seen: list[str] = []
    for key, _ in rows:
        if key not in seen:
            seen.append(key)
    return seen


def people_at_levels(session: Session, key: str, levels: set[str]) -> list[tuple[int, str, set[str]]]:
    """(person, target level, scored areas) of each person's latest submitted self-assessment of `key`
    when it was taken at one of `levels` (what `questionnaires diff` counts)."""
    rows = session.exec(
        select(Assessment.id, Assessment.subject_id, Assessment.target_level)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(QuestionnaireVersion.key == key, Assessment.kind == "self", Assessment.status == "submitted")
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
    ).all()
    latest = {subject: (assessment_id, level) for assessment_id, subject, level in rows}
    wanted = {aid: (subject, level) for subject, (aid, level) in latest.items() if level in levels}
    areas: dict[int, set[str]] = defaultdict(set)
    if wanted:
        for assessment_id, area_id in session.exec(
            select(AreaScore.assessment_id, AreaScore.area_id).where(
                col(AreaScore.assessment_id).in_(list(wanted))
            )
        ).all():
            areas[assessment_id].add(area_id)
    return [(subject, level, areas[aid]) for aid, (subject, level) in wanted.items()]


def _submitted(
    session: Session, subject_id: int, key: str, kind: str, *, released_only: bool = False
) -> list[tuple[Assessment, QuestionnaireVersion]]:
    stmt = (
        select(Assessment, QuestionnaireVersion)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(
            Assessment.subject_id == subject_id,
            Assessment.kind == kind,
            Assessment.status == "submitted",
            QuestionnaireVersion.key == key,
        )
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
        # The definition (100 kB of JSON for a large framework) is read only when this process has not
        # parsed that snapshot yet (snapshot_questionnaire caches by content hash).
        .options(defer(col(QuestionnaireVersion.definition)))
    )
    if released_only:
        stmt = stmt.where(col(Assessment.released_at).is_not(None))
    rows = session.exec(stmt).all()
    return [(a, v) for a, v in rows]


def _stored(session: Session, pairs: list[tuple[Assessment, QuestionnaireVersion]]) -> list[Rated]:
    """Earlier results from the numbers stored per area (written at submit, or by migration 0006 under
    today's rules): the history needs their scores and readiness, not their plans or ladders."""
    if not pairs:
        return []
    rows: dict[int, dict[str, AreaScore]] = defaultdict(dict)
    for row in session.exec(
        select(AreaScore).where(col(AreaScore.assessment_id).in_([a.id for a, _ in pairs]))
    ).all():
        rows[row.assessment_id][row.area_id] = row
    out = []
    for assessment, version in pairs:
        questionnaire = snapshot_questionnaire(version)
        level, specialism = assessment.target_level, assessment.specialism
        stored = {a: (r.score, r.new_score, r.reached) for a, r in rows[assessment.id or 0].items()}
        results = (
            scoring.stored_results(questionnaire, level, specialism, stored)
            if level in questionnaire.level_ids
            else {}
        )
        profile = scoring.profile_from_results(questionnaire, level, results, specialism)
        out.append(Rated(assessment, questionnaire, profile))
    return out


def _rate_all(
    session: Session,
    pairs: list[tuple[Assessment, QuestionnaireVersion]],
    focus: dict[int, list[str]] | None = None,
) -> list[Rated]:
    """Each assessment scored from its answers with the rules of this release (a result taken under older
    rules shows the same numbers as a new one); `focus`: areas a person chose, by assessment id."""
    if not pairs:
        return []
    ids = [a.id for a, _ in pairs]
    answers: dict[int, dict[str, int | None]] = defaultdict(dict)
    for assessment_id, item_id, value in session.exec(
        select(Answer.assessment_id, Answer.item_id, Answer.value).where(col(Answer.assessment_id).in_(ids))
    ).all():
        answers[assessment_id][item_id] = value
    out = []
    for assessment, version in pairs:
        questionnaire = snapshot_questionnaire(version)
        profile = scoring.score(
            questionnaire,
            answers[assessment.id or 0],
            assessment.target_level,
            assessment.specialism,
            focus_areas=(focus or {}).get(assessment.id or 0),
        )
        out.append(Rated(assessment, questionnaire, profile))
    return out


def chosen_focus(session: Session, assessment_id: int | None) -> FocusChoice | None:
    if assessment_id is None:
        return None
    return session.exec(select(FocusChoice).where(FocusChoice.assessment_id == assessment_id)).first()


def person_profile(
    session: Session, subject: User, key: str, *, as_of: int | None = None, viewer: User | None = None
) -> PersonProfile:
    """The profile now, or `as_of` a given submitted self-assessment (history and manager up to then).

    When the `viewer` is the subject, only manager ratings released to them take part (DESIGN.md: the
    subject sees a manager assessment after its release); everyone else who may see the profile sees the
    latest submitted one. Without a viewer (CLI, HR exports), every submitted rating counts.
    """
    rows = _submitted(session, subject.id or 0, key, "self")
    released_only = viewer is not None and viewer.id == subject.id
    manager_rows = _submitted(session, subject.id or 0, key, "manager", released_only=released_only)
    if as_of is not None:
        ids = [a.id for a, _ in rows]
        rows = rows[: ids.index(as_of) + 1] if as_of in ids else []
        until = rows[-1][0].submitted_at if rows else None
        manager_rows = [
            (a, v)
            for a, v in manager_rows
            if until is not None and a.submitted_at and a.submitted_at <= until
        ]
    choice = chosen_focus(session, rows[-1][0].id if rows else None)
    # The current result in full (ladder, plan, focus), from its answers; the earlier ones from their
    # stored numbers.
    current_rated = _rate_all(
        session, rows[-1:], {choice.assessment_id: list(choice.areas)} if choice else None
    )
    history = _stored(session, rows[:-1]) + current_rated
    manager = _rate_all(session, manager_rows[-1:])
    manager_rated = manager[0] if manager else None
    manager_name = None
    manager_notes: dict[str, str] = {}
    if manager_rated is not None:
        assessor = session.get(User, manager_rated.assessment.assessor_id)
        manager_name = assessor.name if assessor else None
        manager_notes = notes_of(session, manager_rated.assessment.id or 0)
    current = history[-1] if history else None
    notes = notes_of(session, current.assessment.id or 0) if current else {}
    return PersonProfile(
        subject=subject,
        questionnaire_key=key,
        current=current,
        manager=manager_rated,
        manager_name=manager_name,
        history=history,
        notes=notes,
        manager_notes=manager_notes,
        focus_chosen_at=choice.chosen_at if choice else None,
    )


def profile_json(profile: PersonProfile) -> dict[str, Any]:
    """The API shape: `competency score --json` plus person, version, level and time."""
    current = profile.current
    out: dict[str, Any] = {
        "person": {"id": profile.subject.id, "name": profile.subject.name, "email": profile.subject.email},
        "questionnaire": {"key": profile.questionnaire_key},
    }
    if current is None:
        out["submitted_at"] = None
        return out
    out["questionnaire"].update(version=current.questionnaire.version, title=current.questionnaire.title)
    out["target_level"] = current.assessment.target_level
    out["submitted_at"] = _iso(current.assessment.submitted_at)
    out.update(current.profile.as_dict())
    if profile.manager is not None:
        out["manager"] = {
            "assessor": profile.manager_name,
            "submitted_at": _iso(profile.manager.assessment.submitted_at),
            "released_at": _iso(profile.manager.assessment.released_at),
            "scores": profile.manager.scores,
            "blind_spots": [c.area_id for c in profile.comparison() if c.blind_spot],
        }
    return out


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None
