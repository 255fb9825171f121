"""`competency assessments import`: results gathered elsewhere."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from competency.cli.common import database, fail, read_answers

if TYPE_CHECKING:
    from sqlmodel import Session

# -- assessments --------------------------------------------------------------------------------


@click.group()
def assessments() -> None:
    """Record assessments gathered elsewhere."""


@assessments.command("import")
@click.option("--email", required=True, help="The person assessed.")
@click.option("--questionnaire", "key", required=True, help="Framework id, e.g. ml-engineer.")
@click.option("--level", required=True, help="Target level, one of the framework's levels.")
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--assessor", "assessor_email", help="Who rated (default: the person; required for --kind manager)."
)
@click.option("--kind", type=click.Choice(("self", "manager")), default="self", show_default=True)
@click.option(
    "--submitted-at", "submitted_text", help="ISO 8601 date or time; without a zone, UTC. Default: now."
)
@click.option(
    "--notes",
    "notes_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Evidence notes: YAML or JSON {area_id: text}.",
)
@click.option(
    "--cycle",
    "cycle_id",
    type=int,
    help="The cycle (its id) the assessment belongs to: an organisation's history, attached to its cycles.",
)
def assessments_import(
    email: str,
    key: str,
    level: str,
    answers_path: Path,
    assessor_email: str | None,
    kind: str,
    submitted_text: str | None,
    notes_path: Path | None,
    cycle_id: int | None,
) -> None:
    """Store a submitted, scored assessment from an answers file ({item_id: value | null})."""
    from competency import config, scoring
    from competency.questionnaire.catalog import Catalog
    from competency.services import ServiceError, access
    from competency.services import assessments as service
    from competency.services import users as users_service

    submitted_at = parse_when(submitted_text) if submitted_text else None
    folder = config.questionnaire_dir()
    catalog = Catalog(folder)
    questionnaire = catalog.get(key)
    if questionnaire is None:
        known = ", ".join(q.id for q in catalog.all()) or "none"
        broken = f"; {len(catalog.problems())} file(s) there have errors" if catalog.problems() else ""
        fail(f"--questionnaire: no framework {key!r} in {folder} (available: {known}{broken})")
    if level not in questionnaire.level_ids:
        fail(f"--level: unknown level {level!r}; {questionnaire.id} has {', '.join(questionnaire.level_ids)}")
    answers = read_answers(answers_path)
    try:
        scoring.check_answers(questionnaire, answers, level)
    except scoring.AnswerError as exc:
        fail("bad answers:\n" + "\n".join(f"  {answers_path}: {problem}" for problem in exc.problems))
    notes = (
        read_answers(notes_path, what="area id to note text, e.g. {statistics: Ran the A/B analysis}")
        if notes_path
        else {}
    )
    note_problems = service.check_notes(questionnaire, notes, level)
    if note_problems:
        fail("bad notes:\n" + "\n".join(f"  {notes_path}: {problem}" for problem in note_problems))
    if kind == "manager" and not assessor_email:
        fail("--assessor: a manager assessment needs the manager's email")

    with database() as session:
        subject = users_service.user_by_email(session, email)
        if subject is None:
            fail(f"--email: no account {email!r}")
        assessor = subject
        if assessor_email:
            found = users_service.user_by_email(session, assessor_email)
            if found is None:
                fail(f"--assessor: no account {assessor_email!r}")
            assessor = found
        if kind == "self" and assessor.id != subject.id:
            fail("--assessor: a self-assessment is made by its subject; use --kind manager")
        if cycle_id is not None:
            from competency.models import Cycle

            cycle = session.get(Cycle, cycle_id)
            if cycle is None:
                fail(f"--cycle: no cycle {cycle_id}")
            if cycle.questionnaire_key != questionnaire.id:
                fail(f"--cycle: cycle {cycle_id} asks {cycle.questionnaire_key}, not {questionnaire.id}")
        if kind == "manager" and (
            assessor.id == subject.id or not access.manages(session, assessor.id or 0, subject.id or 0)
        ):
            fail(f"--assessor: {assessor.email} does not manage a team that {subject.email} is in")
        duplicate = _same_assessment(
            session, questionnaire, subject, assessor, kind, level, answers, submitted_at
        )
        if duplicate is not None:
            click.echo(f"unchanged: assessment {duplicate} already holds these answers")
            return
        try:
            assessment, profile = service.record(
                session,
                questionnaire,
                subject=subject,
                assessor=assessor,
                kind=kind,
                level=level,
                answers=answers,
                submitted_at=submitted_at,
                notes=notes,
                cycle_id=cycle_id,
            )
        except ServiceError as exc:
            fail(str(exc))
        readiness = "n/a" if profile.readiness is None else f"{profile.readiness:.1f} %"
        when = assessment.submitted_at.isoformat() if assessment.submitted_at else "?"
        click.echo(
            f"created: assessment {assessment.id}, {kind} of {subject.email}, {questionnaire.id} "
            f"v{questionnaire.version} at {level}, submitted {when}, readiness {readiness}"
        )


def parse_when(text: str) -> datetime:
    """An ISO 8601 date or time as aware UTC; a value without a zone is taken as UTC."""
    from datetime import UTC, timedelta

    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(
            f"--submitted-at: {text!r} is not an ISO 8601 date or time (e.g. 2026-03-31 or 2026-03-31T14:00+02:00)"
        )
    value = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if value > datetime.now(UTC) + timedelta(minutes=5):
        fail(f"--submitted-at: {text!r} is in the future")
    return value


def _same_assessment(
    session: Session,
    questionnaire: Any,
    subject: Any,
    assessor: Any,
    kind: str,
    level: str,
    answers: dict[str, Any],
    submitted_at: datetime | None,
) -> int | None:
    """The id of an already submitted assessment with exactly these answers (so reruns change nothing).

    With --submitted-at, the one submitted at that time; without, the latest one.
    """
    from sqlmodel import col, select

    from competency.models import Assessment, QuestionnaireVersion
    from competency.services.assessments import answers_of

    query = (
        select(Assessment)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(
            Assessment.subject_id == subject.id,
            Assessment.assessor_id == assessor.id,
            Assessment.kind == kind,
            Assessment.status == "submitted",
            QuestionnaireVersion.key == questionnaire.id,
            QuestionnaireVersion.version == questionnaire.version,
        )
        .order_by(col(Assessment.submitted_at).desc(), col(Assessment.id).desc())
    )
    if submitted_at is not None:
        query = query.where(Assessment.submitted_at == submitted_at)
    found = session.exec(query).first()
    if found is None or found.target_level != level or answers_of(session, found.id or 0) != answers:
        return None
    return found.id
