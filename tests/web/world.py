"""A small organisation for access and flow tests: two teams, their managers, HR and an admin."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import Flask

from competency import scoring
from competency.models import Cycle, Job, User
from competency.services import assessments
from competency.services import users as users_service
from competency.web.requests import catalog, db

ML = "ml-engineer"


def answers_for(questionnaire, value: int, level: str = "mid") -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Every item asked at `level` answered `value` (clamped to the scale)."""
    point = min(max(value, questionnaire.lo), questionnaire.hi)
    return {
        item.id: point
        for area in questionnaire.areas_in_play(level)
        for item in questionnaire.items_in_play(area, level)
    }


@dataclass
class World:
    subject: User
    other_member: User
    manager: User
    other_manager: User
    hr: User
    admin: User
    team_id: int
    other_team_id: int
    submitted_id: int
    draft_id: int
    area_id: str
    cycle_id: int
    #: The manager's submitted (unreleased) rating of the subject, a blind spot away from theirs.
    manager_rating_id: int = 0
    #: A step of the subject's current development plan.
    plan_step_id: str = ""
    #: A cycle ZIP job still running (its file cannot be downloaded yet).
    job_id: int = 0

    def role(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, {"self": "subject"}.get(name, name))


def build_world(app: Flask, make_user) -> World:  # type: ignore[no-untyped-def]
    subject = make_user("sam@example.org", "Sam Subject")
    other = make_user("olga@example.org", "Olga Other")
    manager = make_user("mia@example.org", "Mia Manager")
    other_manager = make_user("max@example.org", "Max Manager")
    hr = make_user("hana@example.org", "Hana HR", role="hr")
    admin = make_user("ada@example.org", "Ada Admin", role="admin")
    with app.app_context():
        session = db()
        team, _ = users_service.create_team(session, "Vision")
        other_team, _ = users_service.create_team(session, "Forecasting")
        users_service.add_member(session, team, session.get(User, subject.id), "member")
        users_service.add_member(session, team, session.get(User, manager.id), "manager")
        users_service.add_member(session, other_team, session.get(User, other.id), "member")
        users_service.add_member(session, other_team, session.get(User, other_manager.id), "manager")
        session.commit()
        questionnaire = catalog().get(ML)
        assert questionnaire is not None
        me = session.get(User, subject.id)
        submitted, _ = assessments.record(
            session,
            questionnaire,
            subject=me,
            assessor=me,
            kind="self",
            level="mid",
            answers=answers_for(questionnaire, 2),
            submitted_at=datetime.now(UTC) - timedelta(days=30),
        )
        session.commit()
        rating, _ = assessments.record(
            session,
            questionnaire,
            subject=me,
            assessor=session.get(User, manager.id),
            kind="manager",
            level="mid",
            answers=answers_for(questionnaire, 3),
            submitted_at=datetime.now(UTC) - timedelta(days=20),
        )
        session.commit()
        plan = scoring.score(questionnaire, answers_for(questionnaire, 2), "mid").plan
        draft, _ = assessments.start(session, questionnaire, subject=me, assessor=me, level="mid")
        now = datetime.now(UTC)
        cycle = Cycle(
            name="Spring review",
            questionnaire_key=ML,
            team_id=team.id,
            opens_at=now - timedelta(days=40),
            due_at=now + timedelta(days=20),
        )
        session.add(cycle)
        session.commit()
        job = Job(kind="cycle_zip", object_id=cycle.id or 0, questionnaire_key=ML, state="running", total=1)
        session.add(job)
        session.commit()
        return World(
            subject=subject,
            other_member=other,
            manager=manager,
            other_manager=other_manager,
            hr=hr,
            admin=admin,
            team_id=team.id or 0,
            other_team_id=other_team.id or 0,
            submitted_id=submitted.id or 0,
            draft_id=draft.id or 0,
            area_id=questionnaire.areas[0].id,
            cycle_id=cycle.id or 0,
            manager_rating_id=rating.id or 0,
            plan_step_id=plan[0].step.id,
            job_id=job.id or 0,
        )
