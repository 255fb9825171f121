"""What happens after a cycle opens or closes or an assessment is submitted: one job each, queued after
the caller's commit, which fans out to mail, webhooks and the PDF cache in the worker."""

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
