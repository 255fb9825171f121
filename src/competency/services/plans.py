"""Development plan progress: a person marks recommended steps not started, in progress or done.

A status belongs to the person, the framework key and the step id, not to one assessment, so a step done
stays done when the next assessment recommends it again. Every change is also kept as an event, so the
history says what was done when.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from competency.models import PLAN_STATUSES, PlanStepEvent, PlanStepStatus, User, utcnow
from competency.services import NotFound, ServiceError, audit


@dataclass(frozen=True)
class StepState:
    """A step's status as a page shows it."""

    status: str
    done_at: datetime | None = None
    updated_at: datetime | None = None


NOT_STARTED = StepState("not started")


@dataclass(frozen=True)
class DoneStep:
    """A step someone marked done: for a manager's home and the team dashboard."""

    user_id: int
    name: str
    questionnaire_key: str
    step_id: str
    at: datetime


def states_of(session: Session, user_id: int, key: str) -> dict[str, StepState]:
    """Every step of framework `key` the person has touched, by step id (untouched: not started)."""
    rows = session.exec(
        select(PlanStepStatus).where(
            PlanStepStatus.user_id == user_id, PlanStepStatus.questionnaire_key == key
        )
    ).all()
    return {r.step_id: StepState(r.status, r.done_at, r.updated_at) for r in rows}


def set_status(
    session: Session,
    actor: User,
    *,
    subject_id: int,
    key: str,
    step_id: str,
    status: str,
    plan_step_ids: Iterable[str],
    assessment_id: int | None,
    now: datetime | None = None,
    remote_addr: str | None = None,
) -> StepState:
    """Record the person's progress on one step of their current plan (committed).

    Only the person themselves marks their steps (the plan is theirs; a manager follows it). A step that
    is not in the current plan is refused, so stray ids cannot pile up.
    """
    if actor.id != subject_id:
        raise NotFound("only the person marks their own plan")
    if status not in PLAN_STATUSES:
        raise ServiceError(f"Choose one of: {', '.join(PLAN_STATUSES)}.")
    if step_id not in set(plan_step_ids):
        raise ServiceError("That step is not in your current plan any more. Reload the page.")
    now = now or utcnow()
    done_at = now if status == "done" else None
    current = states_of(session, subject_id, key).get(step_id)
    if current is not None and current.status == status:
        return current  # a double click or a resubmitted form changes nothing and adds no event
    if status == "done" and current is not None and current.done_at is not None:
        done_at = current.done_at
    values = {
        "user_id": subject_id,
        "questionnaire_key": key,
        "step_id": step_id,
        "status": status,
        "done_at": done_at,
        "updated_at": now,
    }
    # Two tabs marking the same step at once must not raise: insert or update in one statement.
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(PlanStepStatus).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["user_id", "questionnaire_key", "step_id"],
        set_={"status": status, "done_at": done_at, "updated_at": now},
    )
    session.execute(stmt)
    session.add(
        PlanStepEvent(
            user_id=subject_id,
            questionnaire_key=key,
            step_id=step_id,
            status=status,
            assessment_id=assessment_id,
            actor_id=actor.id,
            at=now,
        )
    )
    audit.log(
        session,
        actor_id=actor.id,
        action="plan.step",
        object=f"user:{subject_id}",
        details={"questionnaire": key, "step": step_id, "status": status},
        remote_addr=remote_addr,
    )
    session.commit()
    return StepState(status, done_at, now)


def history(session: Session, user_id: int, key: str) -> list[PlanStepEvent]:
    """Every change of the person's steps of framework `key`, oldest first."""
    return list(
        session.exec(
            select(PlanStepEvent)
            .where(PlanStepEvent.user_id == user_id, PlanStepEvent.questionnaire_key == key)
            .order_by(col(PlanStepEvent.at), col(PlanStepEvent.id))
        ).all()
    )


def done_since(session: Session, people: Sequence[int] | sa.Select, since: datetime | None) -> list[DoneStep]:
    """Steps of `people` that are done now and were marked done after `since` (all done ones when None).

    One statement whatever the number of people (`people` may be a subquery of user ids).
    """
    stmt = (
        select(PlanStepStatus, User.name)
        .join(User, col(User.id) == col(PlanStepStatus.user_id))
        .where(col(PlanStepStatus.status) == "done", col(PlanStepStatus.user_id).in_(people))
        .order_by(col(PlanStepStatus.done_at).desc(), col(PlanStepStatus.id))
    )
    if since is not None:
        stmt = stmt.where(col(PlanStepStatus.done_at) > since)
    return [
        DoneStep(row.user_id, name, row.questionnaire_key, row.step_id, row.done_at or row.updated_at)
        for row, name in session.exec(stmt).all()
    ]
