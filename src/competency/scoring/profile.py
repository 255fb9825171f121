"""One person's profile: area scores, what the target level adds, readiness and the level reached per area."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from competency.questionnaire.schema import Area, Item, Questionnaire
from competency.scoring.answers import Answers, item_value
from competency.scoring.constants import MIN_ANSWERED_SHARE, TOLERANCE, TOP_N
from competency.scoring.plan import PlanEntry, choose_focus, development_plan


@dataclass(frozen=True)
class AreaResult:
    area_id: str
    score: float | None
    target: float
    gap: float | None
    met: bool | None
    attainment: float | None
    priority: float | None
    #: The target level adds to this area (FT rule): its own behaviours, a higher target, or a new area.
    added: bool = False
    #: Weighted mean of the items the target level adds (its own `level`), else the score; None when
    #: the area is not added or not scored.
    new_score: float | None = None
    new_attainment: float | None = None
    #: The last level of the path met, with every earlier one met (the ladder grid); None: the first is not.
    reached: str | None = None
    #: (level, met) for each level of the path at which the area is in play, in path order.
    ladder: tuple[tuple[str, bool], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "target": self.target,
            "gap": self.gap,
            "met": self.met,
            "attainment": self.attainment,
            "priority": self.priority,
            "added": self.added,
            "new_score": self.new_score,
            "new_attainment": self.new_attainment,
            "reached": self.reached,
            "ladder": dict(self.ladder),
        }


@dataclass(frozen=True)
class Profile:
    level: str
    areas: dict[str, AreaResult]
    readiness: float | None
    plan: list[PlanEntry]
    strengths: list[str]
    top_gaps: list[str]
    readiness_all: float | None = None
    readiness_new: float | None = None
    #: The level before the target on its path (what "adds" is measured against); None for the first.
    previous_level: str | None = None
    specialism: str | None = None
    focus: list[PlanEntry] = field(default_factory=list)
    #: The areas in focus, by priority: the default rule's, or those the person chose.
    focus_areas: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape shared by `competency score --json` and the API."""
        return {
            "areas": {area_id: result.as_dict() for area_id, result in self.areas.items()},
            "readiness": self.readiness,
            "readiness_all": self.readiness_all,
            "readiness_new": self.readiness_new,
            "previous_level": self.previous_level,
            "specialism": self.specialism,
            "plan": [entry.step.id for entry in self.plan],
            "focus": [entry.step.id for entry in self.focus],
            "focus_areas": list(self.focus_areas),
            "strengths": list(self.strengths),
            "top_gaps": list(self.top_gaps),
        }


def weighted_mean(q: Questionnaire, items: Sequence[Item], answers: Answers) -> float | None:
    """Weighted mean of the answered items; None when under half of their weight is answered."""
    answered_items = [item for item in items if answers.get(item.id) is not None]
    if not answered_items:
        return None
    total = math.fsum(item.weight for item in items)
    answered = math.fsum(item.weight for item in answered_items)
    if answered < MIN_ANSWERED_SHARE * total - TOLERANCE:
        return None
    weighted = math.fsum(
        item.weight * item_value(q, item.reverse, answers[item.id] or 0) for item in answered_items
    )
    # Weights like 0.1 + 0.2 must not push a score past the scale.
    return min(float(q.hi), max(float(q.lo), weighted / answered))


def area_score(
    q: Questionnaire, area: Area, answers: Answers, level: str | None = None, specialism: str | None = None
) -> float | None:
    """Weighted mean of the answered items in play at (`level`, `specialism`) (every item when no level)."""
    items = area.items if level is None else q.items_in_play(area, level, specialism)
    return weighted_mean(q, items, answers)


def attainment(score: float, target: float, lo: float) -> float:
    if target <= lo + TOLERANCE:
        return 1.0
    return min(1.0, max(0.0, (score - lo) / (target - lo)))


def _meets(value: float | None, target: float | None) -> bool:
    return value is not None and target is not None and value >= target - TOLERANCE


def is_added(q: Questionnaire, area: Area, level: str, specialism: str | None) -> bool:
    """FT rule: L adds to `area` when it is the first level, brings behaviours of its own (in play for
    this person), brings the area into play, or raises its target."""
    previous = q.previous_level(level)
    if previous is None:
        return True
    if any(item.level == level for item in q.items_in_play(area, level, specialism)):
        return True
    if not q.area_in_play(area, previous, specialism):
        return True
    now, before = q.target_for(area, level), q.target_for(area, previous)
    return before is None or (now is not None and now > before + TOLERANCE)


def ladder(
    q: Questionnaire, area: Area, answers: Answers, level: str, specialism: str | None
) -> tuple[tuple[str, bool], ...]:
    """Met or not at each level of the path where the area is in play, judged on what the person answered
    (items in play at both that level and their target)."""
    asked = q.items_in_play(area, level, specialism)
    cells = []
    for step in q.levels_in_play(area, level, specialism):
        items = [item for item in asked if q.item_in_play(item, step, specialism)]
        if not items:
            # Everything the area asked at that level has stopped being asked (`until`): the person
            # answered nothing there, so the level neither counts as met nor stops the walk.
            continue
        whole = weighted_mean(q, items, answers)
        own = [item for item in items if item.level == step]
        new = weighted_mean(q, own, answers) if own else whole
        target = q.target_for(area, step)
        cells.append((step, _meets(whole, target) and _meets(new, target)))
    return tuple(cells)


def reached_level(cells: Sequence[tuple[str, bool]]) -> str | None:
    reached = None
    for step, met in cells:
        if not met:
            break
        reached = step
    return reached


def area_result(
    q: Questionnaire,
    area: Area,
    score: float | None,
    level: str,
    *,
    added: bool = False,
    new_score: float | None = None,
    cells: tuple[tuple[str, bool], ...] = (),
    reached: str | None = None,
) -> AreaResult:
    """The numbers of one area from its score, whether the level adds to it, its new score (None when
    its own behaviours are under half answered) and its ladder cells (or, from stored numbers without
    them, the level `reached`)."""
    target = q.target_for(area, level)
    if target is None:  # the loader guarantees a target wherever the area is in play
        raise ValueError(f"{area.id} has no target at level {level!r}")
    if score is None:
        return AreaResult(area.id, None, target, None, None, None, None, added=added, ladder=cells)
    gap = target - score
    new = new_score if added else None
    return AreaResult(
        area_id=area.id,
        score=score,
        target=target,
        gap=gap,
        met=gap <= TOLERANCE,
        attainment=attainment(score, target, q.lo),
        priority=area.weight * gap if gap > TOLERANCE else 0.0,
        added=added,
        new_score=new,
        new_attainment=attainment(new, target, q.lo) if new is not None else None,
        reached=reached_level(cells) if cells else reached,
        ladder=cells,
    )


def score(
    q: Questionnaire,
    answers: Answers,
    level: str,
    specialism: str | None = None,
    *,
    focus_areas: Sequence[str] | None = None,
) -> Profile:
    """The full profile of one assessment. Call `check_answers` first on untrusted input."""
    if level not in q.level_ids:
        raise ValueError(f"unknown level {level!r}; {q.id} has {', '.join(q.level_ids)}")
    results = {}
    for area in q.areas_in_play(level, specialism):
        items = q.items_in_play(area, level, specialism)
        own = [item for item in items if item.level == level]
        whole = weighted_mean(q, items, answers)
        added = is_added(q, area, level, specialism)
        if not added:
            new = None
        elif own:
            new = weighted_mean(q, own, answers)
        else:
            new = whole
        results[area.id] = area_result(
            q,
            area,
            whole,
            level,
            added=added,
            new_score=new,
            cells=ladder(q, area, answers, level, specialism),
        )
    return profile_from_results(q, level, results, specialism, focus_areas=focus_areas)


def stored_results(
    q: Questionnaire,
    level: str,
    specialism: str | None,
    stored: Mapping[str, tuple[float | None, float | None, str | None]],
) -> dict[str, AreaResult]:
    """Per area in play, its result from the numbers stored at submit: (score, new score, level reached)
    by area id. Views of many people and earlier results read these instead of scoring answers again."""
    out = {}
    for area in q.areas_in_play(level, specialism):
        score, new, reached = stored.get(area.id, (None, None, None))
        out[area.id] = area_result(
            q, area, score, level, added=is_added(q, area, level, specialism), new_score=new, reached=reached
        )
    return out


def readiness_parts(
    q: Questionnaire, level: str, results: Mapping[str, AreaResult]
) -> tuple[float | None, float | None, float | None]:
    """(readiness, R_all, R_new): R_all over every scored area, R_new over what the level adds, and the
    readiness shown everywhere, the lower of the two."""
    weights = {area.id: area.weight for area in q.areas}
    scored = [r for r in results.values() if r.attainment is not None]
    if not scored:
        return None, None, None
    r_all = _weighted_percent([(weights[r.area_id], r.attainment or 0.0) for r in scored])
    new_part = [r for r in scored if r.added and r.new_attainment is not None]
    if q.previous_level(level) is None or not new_part:
        r_new = r_all
    else:
        r_new = _weighted_percent([(weights[r.area_id], r.new_attainment or 0.0) for r in new_part])
    return min(r_all, r_new), r_all, r_new


def _weighted_percent(pairs: Sequence[tuple[float, float]]) -> float:
    total = math.fsum(w for w, _ in pairs)
    return min(100.0, 100.0 * math.fsum(w * a for w, a in pairs) / total)


def profile_from_results(
    q: Questionnaire,
    level: str,
    results: Mapping[str, AreaResult],
    specialism: str | None = None,
    *,
    focus_areas: Sequence[str] | None = None,
) -> Profile:
    """Readiness, plan, focus, strengths and gaps from per-area results (also used on stored scores)."""
    readiness, r_all, r_new = readiness_parts(q, level, results)
    order = {area.id: index for index, area in enumerate(q.areas)}
    strengths = sorted(
        (r for r in results.values() if r.met),
        key=lambda r: (-(r.score or 0.0) + r.target, order[r.area_id]),
    )
    plan = development_plan(q, results.values())
    focus, chosen = choose_focus(q, plan, results, focus_areas)
    return Profile(
        level=level,
        areas=dict(results),
        readiness=readiness,
        plan=plan,
        strengths=[r.area_id for r in strengths[:TOP_N]],
        top_gaps=top_gaps(q, results),
        readiness_all=r_all,
        readiness_new=r_new,
        previous_level=q.previous_level(level),
        specialism=specialism,
        focus=focus,
        focus_areas=chosen,
    )


def top_gaps(q: Questionnaire, results: Mapping[str, AreaResult]) -> list[str]:
    """The TOP_N areas below target by priority (desc), then area order: a profile's top gaps, without
    working out its plan (a team page lists the gaps of many people)."""
    return [r.area_id for r in below_target_by_priority(q, results)[:TOP_N]]


def below_target_by_priority(q: Questionnaire, results: Mapping[str, AreaResult]) -> list[AreaResult]:
    order = {area.id: index for index, area in enumerate(q.areas)}
    below = [r for r in results.values() if r.gap is not None and r.gap > TOLERANCE]
    return sorted(below, key=lambda r: (-(r.priority or 0.0), order[r.area_id]))
