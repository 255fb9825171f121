"""The `competency` command line. Heavy imports stay inside commands so that --help is instant."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """competency: role frameworks, self-assessments, team radars and development reports.

    Configuration comes from the environment: DATABASE_URL (default: SQLite under instance/),
    SECRET_KEY, COMPETENCY_QUESTIONNAIRE_DIR (default: questionnaires/).
    """


def fail(message: str) -> None:
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
