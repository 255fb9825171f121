"""The `competency` command line. Heavy imports stay inside commands so that --help is instant."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sqlmodel import Session


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """competency: role frameworks, self-assessments, team radars and development reports.

    Configuration comes from the environment: DATABASE_URL (default: SQLite under instance/),
    SECRET_KEY, COMPETENCY_QUESTIONNAIRE_DIR (default: questionnaires/).
    """


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


# -- questionnaires -----------------------------------------------------------------------------


@main.group()
def questionnaires() -> None:
    """Check and list role frameworks."""


@questionnaires.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def questionnaires_validate(paths: tuple[Path, ...]) -> None:
    """Validate questionnaire files or folders (default: the configured folder).

    Prints every problem as FILE:LINE:COL: path: message and exits 1 if there is any.
    """
    from competency.config import questionnaire_dir
    from competency.questionnaire import QuestionnaireError, load_file, questionnaire_files

    targets = list(paths) or [questionnaire_dir()]
    for target in targets:
        if not target.exists():
            fail(f"{target}: no such file or folder")
    files = questionnaire_files(targets)
    if not files:
        fail(f"no .yaml or .yml files in {', '.join(str(t) for t in targets)}")
    failed = 0
    seen: dict[str, Path] = {}
    for path in files:
        try:
            questionnaire = load_file(path)
        except QuestionnaireError as exc:
            failed += 1
            for problem in exc.problems:
                click.echo(str(problem))
            continue
        if questionnaire.id in seen:
            failed += 1
            click.echo(f"{path}:1:1: id: {questionnaire.id!r} is already used by {seen[questionnaire.id]}")
            continue
        seen[questionnaire.id] = path
        items = sum(len(area.items) for area in questionnaire.areas)
        click.echo(
            f"ok  {path}: {questionnaire.id} v{questionnaire.version}, "
            f"{len(questionnaire.areas)} areas, {items} items",
            err=True,
        )
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) invalid", err=True)
        sys.exit(1)


# -- scoring ------------------------------------------------------------------------------------


@main.command("score")
@click.option("--questionnaire", "questionnaire_path", required=True, type=click.Path(path_type=Path))
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path))
@click.option("--level", required=True, help="Target level, one of the questionnaire's levels.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
def score_command(questionnaire_path: Path, answers_path: Path, level: str, as_json: bool) -> None:
    """Score an answers file (YAML or JSON: {item_id: value | null}) against a questionnaire."""
    from competency import scoring
    from competency.questionnaire import QuestionnaireError, load_file

    try:
        questionnaire = load_file(questionnaire_path)
    except QuestionnaireError as exc:
        fail(f"invalid questionnaire:\n{exc}")
    answers = read_answers(answers_path)
    if level not in questionnaire.level_ids:
        fail(f"unknown level {level!r}; {questionnaire.id} has: {', '.join(questionnaire.level_ids)}")
    try:
        scoring.check_answers(questionnaire, answers)
    except scoring.AnswerError as exc:
        fail("bad answers:\n  " + "\n  ".join(exc.problems))
    profile = scoring.score(questionnaire, answers, level)
    if as_json:
        click.echo(json.dumps(profile.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{questionnaire.title} (v{questionnaire.version}), target level {level}")
    readiness = "n/a" if profile.readiness is None else f"{profile.readiness:.1f} %"
    click.echo(f"readiness: {readiness}")
    for area in questionnaire.areas:
        result = profile.areas[area.id]
        shown = "  n/a" if result.score is None else f"{result.score:5.2f}"
        gap = "" if result.gap is None else f"  gap {result.gap:+.2f}"
        click.echo(f"  {area.title:<40} {shown} / {result.target:g}{gap}")
    if profile.plan:
        click.echo("plan:")
        for entry in profile.plan:
            click.echo(f"  [{entry.phase_id}] {entry.step.title}")


def read_answers(path: Path) -> dict[str, Any]:
    """An answers file as {item_id: value}; a file that is not such a mapping exits with a message."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"cannot read {path}: {exc}")
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        fail(f"{path}: not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {exc}")
    if data is None:
        data = {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        fail(f"{path}: expected a mapping of item id to value, e.g. {{probability: 3}}")
    return data


# -- database -----------------------------------------------------------------------------------


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head) on DATABASE_URL."""
    from competency import config, migrate

    migrate.upgrade(config.database_url(), revision)
    click.echo(f"database at {revision}", err=True)


@db.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Revert migrations down to REVISION ("base" removes every table)."""
    from competency import config, migrate

    migrate.downgrade(config.database_url(), revision)
    click.echo(f"database at {revision}", err=True)


# -- people and teams ---------------------------------------------------------------------------

GLOBAL_ROLE_CHOICES = ("member", "hr", "admin")  # models.GLOBAL_ROLES, without importing SQLModel
TEAM_ROLE_CHOICES = ("member", "manager")  # models.TEAM_ROLES


@contextmanager
def database() -> Iterator[Session]:
    """One session on DATABASE_URL for the whole command: committed at the end, rolled back on any error."""
    import sqlalchemy as sa

    from competency import config
    from competency.db import create_db_engine, session_scope

    engine = create_db_engine(config.database_url())
    try:
        with session_scope(engine) as session:
            yield session
    except (sa.exc.OperationalError, sa.exc.ProgrammingError) as exc:
        fail(f"database error: {exc.orig}\nIs the schema up to date? Run `competency db upgrade`.")
    finally:
        engine.dispose()


def audit(session: Session, action: str, obj: str, **details: Any) -> None:
    """Command-line changes go to the audit log too (no actor: whoever had shell access)."""
    from competency.services import audit as audit_log

    audit_log.log(session, actor_id=None, action=action, object=obj, details={"via": "cli", **details})


@main.group()
def users() -> None:
    """Create and update accounts."""


@users.command("create")
@click.option("--email", required=True)
@click.option("--name", help="Required for a new account; kept when omitted for an existing one.")
@click.option(
    "--password",
    prompt=True,
    prompt_required=False,
    hide_input=True,
    confirmation_prompt=True,
    default=None,
    help="At least 10 characters. Give --password without a value to be asked for it.",
)
@click.option("--role", type=click.Choice(GLOBAL_ROLE_CHOICES), help="Global role (new accounts: member).")
@click.option("--level", help="Default target level offered when this person starts an assessment.")
def users_create(
    email: str, name: str | None, password: str | None, role: str | None, level: str | None
) -> None:
    """Create an account, or update the one with this email (name, role, password, level)."""
    from competency.services import ServiceError
    from competency.services import users as service
    from competency.services.passwords import verify_password

    with database() as session:
        existing = service.user_by_email(session, email)
        if existing is None and not name:
            fail(f"{email}: --name is required for a new account")
        if (
            existing is not None
            and password is not None
            and verify_password(existing.password_hash, password)
        ):
            password = None  # the same password again: keep the hash and the person's other sessions
        try:
            user, created = service.create_or_update_user(
                session,
                email=email,
                name=name or (existing.name if existing else ""),
                role=role or (existing.role if existing else "member"),
                password=password,
                default_level=level,
            )
        except ServiceError as exc:
            fail(str(exc))
        changed = [
            n for n, v in (("name", name), ("role", role), ("password", password), ("level", level)) if v
        ]
        audit(session, "user.create" if created else "user.update", f"user:{user.id}", changed=changed)
        click.echo(f"{'created' if created else 'updated'} {user.email} ({user.role})")
        if not user.password_hash:
            click.echo(f"{user.email} has no password and cannot log in yet; rerun with --password", err=True)


@main.group()
def teams() -> None:
    """Create teams and put people in them."""


@teams.command("create")
@click.argument("name")
def teams_create(name: str) -> None:
    """Create the team NAME (nothing happens if it exists)."""
    from competency.services import ServiceError
    from competency.services import users as service

    with database() as session:
        try:
            team, created = service.create_team(session, name)
        except ServiceError as exc:
            fail(str(exc))
        if created:
            audit(session, "team.create", f"team:{team.id}", name=team.name)
        click.echo(f"{'created' if created else 'exists'}: team {team.name}")


@teams.command("add-member")
@click.argument("team_name", metavar="TEAM")
@click.argument("email")
@click.option("--role", type=click.Choice(TEAM_ROLE_CHOICES), default="member", show_default=True)
def teams_add_member(team_name: str, email: str, role: str) -> None:
    """Put the person with EMAIL in TEAM with --role (or change their role there)."""
    from competency.services import users as service

    with database() as session:
        team = service.team_by_name(session, team_name)
        if team is None:
            fail(f"no team {team_name!r}; create it with `competency teams create {team_name!r}`")
        user = service.user_by_email(session, email)
        if user is None:
            fail(f"no account {email!r}; create it with `competency users create --email {email} ...`")
        _, changed = service.add_member(session, team, user, role)
        if changed:
            audit(session, "team.add_member", f"team:{team.id}", user_id=user.id, role=role)
        click.echo(f"{'set' if changed else 'unchanged'}: {user.email} is {role} of {team.name}")


@main.command("import-org")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--check", is_flag=True, help="Only check the file; change nothing.")
def import_org(file: Path, check: bool) -> None:
    """Import people, teams and memberships from a CSV file.

    The header must be exactly email,name,team,team_role,global_role,level. A person in
    several teams has one row per team. Every row is checked first; one bad row imports
    nothing. The import adds and updates, never removes, and sets no passwords.
    """
    from competency.services import ServiceError, org_import

    try:
        size = file.stat().st_size
        if size > org_import.MAX_BYTES:
            fail(f"{file}: the file is larger than {org_import.MAX_BYTES // (1024 * 1024)} MiB; split it")
        data = file.read_bytes()
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")
    try:
        rows = org_import.parse(data, str(file))
    except org_import.OrgImportError as exc:
        for line in exc.lines():
            click.echo(line, err=True)
        fail(f"{len(exc.problems)} problem(s); nothing was imported")
    if check:
        click.echo(f"{file}: {len(rows)} rows are fine; nothing imported (--check)")
        return
    with database() as session:
        try:
            summary = org_import.apply(session, rows)
        except ServiceError as exc:
            fail(f"{exc}; nothing was imported")
        if summary.changed:
            audit(session, "org.import", "org", file=file.name, **summary.as_dict())
    click.echo(
        summary.describe() if summary.changed else f"{summary.people} people in the file: nothing to change"
    )
    if summary.without_password:
        click.echo(
            f"{len(summary.without_password)} of them have no password and cannot log in yet. Give each one with\n"
            "  competency users create --email EMAIL --password\n"
            "or on the admin page (/admin/users).",
            err=True,
        )


# -- assessments --------------------------------------------------------------------------------


@main.group()
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
def assessments_import(
    email: str,
    key: str,
    level: str,
    answers_path: Path,
    assessor_email: str | None,
    kind: str,
    submitted_text: str | None,
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
        scoring.check_answers(questionnaire, answers)
    except scoring.AnswerError as exc:
        fail("bad answers:\n" + "\n".join(f"  {answers_path}: {problem}" for problem in exc.problems))
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


# -- demo ---------------------------------------------------------------------------------------


@main.command("demo")
@click.option(
    "--password",
    default="demo-password",
    show_default=True,
    help="Password of every demo account (at least 10 characters).",
)
@click.option("--force", is_flag=True, help="Load the demo even if the database holds other people.")
def demo(password: str, force: bool) -> None:
    """Load a demo organisation: 3 teams, about 20 people, a year of assessments.

    Running it again changes nothing. Every demo account shares one password: never
    load the demo into a database that real people use.
    """
    from competency import config
    from competency.questionnaire.catalog import Catalog
    from competency.services import ServiceError
    from competency.services import demo as service

    folder = config.questionnaire_dir()
    catalog = Catalog(folder)
    frameworks = {key: catalog.get(key) for key in service.FRAMEWORKS}
    missing = [key for key, q in frameworks.items() if q is None]
    if missing:
        fail(f"the demo needs the frameworks {', '.join(missing)} in {folder}")
    with database() as session:
        others = service.other_people(session)
        if others and not force:
            fail(
                f"the database already holds {others} people who are not part of the demo; "
                "load the demo into an empty database, or pass --force"
            )
        try:
            result = service.load_demo(
                session, {key: q for key, q in frameworks.items() if q is not None}, password
            )
        except ServiceError as exc:
            fail(str(exc))
    click.echo(result.describe())
    click.echo(f"\nLog in with password {password!r} as one of:\n")
    rows = [("email", "name", "role", "teams"), *result.logins]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for email, name, role, team_list in rows:
        click.echo(f"  {email:<{widths[0]}}  {name:<{widths[1]}}  {role:<{widths[2]}}  {team_list}")
    if result.fresh:
        click.echo(f"\n{result.fresh} has no assessment yet: log in as them to take one from the start.")


# -- reports and exports (their own module; registered here so `competency --help` lists them) --------

from competency.cli_reports import export, report  # noqa: E402

main.add_command(report)
main.add_command(export)
from competency.cli_jobs import invite, mail, worker  # noqa: E402

main.add_command(worker)
main.add_command(mail)
main.add_command(invite)
