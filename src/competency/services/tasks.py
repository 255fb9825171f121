"""Jobs of the services: mail, webhooks, what follows a cycle or an assessment, reminders and digests.

Each handler runs one outbox row (relay.run claims it under a lease); what it records (mail, webhooks,
PDFs to warm) is keyed or claimed, so a handler that is run again after a crash repeats nothing.
"""

from __future__ import annotations

from huey import crontab
from sqlmodel import Session

from competency import queue
from competency.config import Settings
from competency.models import Assessment, Cycle, Outbox, QuestionnaireVersion, Team, User
from competency.relay import handles
from competency.services import cycle_mail, manager_mail, notifications, outbox, webhooks

SWEEP_TIME_LIMIT = 900


@handles("mail", retry_delay=30, backoff=2)
def send_mail(db: Session, settings: Settings, row: Outbox) -> None:
    """One message; the row is marked done only after the SMTP server has accepted it."""
    fields = {k: row.payload[k] for k in ("to", "subject", "text", "html", "kind") if k in row.payload}
    notifications.deliver(settings, notifications.Mail(**fields), message_id=f"outbox-{row.id}")


@handles("webhook", retry_delay=30, backoff=2)
def deliver_webhook(db: Session, settings: Settings, row: Outbox) -> None:
    webhooks.deliver(settings, row.payload["event"], row.payload["body"].encode())


def _cycle_event(db: Session, settings: Settings, cycle: Cycle, event: str) -> None:
    team = db.get(Team, cycle.team_id) if cycle.team_id else None
    webhooks.emit(
        db,
        settings,
        event,
        webhooks.cycle_data(cycle, team.name if team else None),
        key=f"{event}:{cycle.id}",
    )


@handles("cycle_opened")
def cycle_opened(db: Session, settings: Settings, row: Outbox) -> None:
    cycle = db.get(Cycle, row.payload["cycle_id"])
    if cycle is None:
        return
    _cycle_event(db, settings, cycle, "cycle.opened")
    cycle_mail.invite(db, settings, cycle.id or 0)  # commits the webhook row with the invitations


@handles("cycle_closed")
def cycle_closed(db: Session, settings: Settings, row: Outbox) -> None:
    cycle = db.get(Cycle, row.payload["cycle_id"])
    if cycle is not None:
        _cycle_event(db, settings, cycle, "cycle.closed")
        db.commit()


def _warm(db: Session, subject_id: int, key: str, *, as_subject: bool, because: str) -> None:
    outbox.record(
        db,
        "warm_pdf",
        {"subject_id": subject_id, "key": key, "as_subject": as_subject},
        key=f"warm_pdf:{because}",
        max_attempts=2,
    )


@handles("assessment_submitted")
def assessment_submitted(db: Session, settings: Settings, row: Outbox) -> None:
    """Warm the subject's PDF, tell their managers (self-assessments), post the webhook."""
    assessment_id = row.payload["assessment_id"]
    assessment = db.get(Assessment, assessment_id)
    if assessment is None or assessment.status != "submitted":
        return
    version = db.get(QuestionnaireVersion, assessment.questionnaire_version_id)
    subject = db.get(User, assessment.subject_id)
    if version is None or subject is None:
        return
    _warm(db, subject.id or 0, version.key, as_subject=False, because=f"submitted:{assessment_id}")
    webhooks.emit(
        db,
        settings,
        "assessment.submitted",
        {
            "assessment": {
                "id": assessment.id,
                "kind": assessment.kind,
                "questionnaire": version.key,
                "cycle_id": assessment.cycle_id,
                "submitted_at": assessment.submitted_at,
            },
            "person": {"id": subject.id, "name": subject.name},
        },
        key=f"assessment.submitted:{assessment_id}",
    )
    manager_mail.member_submitted(db, settings, assessment_id)  # commits the rows above with its mail
    db.commit()


@handles("rating_released")
def rating_released(db: Session, settings: Settings, row: Outbox) -> None:
    """The subject now sees the manager's rating in their own report: render that copy ahead of them."""
    assessment = db.get(Assessment, row.payload["assessment_id"])
    if assessment is None or assessment.released_at is None:
        return
    version = db.get(QuestionnaireVersion, assessment.questionnaire_version_id)
    if version is not None:
        _warm(db, assessment.subject_id, version.key, as_subject=True, because=f"released:{assessment.id}")
        db.commit()


@queue.huey.periodic_task(crontab(minute="*/15"), retries=1, retry_delay=60)
def send_cycle_reminders() -> None:
    """Every quarter hour: reminders and overdue notices that are due, each once."""
    with queue.session() as db:
        cycle_mail.remind(db, queue.settings())


@queue.huey.periodic_task(crontab(day_of_week="1", hour="7", minute="0"), retries=1, retry_delay=300)
def send_weekly_digests() -> None:
    """Mondays 07:00 UTC: each manager's inbox for the week."""
    with queue.session() as db:
        manager_mail.weekly_digest(db, queue.settings())
