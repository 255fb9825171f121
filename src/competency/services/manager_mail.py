"""Mail to managers: "a member of your team submitted", and the weekly digest of their inbox.

Both name people and their status, never a score. Each goes out at most once (sent_notification), and
each person can turn either off on their notifications page.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from competency.config import Settings
from competency.models import Assessment, Cycle, Membership, QuestionnaireVersion, Team, User, utcnow
from competency.services import notifications
from competency.services.cycle_sql import status_rows
from competency.services.cycle_status import progress_from_rows


def _managers_of(session: Session, subject_id: int) -> list[User]:
    """Active managers of any team the subject belongs to (not the subject)."""
    teams = sa.select(col(Membership.team_id)).where(col(Membership.user_id) == subject_id)
    return list(
        session.exec(
            select(User)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(
                col(Membership.team_id).in_(teams),
                col(Membership.role) == "manager",
                col(User.id) != subject_id,
                col(User.active).is_(True),
            )
            .distinct()
            .order_by(col(User.id))
        ).all()
    )


def member_submitted(session: Session, settings: Settings, assessment_id: int) -> int:
    """Tell the subject's managers that a self-assessment was submitted; returns how many mails were queued."""
    row = session.exec(
        select(Assessment, User, QuestionnaireVersion)
        .join(User, col(User.id) == col(Assessment.subject_id))
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Assessment.questionnaire_version_id))
        .where(col(Assessment.id) == assessment_id)
    ).first()
    if row is None:
        return 0
    assessment, subject, version = row
    if assessment.kind != "self" or assessment.status != "submitted":
        return 0
    managers = _managers_of(session, subject.id or 0)
    out = notifications.opted_out(session, [m.id or 0 for m in managers], "manager_notices")
    mails = []
    for manager in managers:
        if manager.id in out or not notifications.claim(
            session, "member-submitted", manager.id or 0, f"assessment:{assessment_id}"
        ):
            continue
        mails.append(
            notifications.render(
                "member_submitted",
                settings,
                to=manager.email,
                subject=f"{subject.name} submitted their self-assessment",
                name=manager.name,
                member=subject.name,
                framework=version.title,
                profile_url=notifications.link(settings, f"/people/{subject.id}?questionnaire={version.key}"),
                assess_url=notifications.link(settings, f"/people/{subject.id}/assess"),
            )
        )
    for mail in mails:
        notifications.send(session, mail)  # with the claims: claimed means it will be sent
    session.commit()
    return len(mails)


def _week(now: datetime) -> str:
    year, week, _ = now.isocalendar()
    return f"week:{year}-W{week:02d}"


def weekly_digest(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Each manager's inbox for the week: per team and open cycle, who has not submitted yet."""
    now = now or utcnow()
    managed: dict[int, list[Team]] = defaultdict(list)
    for user_id, team in session.exec(
        select(Membership.user_id, Team)
        .join(Team, col(Team.id) == col(Membership.team_id))
        .where(col(Membership.role) == "manager")
        .order_by(col(Team.name))
    ).all():
        managed[user_id].append(team)
    managers = session.exec(
        select(User).where(col(User.id).in_(list(managed)), col(User.active).is_(True)).order_by(col(User.id))
    ).all()
    out = notifications.opted_out(session, [m.id or 0 for m in managers], "weekly_digest")
    mails = []
    for manager in managers:
        if manager.id in out:
            continue
        sections = []
        for team in managed[manager.id or 0]:
            people = sa.select(col(Membership.user_id)).where(col(Membership.team_id) == team.id)
            rows = status_rows(
                session,
                cycles_where=[
                    col(Cycle.closed_at).is_(None),
                    col(Cycle.opens_at) <= now,
                    sa.or_(col(Cycle.team_id).is_(None), col(Cycle.team_id) == team.id),
                ],
                people_where=[col(User.id).in_(people), col(User.id) != manager.id],
                subjects=people,
            )
            for progress in progress_from_rows(rows, now):
                waiting = [s for s in progress.statuses if s.status != "submitted"]
                sections.append(
                    {
                        "team": team.name,
                        "cycle": progress.cycle.name,
                        "due": progress.cycle.due_at.strftime("%d %B %Y"),
                        "submitted": progress.submitted,
                        "total": progress.total,
                        "waiting": [(s.name, s.state) for s in waiting],
                        "url": notifications.link(settings, f"/cycles/{progress.cycle.id}"),
                    }
                )
        if not sections or not notifications.claim(session, "digest", manager.id or 0, _week(now)):
            continue
        mails.append(
            notifications.render(
                "weekly_digest",
                settings,
                to=manager.email,
                subject="Your teams this week",
                name=manager.name,
                sections=sections,
                home_url=notifications.link(settings, "/"),
            )
        )
    for mail in mails:
        notifications.send(session, mail)  # with the claims: claimed means it will be sent
    session.commit()
    return len(mails)
