"""`competency demo`: a demo organisation to try the service with."""

from __future__ import annotations

import click

from competency.cli.common import database, fail

# -- demo ---------------------------------------------------------------------------------------


@click.command("demo")
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
