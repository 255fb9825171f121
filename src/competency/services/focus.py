"""A person's own choice of focus areas for their plan, kept with the self-assessment it was made on.

DESIGN.md: the focus is, by default, the areas with the highest priority; a person may choose other areas
for themselves. The choice is shown to whoever sees the profile and ends with the next assessment.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from competency.models import Assessment, FocusChoice, User, utcnow
from competency.questionnaire import Questionnaire
from competency.services import NotFound, ServiceError, audit


def choose(
    session: Session,
    actor: User,
    assessment: Assessment,
    questionnaire: Questionnaire,
    areas: Sequence[str],
    *,
    now: datetime | None = None,
    remote_addr: str | None = None,
) -> FocusChoice | None:
    """Store the areas the person wants to focus on (committed); no areas: back to the default focus.

    Only the person, on their own latest submitted self-assessment; areas must be in play there, at most
    the framework's `focus.areas` of them."""
    if actor.id != assessment.subject_id or assessment.kind != "self" or assessment.status != "submitted":
        raise NotFound("only the person chooses the focus of their own plan")
    assert assessment.id is not None
    in_play = [a.id for a in questionnaire.areas_in_play(assessment.target_level, assessment.specialism)]
    wanted = list(dict.fromkeys(areas))
    unknown = [a for a in wanted if a not in in_play]
    if unknown:
        raise ServiceError("Choose areas of your assessment: " + ", ".join(unknown) + " is not one of them.")
    limit = questionnaire.focus_size.areas
    if len(wanted) > limit:
        raise ServiceError(f"Choose at most {limit} areas: a focus is what you start on now.")
    session.execute(sa.delete(FocusChoice).where(col(FocusChoice.assessment_id) == assessment.id))
    row = None
    if wanted:
        row = FocusChoice(assessment_id=assessment.id, areas=wanted, chosen_at=now or utcnow())
        session.add(row)
    audit.log(
        session,
        actor_id=actor.id,
        action="plan.focus",
        object=f"assessment:{assessment.id}",
        details={"areas": wanted},
        remote_addr=remote_addr,
    )
    session.commit()
    return row
