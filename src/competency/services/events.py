"""What happens after a cycle opens or closes or an assessment is submitted or released: one outbox row
each, recorded in the caller's transaction (before its commit), which a worker fans out to mail, webhooks
and the PDF cache. Keyed, so recording the same event twice keeps one row."""

from __future__ import annotations

from sqlmodel import Session

from competency.models import Assessment, Cycle
from competency.services import outbox


def cycle_opened(session: Session, cycle: Cycle) -> None:
    outbox.record(session, "cycle_opened", {"cycle_id": cycle.id}, key=f"cycle_opened:{cycle.id}")


def cycle_closed(session: Session, cycle: Cycle) -> None:
    outbox.record(session, "cycle_closed", {"cycle_id": cycle.id}, key=f"cycle_closed:{cycle.id}")


def assessment_submitted(session: Session, assessment: Assessment) -> None:
    outbox.record(
        session,
        "assessment_submitted",
        {"assessment_id": assessment.id},
        key=f"assessment_submitted:{assessment.id}",
    )


def rating_released(session: Session, assessment: Assessment) -> None:
    outbox.record(
        session, "rating_released", {"assessment_id": assessment.id}, key=f"rating_released:{assessment.id}"
    )
