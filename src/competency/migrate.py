"""Run Alembic from code (the CLI and the tests), with the migrations found in a checkout or a wheel."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from competency.resources import resource_path


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resource_path("migrations")))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["database_url"] = database_url
    cfg.attributes["configure_logging"] = False
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the models and the migrated schema differ (a migration is missing)."""
    command.check(alembic_config(database_url))
