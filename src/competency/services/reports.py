"""Development reports: a person's or a team's PDF, a cycle's PDFs as a streamed ZIP, scores as CSV."""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.models import AreaScore, Assessment, Cycle, Membership, QuestionnaireVersion, Team, User
from competency.questionnaire import Questionnaire
from competency.services import NotFound, profiles

#: Seconds one PDF may take before it is abandoned.
RENDER_TIMEOUT = 60.0


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "report"


def person_filename(user: User, key: str) -> str:
    return f"{slug(user.name)}-{key}.pdf"


def person_context(
    session: Session, subject: User, key: str, *, as_of: int | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The person report's template context, from the same profile the web page shows."""
    from competency.reports.context import person_context as build

    profile = profiles.person_profile(session, subject, key, as_of=as_of)
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
        as_of=(cycle.name if cycle else "the self-assessment") if as_of is not None else None,
    )


def person_pdf(session: Session, subject: User, key: str, *, as_of: int | None = None) -> bytes:
    from competency.reports.render import person_pdf as render

    return render(person_context(session, subject, key, as_of=as_of), timeout=RENDER_TIMEOUT)


def team_pdf(session: Session, team: Team, key: str, current: Questionnaire | None) -> bytes:
    from competency.reports.context import team_context
    from competency.reports.render import team_pdf as render
    from competency.services.teams import team_summary

    summary = team_summary(session, team, key, current)
    if not summary.submitted:
        raise NotFound(f"nobody in {team.name} has submitted {key}")
    context = team_context(
        summary.questionnaire,
        team_name=summary.team_name,
        members=summary.report_members(),
        stats=summary.stats,
        generated_at=datetime.now(UTC),
        level=summary.common_level(),
    )
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


_worker_engine: Any = None


def _render_for_zip(job: tuple[str, int, str, int]) -> tuple[int, bytes]:
    """Runs in a worker process: one engine for the worker's life, one person's PDF as of their cycle assessment."""
    global _worker_engine
    from competency.db import create_db_engine

    database_url = job[0]
    if _worker_engine is None:
        _worker_engine = create_db_engine(database_url)
    return _render_job(_worker_engine, job)


def _render_job(engine: Any, job: tuple[str, int, str, int]) -> tuple[int, bytes]:
    _, subject_id, key, assessment_id = job
    with Session(engine) as session:
        subject = session.get(User, subject_id)
        assert subject is not None
        return subject_id, person_pdf(session, subject, key, as_of=assessment_id)


class _Chunks(io.RawIOBase):
    """A write-only, unseekable sink that hands out what was written so far (for streaming ZIPs)."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def cycle_zip(
    database_url: str,
    cycle: Cycle,
    done: list[tuple[User, int]],
    missing: list[User],
    *,
    processes: int | None = None,
) -> Iterator[bytes]:
    """Every person's PDF of the cycle, rendered in parallel processes, streamed as a ZIP as they finish."""
    processes = processes or os.cpu_count() or 1
    names = {user.id: person_filename(user, cycle.questionnaire_key) for user, _ in done}
    clashes = Counter(names.values())
    for user, _ in done:
        # Two people whose names reduce to the same file name: both files get the person's id.
        if clashes[names[user.id]] > 1:
            names[user.id] = f"{slug(user.name)}-{user.id}-{cycle.questionnaire_key}.pdf"
    jobs = [
        (database_url, user.id or 0, cycle.questionnaire_key, assessment_id) for user, assessment_id in done
    ]
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        if processes == 1 or len(jobs) <= 1:
            from competency.db import create_db_engine

            engine = create_db_engine(database_url)
            try:
                for job in jobs:
                    subject_id, pdf = _render_job(engine, job)
                    archive.writestr(names[subject_id], pdf)
                    yield sink.take()
            finally:
                engine.dispose()
        else:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["competency.services.reports", "competency.reports.pdf"])
            with ProcessPoolExecutor(max_workers=min(processes, len(jobs)), mp_context=context) as pool:
                for subject_id, pdf in pool.map(_render_for_zip, jobs):
                    archive.writestr(names[subject_id], pdf)
                    yield sink.take()
        lines = [f"{cycle.name}: {len(done)} report(s).", ""]
        if missing:
            lines.append("No submitted self-assessment in this cycle:")
            lines.extend(f"- {user.name} <{user.email}>" for user in missing)
        archive.writestr("README.txt", "\n".join(lines) + "\n")
    yield sink.take()


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
]
#: Excel on Windows reads a CSV as the local code page unless it starts with a byte order mark.
BOM = "\ufeff"


def scores_rows(session: Session) -> Iterator[list[Any]]:
    """A row per person x area of each person's latest submitted self-assessment per framework, then of
    the latest submitted manager assessment of them (kind "manager", with who rated), at full precision."""
    ranked = (
        select(
            col(Assessment.id).label("assessment_id"),
            sa.func.row_number()
            .over(
                partition_by=(
                    col(Assessment.subject_id),
                    col(QuestionnaireVersion.key),
                    col(Assessment.kind),
                ),
                order_by=(col(Assessment.submitted_at).desc(), col(Assessment.id).desc()),
            )
            .label("rank"),
        )
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .where(Assessment.status == "submitted")
        .subquery()
    )
    rows = session.exec(
        select(User, Assessment, QuestionnaireVersion, AreaScore)
        .join(ranked, ranked.c.assessment_id == Assessment.id)
        .join(User, col(User.id) == Assessment.subject_id)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Assessment.questionnaire_version_id)
        .join(AreaScore, col(AreaScore.assessment_id) == Assessment.id)
        .where(ranked.c.rank == 1)
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
        writer.writerow(_cells(_csv_safe(row), raw))
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _cells(row: list[Any], raw: bool) -> list[Any]:
    """None as an empty cell; floats at full precision (raw) or with the 2 decimals the pages show."""
    return ["" if v is None else (f"{v:.2f}" if isinstance(v, float) and not raw else v) for v in row]


def _csv_safe(row: list[Any]) -> list[Any]:
    # Spreadsheets run cells that start with = + - @ as formulas; names and emails come from users.
    return [f"'{v}" if isinstance(v, str) and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v for v in row]
