"""Answers as the scorer takes them: checked against the questionnaire, and the value each contributes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from competency.questionnaire.schema import Questionnaire

Answers = Mapping[str, int | None]


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire; `problems` names each bad item."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def check_answers(
    q: Questionnaire, answers: Mapping[str, Any], level: str | None = None, specialism: str | None = None
) -> None:
    """Refuse unknown items, items not in play at (`level`, `specialism`), values off the scale and N/A on
    required items.

    Missing items are allowed: a partial assessment scores what it has (the 50 % rule).
    """
    items = q.items_by_id()
    allowed = set(q.scale_values)
    problems = []
    if level is not None and level not in q.level_ids:
        raise AnswerError([f"unknown level {level!r}; {q.id} has {', '.join(q.level_ids)}"])
    if specialism is not None and specialism not in q.specialism_ids:
        known = ", ".join(q.specialism_ids) or "none"
        raise AnswerError([f"unknown specialism {specialism!r}; {q.id} has {known}"])
    for item_id, value in answers.items():
        if item_id not in items:
            problems.append(f"{item_id}: unknown item (not in {q.id} v{q.version})")
            continue
        _, item = items[item_id]
        if level is not None and not q.item_in_play(item, level, specialism):
            problems.append(f"{item_id}: {_why_not_asked(q, item, level, specialism)}")
            continue
        if value is None:
            if not item.optional:
                problems.append(f"{item_id}: is required and cannot be answered 'not applicable'")
        elif isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            scale = ", ".join(str(v) for v in q.scale_values)
            problems.append(f"{item_id}: {value!r} is not on the scale ({scale})")
    if problems:
        raise AnswerError(problems)


def _why_not_asked(q: Questionnaire, item: Any, level: str, specialism: str | None) -> str:
    own = q.item_specialism(item)
    if own is not None and own != specialism:
        return f"not asked {'of a generalist' if specialism is None else f'of specialism {specialism!r}'} (only of specialism {own!r})"
    if item.until is not None and item.until in q.path(level)[:-1]:
        return f"not asked at level {level!r} (asked until level {item.until!r})"
    # "another track" only when it is one: a staff item refused at senior (both ic), or at a shared
    # level below both tracks, is simply expected later.
    expected_track = q.level(item.level).track if item.level in q.level_ids else None
    own_track = q.level(level).track
    elsewhere = None not in (expected_track, own_track) and expected_track != own_track
    return (
        f"not asked at level {level!r} (expected from level {item.level!r}"
        f"{' on another track' if elsewhere else ''})"
    )


def item_value(q: Questionnaire, reverse: bool, answer: int) -> int:
    """The value an answer contributes: reverse items flip around the middle of the scale."""
    return q.lo + q.hi - answer if reverse else answer
