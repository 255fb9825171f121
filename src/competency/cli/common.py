"""What every command shares: failing with a message, one database session per command, the audit log."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:
    from sqlmodel import Session

GLOBAL_ROLE_CHOICES = ("member", "hr", "admin")  # models.GLOBAL_ROLES, without importing SQLModel
TEAM_ROLE_CHOICES = ("member", "manager")  # models.TEAM_ROLES


def fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


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


@contextmanager
def open_database() -> Iterator[Session | None]:
    """A read-only look at the configured database, or None (said on stderr) when it cannot be reached.

    For commands that work without a database and say more with one (validate, list, diff).
    """
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    from competency import config
    from competency.db import create_db_engine

    url = config.database_url()
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database and not Path(parsed.database).exists():
        click.echo(f"note: no database at {shown}; not compared with stored snapshots", err=True)
        yield None
        return
    extra = {} if parsed.get_backend_name() == "sqlite" else {"connect_args": {"connect_timeout": 5}}
    engine = create_db_engine(url, **extra)
    try:
        from sqlmodel import Session

        with Session(engine) as session:
            try:
                session.execute(sa.text("SELECT 1 FROM questionnaire_version WHERE 1 = 0"))
            except sa.exc.SQLAlchemyError as exc:
                reason = getattr(exc, "orig", exc)
                click.echo(
                    f"note: database {shown} not reachable ({reason}); not compared with stored snapshots",
                    err=True,
                )
                session.rollback()
                yield None
                return
            yield session
            session.rollback()
    finally:
        engine.dispose()


def audit(session: Session, action: str, obj: str, **details: Any) -> None:
    """Command-line changes go to the audit log too (no actor: whoever had shell access)."""
    from competency.services import audit as audit_log

    audit_log.log(session, actor_id=None, action=action, object=obj, details={"via": "cli", **details})


def read_answers(path: Path, *, what: str = "item id to value, e.g. {probability: 3}") -> dict[str, Any]:
    """An answers (or notes) file as a mapping; a file that is not such a mapping exits with a message."""
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
        fail(f"{path}: expected a mapping of {what}")
    return data
