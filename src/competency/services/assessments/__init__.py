"""Taking an assessment: start or resume a draft, save area by area, submit (then it is immutable).

Split by what each part does: `queries` reads, `drafts` writes a draft under its lock, `submitting` scores,
freezes and releases. The names below are the service's interface; callers import them from here.
"""

from competency.services.assessments.drafts import (
    MAX_NOTE_LENGTH,
    AlreadySubmitted,
    Conflict,
    NotAllowed,
    may_act,
    save_area,
    start,
)
from competency.services.assessments.queries import (
    Taken,
    answers_of,
    drafts_of,
    latest_self_answers,
    load,
    notes_of,
    open_draft,
    own_levels,
    unanswered,
)
from competency.services.assessments.submitting import (
    check_notes,
    record,
    release,
    submit,
    write_scores,
)

__all__ = [
    "MAX_NOTE_LENGTH",
    "AlreadySubmitted",
    "Conflict",
    "NotAllowed",
    "Taken",
    "answers_of",
    "check_notes",
    "drafts_of",
    "latest_self_answers",
    "load",
    "may_act",
    "notes_of",
    "open_draft",
    "own_levels",
    "record",
    "release",
    "save_area",
    "start",
    "submit",
    "unanswered",
    "write_scores",
]
