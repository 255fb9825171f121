"""`competency report ...` and `competency export ...`: the web's PDFs and CSV from the command line."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def report() -> None:
    """PDF development reports."""


@report.command("person")
@click.argument("email")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="PDF to write."
)
@click.option("--questionnaire", "key", help="Framework id (default: the person's latest).")
def report_person(email: str, output: Path, key: str | None) -> None:
    """A person's development report (latest self-assessment, manager rating, plan, history)."""
    from competency.cli.common import audit, database, fail
    from competency.services import NotFound, reports, users

    with database() as session:
        person = users.user_by_email(session, email)
        if person is None:
            fail(f"no account with email {email!r}")
        key = key or reports.default_key(session, person.id or 0)
        if key is None:
            fail(f"{person.email} has no submitted self-assessment yet")
        try:
            data = reports.person_pdf(session, person, key)
        except NotFound as exc:
            fail(str(exc))
        output.write_bytes(data)
        audit(session, "report.person.download", f"user:{person.id}", questionnaire=key, file=str(output))
    click.echo(f"wrote {output} ({len(data) // 1024} KiB): {person.name}, {key}", err=True)


@report.command("team")
@click.argument("team_name", metavar="TEAM")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="PDF to write."
)
@click.option("--questionnaire", "key", help="Framework id (default: the one most of the team took).")
@click.option("--level", help="Level whose targets the radar draws (default: the one most members aim at).")
def report_team(team_name: str, output: Path, key: str | None, level: str | None) -> None:
    """A team's report: radar, heatmap, coverage and single points of expertise, members."""
    from competency import config
    from competency.cli.common import audit, database, fail
    from competency.questionnaire.catalog import Catalog
    from competency.services import NotFound, reports, users
    from competency.services.teams import framework_keys

    with database() as session:
        team = users.team_by_name(session, team_name)
        if team is None:
            fail(f"no team named {team_name!r}")
        keys = [k for k, _ in framework_keys(session, team.id or 0)]
        key = key or (keys[0] if keys else None)
        if key is None:
            fail(f"nobody in {team.name} has submitted an assessment yet")
        current = Catalog(config.questionnaire_dir()).get(key)
        try:
            if level is not None and current is not None and level not in current.level_ids:
                fail(f"unknown level {level!r}; {key} has: {', '.join(current.level_ids)}")
            data = reports.team_pdf(session, team, key, current, level=level)
        except NotFound as exc:
            fail(str(exc))
        output.write_bytes(data)
        audit(session, "report.team.download", f"team:{team.id}", questionnaire=key, file=str(output))
    click.echo(f"wrote {output} ({len(data) // 1024} KiB): {team.name}, {key}", err=True)


@click.group()
def export() -> None:
    """Data exports."""


@export.command("scores")
@click.option(
    "-o", "--output", required=True, type=click.Path(path_type=Path, dir_okay=False), help="CSV to write."
)
@click.option("--raw", is_flag=True, help="Full precision and no byte order mark, for programs.")
def export_scores(output: Path, raw: bool) -> None:
    """A row per person x area of each person's latest self- and manager assessment per framework.

    For people by default: UTF-8 with a byte order mark (Excel), titles beside ids, scores rounded to 2
    decimals as on the pages. --raw keeps full precision."""
    from competency.cli.common import audit, database
    from competency.services import reports

    with database() as session:
        rows = 0
        with output.open("w", encoding="utf-8", newline="") as handle:
            for chunk in reports.scores_csv(session, raw=raw):
                handle.write(chunk)
                rows += chunk.count("\n")
        audit(session, "export.scores", "scores.csv", file=str(output))
    click.echo(f"wrote {output}: {max(0, rows - 1)} rows", err=True)
