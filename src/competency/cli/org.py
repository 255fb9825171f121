"""`competency users|teams|import-org`: people, teams and memberships."""

from __future__ import annotations

from pathlib import Path

import click

from competency.cli.common import GLOBAL_ROLE_CHOICES, TEAM_ROLE_CHOICES, audit, database, fail


@click.group()
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


@users.command("reset-two-factor")
@click.argument("email")
def users_reset_two_factor(email: str) -> None:
    """Clear a person's second factor (lost phone): their sessions end, they are told by mail."""
    from competency.config import Settings
    from competency.services import ServiceError, twofactor
    from competency.services import users as service

    with database() as session:
        person = service.user_by_email(session, email)
        if person is None:
            fail(f"{email}: no such account")
        try:
            twofactor.reset(session, Settings.from_env(), person, actor_id=None, via="cli")
        except ServiceError as exc:
            fail(str(exc))
        click.echo(f"reset the second factor of {person.email}; they were told by mail")


@click.group()
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


@click.command("import-org")
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
