"""Development reports: a person's or a team's PDF, who a cycle's ZIP holds, scores as CSV.

Cached PDFs are in report_cache; ZIPs are jobs (services.jobs)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import AreaScore, Assessment, Cycle, Membership, QuestionnaireVersion, Team, User
from competency.questionnaire import Questionnaire
from competency.services import NotFound, profiles
from competency.services.newest import newest_submitted

if TYPE_CHECKING:
    from competency.services.plans import StepState

#: Seconds one PDF may take before it is abandoned.
RENDER_TIMEOUT = 60.0


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "report"


def person_filename(user: User, key: str) -> str:
    return f"{slug(user.name)}-{key}.pdf"


def person_context(
    session: Session,
    subject: User,
    key: str,
    *,
    as_of: int | None = None,
    now: datetime | None = None,
    viewer: User | None = None,
    profile: profiles.PersonProfile | None = None,
    steps: Mapping[str, StepState] | None = None,
) -> dict[str, Any]:
    """The person report's template context, from the same profile the web page shows (for the subject,
    without a manager rating they have not been shown yet). `profile` and `steps` (the plan step states)
    are read here unless the caller has them already."""
    from competency.reports.context import person_context as build
    from competency.services.plans import states_of

    profile = profile or profiles.person_profile(session, subject, key, as_of=as_of, viewer=viewer)
    if profile.current is None:
        raise NotFound(f"{subject.email} has no submitted self-assessment of {key}")
    current = profile.current
    # A report as of an earlier assessment (a cycle's ZIP) says so: its numbers are not today's.
    cycle = session.get(Cycle, current.assessment.cycle_id) if as_of and current.assessment.cycle_id else None
    return build(
        current.questionnaire,
        current.profile,
        person_name=subject.name,
        person_email=subject.email,
        submitted_at=current.assessment.submitted_at,
        manager_profile=profile.manager.profile if profile.manager else None,
        comparison=profile.comparison() or None,
        history=[
            (r.assessment.submitted_at, r.profile.readiness)
            for r in profile.history
            if r.assessment.submitted_at
        ],
        notes=profile.notes,
        manager_notes=profile.manager_notes,
        generated_at=now or datetime.now(UTC),
        step_status={
            step_id: (state.status, state.done_at)
            for step_id, state in (
                steps if steps is not None else states_of(session, subject.id or 0, key)
            ).items()
        },
        as_of=(cycle.name if cycle else "the self-assessment") if as_of is not None else None,
    )


def person_pdf(
    session: Session, subject: User, key: str, *, as_of: int | None = None, viewer: User | None = None
) -> bytes:
    from competency.reports.render import person_pdf as render

    context = person_context(session, subject, key, as_of=as_of, viewer=viewer)
    return render(context, timeout=RENDER_TIMEOUT)


def team_report(
    session: Session, team: Team, key: str, current: Questionnaire | None, *, level: str | None = None
) -> tuple[dict[str, Any], tuple[Any, ...]]:
    """The team report's template context, and what it depends on (a cache key's parts). `level`: the
    target drawn on the radar (any level of the framework; default the one most members aim at)."""
    from competency.reports.team_context import team_context
    from competency.services.teams import frameworks_taken, team_summary

    summary = team_summary(session, team, key, current)
    if not summary.submitted_count:
        raise NotFound(f"nobody in {team.name} has submitted {key}")
    q = summary.questionnaire
    chosen = level if level in q.level_ids else summary.common_level()
    waiting = [m.user_id for m in summary.members if not m.submitted]
    taken = frameworks_taken(session, team.id or 0, waiting) if waiting else {}
    # Someone who takes another framework has not "not submitted" this one.
    notes = [
        "takes another framework" if not m.submitted and taken.get(m.user_id, set()) - {key} else None
        for m in summary.members
    ]
    members = summary.report_members()
    context = team_context(
        q,
        team_name=summary.team_name,
        members=members,
        stats=summary.stats,
        generated_at=datetime.now(UTC),
        level=chosen,
        notes=notes,
        reached=summary.reached,
    )
    parts = (
        team.id,
        summary.team_name,
        key,
        q.id,
        q.version,
        chosen,
        repr(members),
        repr(summary.stats),
        notes,
    )
    return context, parts


def team_pdf(
    session: Session, team: Team, key: str, current: Questionnaire | None, *, level: str | None = None
) -> bytes:
    from competency.reports.render import team_pdf as render

    context, _ = team_report(session, team, key, current, level=level)
    return render(context, timeout=RENDER_TIMEOUT)


def people_with_reports(session: Session) -> set[int]:
    """Ids of people with at least one submitted self-assessment (a PDF exists for them)."""
    rows = session.exec(
        select(Assessment.subject_id)
        .where(Assessment.kind == "self", Assessment.status == "submitted")
        .distinct()
    ).all()
    return set(rows)


def default_key(session: Session, subject_id: int) -> str | None:
    keys = profiles.submitted_keys(session, subject_id)
    return keys[0] if keys else None


# -- a cycle's reports ------------------------------------------------------------------------------


def cycle_people(session: Session, cycle: Cycle) -> tuple[list[tuple[User, int]], list[User]]:
    """(people with their latest submitted self-assessment in the cycle, people it asks without one)."""
    from competency.services.cycles import covered_people

    people = covered_people(session, cycle)
    rows = session.exec(
        select(Assessment.subject_id, sa.func.max(Assessment.id))
        .where(Assessment.cycle_id == cycle.id, Assessment.kind == "self", Assessment.status == "submitted")
        .group_by(col(Assessment.subject_id))
    ).all()
    latest = {subject_id: assessment_id for subject_id, assessment_id in rows}
    done = [(user, latest[user.id]) for user in people if user.id in latest]
    missing = [user for user in people if user.id not in latest]
    return done, missing


# -- scores as CSV ----------------------------------------------------------------------------------

CSV_COLUMNS = [
    "person",
    "email",
    "team",
    "kind",
    "assessor",
    "framework",
    "framework_title",
    "version",
    "level",
    "submitted_at",
    "area",
    "area_title",
    "score",
    "target",
    "gap",
    # Added later, at the end so that programs reading the earlier columns by position keep working.
    "specialism",
    "new_score",
    "reached",
    "readiness",
    "readiness_all",
    "readiness_new",
]
#: Excel on Windows reads a CSV as the local code page unless it starts with a byte order mark.
BOM = "\ufeff"


def scores_rows(session: Session) -> Iterator[list[Any]]:
    """A row per person x area of each person's latest submitted self-assessment per framework, then of
    the latest submitted manager assessment of them (kind "manager", with who rated), at full precision."""
    ranked = newest_submitted()
    rows = session.exec(
        select(User, Assessment, QuestionnaireVersion, AreaScore)
        .join(ranked, ranked.c.assessment_id == Assessment.id)
        .join(User, col(User.id) == Assessment.subject_id)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .join(AreaScore, col(AreaScore.assessment_id) == Assessment.id)
        .where(ranked.c.rn == 1)
        .order_by(
            col(User.name),
            col(User.id),
            col(QuestionnaireVersion.key),
            col(Assessment.kind).desc(),  # self before manager
            col(AreaScore.id),
        )
    ).all()
    teams: dict[int, list[str]] = {}
    for user_id, name in session.exec(
        select(Membership.user_id, Team.name)
        .join(Team, col(Team.id) == Membership.team_id)
        .order_by(col(Team.name))
    ).all():
        teams.setdefault(user_id, []).append(name)
    assessors = {
        user_id: name
        for user_id, name in session.exec(
            select(User.id, User.name).where(
                col(User.id).in_({a.assessor_id for _, a, _, _ in rows if a.kind == "manager"})
            )
        ).all()
    }
    titles: dict[int, dict[str, str]] = {}
    # Area scores are written in the framework's area order, so their ids keep that order.
    for user, assessment, version, score in rows:
        if version.id not in titles:
            titles[version.id or 0] = {
                area.get("id", ""): area.get("title", "") for area in version.definition.get("areas", [])
            }
        yield [
            user.name,
            user.email,
            "; ".join(teams.get(user.id or 0, [])),
            assessment.kind,
            assessors.get(assessment.assessor_id, "") if assessment.kind == "manager" else "",
            version.key,
            version.title,
            version.version,
            assessment.target_level,
            assessment.submitted_at.isoformat() if assessment.submitted_at else "",
            score.area_id,
            titles[version.id or 0].get(score.area_id, ""),
            # Floats, not strings: the formula guard leaves numbers alone; `_cells` rounds them for people.
            score.score,
            score.target,
            score.gap,
            assessment.specialism or "",
            score.new_score,
            score.reached or "",
            assessment.readiness,
            assessment.readiness_all,
            assessment.readiness_new,
        ]


def scores_csv(session: Session, *, raw: bool = False) -> Iterator[str]:
    """The CSV in chunks. For people (default): a byte order mark so Excel reads UTF-8, scores rounded to
    2 decimals as on the pages. `raw`: no mark, full precision, for programs."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n" if not raw else "\n")
    if not raw:
        buffer.write(BOM)
    writer.writerow(CSV_COLUMNS)
    for row in scores_rows(session):
        writer.writerow(_cells(csv_safe(row), raw))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cells(row: list[Any], raw: bool) -> list[Any]:
    """None as an empty cell; floats at full precision (raw) or with the 2 decimals the pages show."""
    return ["" if v is None else (f"{v:.2f}" if isinstance(v, float) and not raw else v) for v in row]


def csv_safe(row: list[Any]) -> list[Any]:
    """Spreadsheets run cells that start with = + - @ as formulas: such text gets a leading quote."""
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row]
