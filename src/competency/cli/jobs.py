"""`competency worker`, `competency mail ...` and `competency invite`: the job queue from the command line."""

from __future__ import annotations

from datetime import datetime

import click


@click.command("worker")
@click.option(
    "--workers", default=1, show_default=True, help="Worker processes in this container or machine."
)
@click.option(
    "--max-jobs",
    default=100,
    show_default=True,
    envvar="COMPETENCY_WORKER_MAX_JOBS",
    help="Jobs a worker process runs before it is replaced (WeasyPrint keeps its memory until exit).",
)
@click.option(
    "--no-periodic",
    is_flag=True,
    help="Do not schedule the periodic jobs (reminders, digests, cleanup) here.",
)
def worker(workers: int, max_jobs: int, no_periodic: bool) -> None:
    """Run jobs from the queue (COMPETENCY_QUEUE_URL) until stopped; SIGTERM lets running jobs finish.

    Start as many as you like, on any machine that reaches the same Redis, database and storage folder.
    """
    import logging

    from competency import logs
    from competency.config import ConfigError, Settings
    from competency.queue import run_worker

    logs.configure()  # text, or JSON with COMPETENCY_LOG_FORMAT=json
    # WeasyPrint logs every layout step of every page at INFO: a 1,000-person ZIP would write ~15,000 lines.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if workers < 1 or max_jobs < 1:
        raise click.ClickException("--workers and --max-jobs must be at least 1")
    run_worker(settings, workers=workers, max_jobs=max_jobs, periodic=not no_periodic)


@click.group("mail")
def mail() -> None:
    """Send the periodic mail now (the worker does it on its own schedule)."""


def _now(value: str | None) -> datetime | None:
    if value is None:
        return None
    from datetime import UTC

    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@mail.command("reminders")
@click.option("--now", "now", help="Act as if it were this ISO time (UTC unless a zone is given).")
def mail_reminders(now: str | None) -> None:
    """Queue the cycle reminders and overdue notices that are due (each goes out at most once)."""
    from competency import queue
    from competency.cli.common import database
    from competency.services import cycle_mail

    with database() as session:
        count = cycle_mail.remind(session, queue.settings(), _now(now))
    click.echo(f"{count} reminder(s) queued", err=True)


@mail.command("digest")
@click.option("--now", "now", help="Act as if it were this ISO time (UTC unless a zone is given).")
def mail_digest(now: str | None) -> None:
    """Queue this week's digest for every manager who has not had it yet."""
    from competency import queue
    from competency.cli.common import database
    from competency.services import manager_mail

    with database() as session:
        count = manager_mail.weekly_digest(session, queue.settings(), _now(now))
    click.echo(f"{count} digest(s) queued", err=True)


@click.command("invite")
@click.argument("emails", nargs=-1)
@click.option("--all-without-password", is_flag=True, help="Every active account that has no password yet.")
def invite(emails: tuple[str, ...], all_without_password: bool) -> None:
    """Mail a one-time set-password link to accounts without a password (e.g. after import-org)."""
    from competency import queue
    from competency.cli.common import database, fail
    from competency.services import account_links
    from competency.services.users import normalise_email

    if not emails and not all_without_password:
        fail("name the accounts (EMAIL ...) or pass --all-without-password")
    with database() as session:
        people = account_links.without_password(session, list(emails) if emails else None)
        for person in people:
            account_links.invite(session, queue.settings(), person)
            click.echo(f"invited {person.email}")
        if emails:
            found = {p.email for p in people}
            for email in emails:
                if normalise_email(email) not in found:
                    click.echo(f"skipped {email}: no active account without a password", err=True)
