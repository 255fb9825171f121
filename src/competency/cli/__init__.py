"""The `competency` command line: one module per command group. Heavy imports stay inside commands so that
--help is instant."""

from __future__ import annotations

import click

from competency.cli.assessments import assessments
from competency.cli.db import db
from competency.cli.demo import demo
from competency.cli.jobs import invite, mail, worker
from competency.cli.org import import_org, teams, users
from competency.cli.questionnaires import questionnaires, score_command
from competency.cli.reports import export, report


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """competency: role frameworks, self-assessments, team radars and development reports.

    Configuration comes from the environment: DATABASE_URL (default: SQLite under instance/),
    SECRET_KEY, COMPETENCY_QUESTIONNAIRE_DIR (default: questionnaires/).
    """


for command in (
    questionnaires,
    score_command,
    db,
    users,
    teams,
    import_org,
    assessments,
    demo,
    report,
    export,
    worker,
    mail,
    invite,
):
    main.add_command(command)
