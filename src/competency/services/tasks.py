"""Jobs of the services: mail, cycle invitations and reminders, manager notices and digests, webhooks."""

from __future__ import annotations

from typing import Any

from huey import crontab

from competency import queue
from competency.models import Assessment, Cycle, QuestionnaireVersion, Team, User
from competency.services import cycle_mail, manager_mail, notifications, webhooks

MAIL_TIME_LIMIT = 60
SWEEP_TIME_LIMIT = 900


@queue.huey.task(retries=5, retry_delay=30, retry_backoff=2, timeout=MAIL_TIME_LIMIT)
def send_mail(mail: dict[str, Any]) -> None:
    """One message; retried for about half an hour while the SMTP server refuses or is unreachable."""
    notifications.deliver(queue.settings(), notifications.Mail(**mail))


@queue.huey.task(retries=6, retry_delay=30, retry_backoff=2, timeout=30)
def deliver_webhook(event: str, body: bytes) -> None:
    webhooks.deliver(queue.settings(), event, body)


@queue.huey.task(retries=2, retry_delay=30, timeout=SWEEP_TIME_LIMIT)
def cycle_opened(cycle_id: int) -> None:
    settings = queue.settings()
    with queue.session() as db:
        cycle = db.get(Cycle, cycle_id)
        if cycle is None:
            return
        team = db.get(Team, cycle.team_id) if cycle.team_id else None
        webhooks.emit(settings, "cycle.opened", webhooks.cycle_data(cycle, team.name if team else None))
        cycle_mail.invite(db, settings, cycle_id)


@queue.huey.task(retries=2, retry_delay=30, timeout=60)
def cycle_closed(cycle_id: int) -> None:
    settings = queue.settings()
    with queue.session() as db:
        cycle = db.get(Cycle, cycle_id)
        if cycle is None:
            return
        team = db.get(Team, cycle.team_id) if cycle.team_id else None
        webhooks.emit(settings, "cycle.closed", webhooks.cycle_data(cycle, team.name if team else None))


@queue.huey.task(retries=2, retry_delay=30, timeout=120)
def assessment_submitted(assessment_id: int) -> None:
    """Warm the subject's PDF, tell their managers (self-assessments), post the webhook."""
    from competency.reports import tasks as report_tasks

    settings = queue.settings()
    with queue.session() as db:
        assessment = db.get(Assessment, assessment_id)
        if assessment is None or assessment.status != "submitted":
            return
        version = db.get(QuestionnaireVersion, assessment.questionnaire_version_id)
        subject = db.get(User, assessment.subject_id)
        if version is None or subject is None:
            return
        queue.enqueue(report_tasks.warm_person_pdf, subject.id, version.key)
        webhooks.emit(
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
        )
        manager_mail.member_submitted(db, settings, assessment_id)


@queue.huey.periodic_task(crontab(minute="*/15"), retries=1, retry_delay=60)
def send_cycle_reminders() -> None:
    """Every quarter hour: reminders and overdue notices that are due, each at most once."""
    with queue.session() as db:
        cycle_mail.remind(db, queue.settings())


@queue.huey.periodic_task(crontab(day_of_week="1", hour="7", minute="0"), retries=1, retry_delay=300)
def send_weekly_digests() -> None:
    """Mondays 07:00 UTC: each manager's inbox for the week."""
    with queue.session() as db:
        manager_mail.weekly_digest(db, queue.settings())


@queue.huey.task(retries=2, retry_delay=30, timeout=120)
def rating_released(assessment_id: int) -> None:
    """The subject now sees the manager's rating in their own report: render that copy ahead of them."""
    from competency.reports import tasks as report_tasks

    with queue.session() as db:
        assessment = db.get(Assessment, assessment_id)
        if assessment is None or assessment.released_at is None:
            return
        version = db.get(QuestionnaireVersion, assessment.questionnaire_version_id)
        if version is not None:
            queue.enqueue(report_tasks.warm_person_pdf, assessment.subject_id, version.key, True)
