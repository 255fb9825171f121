"""`competency questionnaires ...` and `competency score`: check, list, compare and score frameworks."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from competency.cli.common import fail, read_answers

# -- questionnaires -----------------------------------------------------------------------------


@click.group()
def questionnaires() -> None:
    """Check and list role frameworks."""


@questionnaires.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--no-database", is_flag=True, help="Do not compare with the stored snapshots.")
def questionnaires_validate(paths: tuple[Path, ...], no_database: bool) -> None:
    """Validate questionnaire files or folders (default: the configured folder).

    Prints every problem as FILE:LINE:COL: path: message and exits 1 if there is any. When the
    configured database is reachable, each file is also compared with its stored snapshots: a
    structural change without a new version is reported as the running service would refuse it.
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
    loaded = []
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
        loaded.append((path, questionnaire))
    statuses = {} if no_database else _stored_status([q for _, q in loaded])
    for path, questionnaire in loaded:
        found = statuses.get(questionnaire.id)
        if found is not None and not found.ok:
            failed += 1
            click.echo(f"{path}:{_line_of(path, 'version')}:1: version: {found.detail}")
            continue
        items = sum(len(area.items) for area in questionnaire.areas)
        stored = f", {_describe(found)}" if found is not None else ""
        click.echo(
            f"ok  {path}: {questionnaire.id} v{questionnaire.version}, "
            f"{len(questionnaire.areas)} areas, {items} items{stored}",
            err=True,
        )
    if failed:
        click.echo(f"{failed} of {len(files)} file(s) invalid", err=True)
        sys.exit(1)


def _describe(found: Any) -> str:
    if found.state == "stored":
        return f"stored as revision {found.revision}"
    if found.state == "revision":
        return f"text-only change: will be stored as revision {found.revision}"
    return "new version: will be stored on first use"


def _line_of(path: Path, key: str) -> int:
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.startswith(f"{key}:"):
                return number
    except OSError:
        pass
    return 1


def _stored_status(loaded: list[Any]) -> dict[str, Any]:
    """Each framework's status against the configured database, or {} (said on stderr) when unreachable."""
    from competency.cli.common import open_database
    from competency.services import snapshots

    with open_database() as session:
        if session is None:
            return {}
        return {q.id: snapshots.status(session, q) for q in loaded}


@questionnaires.command("list")
def questionnaires_list() -> None:
    """The frameworks in the configured folder, their stored versions and revisions, and their status."""
    from competency.cli.common import open_database
    from competency.config import questionnaire_dir
    from competency.questionnaire.catalog import Catalog
    from competency.services import snapshots

    folder = questionnaire_dir()
    catalog = Catalog(folder)
    files = catalog.files()
    problems = catalog.problems()
    with open_database() as session:
        keys = set()
        for path, questionnaire in files.items():
            if questionnaire is None:
                click.echo(f"{path.name}: broken ({len(problems.get(path, ()))} problem(s); run validate)")
                continue
            keys.add(questionnaire.id)
            state = "in folder"
            if session is not None:
                found = snapshots.status(session, questionnaire)
                state = found.detail if not found.ok else _describe(found)
            broken = " (file has errors: serving the last good version)" if path in problems else ""
            click.echo(
                f"{questionnaire.id} v{questionnaire.version} — {questionnaire.title} [{path.name}]: {state}{broken}"
            )
            if session is not None:
                for row in snapshots.rows_of(session, questionnaire.id):
                    click.echo(
                        f"    stored v{row.version} revision {row.revision}, {row.created_at:%Y-%m-%d}"
                    )
        if session is not None:
            for key in sorted(snapshots.stored_keys(session) - keys):
                click.echo(f"{key}: stored only (no file in {folder}); its results keep rendering")


@questionnaires.command("diff")
@click.argument("old", type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", type=click.Path(path_type=Path, dir_okay=False))
def questionnaires_diff(old: Path, new: Path) -> None:
    """What changes from OLD to NEW: levels, areas, items and steps added, removed or changed; targets.

    OLD may also be `stored:KEY:VERSION` for a stored snapshot. With a database, says how many
    people's latest results would see a different target.
    """
    from competency.cli.common import open_database
    from competency.questionnaire.structure import changed_targets, first_structural_change, semantic_diff
    from competency.services import profiles

    before, after = _load_either(old), _load_either(new)
    lines = semantic_diff(before, after)
    if not lines:
        click.echo("no differences")
        return
    for line in lines:
        click.echo(line)
    change = first_structural_change(before, after)
    if change is None:
        click.echo("\ntext only: a revision of the same version is enough")
    elif before.id == after.id and before.version == after.version:
        click.echo(f"\nstructural ({change}): set version: {before.version + 1}")
    else:
        click.echo(f"\nstructural ({change})")
    targets = changed_targets(before, after)
    if not targets:
        return
    with open_database() as session:
        if session is None:
            return
        affected = profiles.people_at_levels(session, before.id, {level for _, level in targets})
        people = {
            person
            for (area_id, level), _ in targets.items()
            for person, person_level, areas in affected
            if person_level == level and area_id in areas
        }
        who = "1 person's latest result" if len(people) == 1 else f"{len(people)} people's latest results"
        click.echo(f"{who} would see a different target")


def _load_either(path: Path) -> Any:
    from competency.questionnaire import QuestionnaireError, load_file

    text = str(path)
    if text.startswith("stored:"):
        from competency.cli.common import open_database
        from competency.services import snapshots

        try:
            _, key, version = text.split(":")
            wanted = int(version)
        except ValueError:
            fail(f"{text}: write stored:KEY:VERSION, e.g. stored:ml-engineer:1")
        with open_database() as session:
            if session is None:
                fail("no database reachable for stored: snapshots")
            rows = [r for r in snapshots.rows_of(session, key) if r.version == wanted]
            if not rows:
                fail(f"{text}: no stored snapshot of {key} version {wanted}")
            return snapshots.snapshot_questionnaire(rows[-1])
    try:
        return load_file(path)
    except QuestionnaireError as exc:
        fail(f"invalid questionnaire:\n{exc}")


# -- scoring ------------------------------------------------------------------------------------


@click.command("score")
@click.option("--questionnaire", "questionnaire_path", required=True, type=click.Path(path_type=Path))
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path))
@click.option("--level", required=True, help="Target level, one of the questionnaire's levels.")
@click.option("--specialism", default=None, help="Score as a person of this specialism (default: a generalist).")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as JSON.")
def score_command(
    questionnaire_path: Path, answers_path: Path, level: str, specialism: str | None, as_json: bool
) -> None:
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
        scoring.check_answers(questionnaire, answers, level, specialism)
    except scoring.AnswerError as exc:
        fail("bad answers:\n  " + "\n  ".join(exc.problems))
    profile = scoring.score(questionnaire, answers, level, specialism)
    if as_json:
        click.echo(json.dumps(profile.as_dict(), indent=2, ensure_ascii=False))
        return
    print_profile(questionnaire, profile)


def print_profile(questionnaire: Any, profile: Any) -> None:
    """The profile as a reader wants it in a terminal: labels, not ids; readiness in words; the focus
    first, then the rest of the plan."""
    from competency import scoring

    q = questionnaire
    level = q.level(profile.level)
    kind = f", specialism {q.specialism_name(profile.specialism)}" if profile.specialism else ""
    click.echo(f"{q.title} (v{q.version}), target level {level.name}{kind}")
    words = scoring.readiness_explained(q, profile)
    click.echo(f"readiness: {scoring.percent(profile.readiness)}" + (f" ({words})" if words else ""))
    width = max([len(q.area(a).title) for a in profile.areas] + [4])
    click.echo(f"  {'area':<{width}}  score / target    gap  reached")
    for area_id, result in profile.areas.items():
        shown = "  n/a" if result.score is None else f"{result.score:5.2f}"
        gap = "      " if result.gap is None else f"{result.gap:+6.2f}"
        reached = q.level(result.reached).name if result.reached else "–"
        click.echo(f"  {q.area(area_id).title:<{width}}  {shown} / {result.target:<6g} {gap}  {reached}")
    if scoring.every_scored_area_met(profile):
        click.echo("every scored area meets its target")
    if profile.focus:
        click.echo("focus (start here):")
        for entry in profile.focus:
            phase = f"[{entry.phase_id}] " if entry.phase_id else ""
            click.echo(f"  {phase}{entry.step.title}")
    rest = [entry for entry in profile.plan if entry not in profile.focus]
    if rest:
        click.echo(f"rest of the plan ({len(rest)} more step{'s' if len(rest) != 1 else ''}):")
        for entry in rest:
            phase = f"[{entry.phase_id}] " if entry.phase_id else ""
            click.echo(f"  {phase}{entry.step.title}")
