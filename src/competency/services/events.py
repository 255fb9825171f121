"""What happens after a cycle opens or closes or an assessment is submitted: one job each, queued after
the caller's commit, which fans out to mail, webhooks and the PDF cache in the worker. A manager rating
released to its subject changes what their own report shows: its PDF is warmed too."""

from __future__ import annotations

from competency.models import Assessment, Cycle


def cycle_opened(cycle: Cycle) -> None:
    from competency import queue
    from competency.services import tasks

    queue.enqueue(tasks.cycle_opened, cycle.id)


def cycle_closed(cycle: Cycle) -> None:
    from competency import queue
    from competency.services import tasks

    queue.enqueue(tasks.cycle_closed, cycle.id)


def assessment_submitted(assessment: Assessment) -> None:
    from competency import queue
    from competency.services import tasks

    queue.enqueue(tasks.assessment_submitted, assessment.id)


def rating_released(assessment: Assessment) -> None:
    from competency import queue
    from competency.services import tasks

    queue.enqueue(tasks.rating_released, assessment.id)
