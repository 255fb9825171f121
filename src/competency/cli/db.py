"""`competency db ...`: the schema, through Alembic."""

from __future__ import annotations

import click

# -- database -----------------------------------------------------------------------------------


@click.group()
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
