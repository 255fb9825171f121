"""The development plan (steps for where a person stands) and its focus (what to start on Monday)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from competency.questionnaire.schema import Questionnaire, RoadmapStep
from competency.scoring.constants import TOLERANCE

if TYPE_CHECKING:
    from competency.scoring.profile import AreaResult


@dataclass(frozen=True)
class PlanEntry:
    area_id: str
    phase_id: str | None
    step: RoadmapStep
    gap: float
    priority: float
    #: The stretch of the area score the step builds (its band, or the whole scale).
    band: tuple[float, float]


def step_band(q: Questionnaire, step: RoadmapStep) -> tuple[float, float]:
    return step.band if step.band is not None else (float(q.lo), float(q.hi))


def step_fits(q: Questionnaire, step: RoadmapStep, result: AreaResult) -> bool:
    """A step is for where the person stands: its band reaches into the stretch from score to target,
    and the gap is at least the step's `min_gap`."""
    if result.score is None or result.gap is None or result.gap <= TOLERANCE:
        return False
    b0, b1 = step_band(q, step)
    return (
        step.min_gap <= result.gap + TOLERANCE
        and b0 < result.target - TOLERANCE
        and b1 > result.score + TOLERANCE
    )


def development_plan(q: Questionnaire, results: Iterable[AreaResult]) -> list[PlanEntry]:
    """Steps whose band reaches between score and target, in phase/band/priority/area/step order."""
    phase_order = {phase.id: index for index, phase in enumerate(q.phases)}
    area_order = {area.id: index for index, area in enumerate(q.areas)}
    entries = []
    for result in results:
        if result.gap is None or result.gap <= TOLERANCE:
            continue
        area = q.area(result.area_id)
        for step_index, step in enumerate(area.roadmap):
            if not step_fits(q, step, result):
                continue
            band = step_band(q, step)
            priority = result.priority or 0.0
            key = (
                phase_order.get(step.phase or "", 0),
                band[0],
                -priority,
                area_order[area.id],
                step_index,
            )
            entries.append((key, PlanEntry(area.id, step.phase, step, result.gap, priority, band)))
    entries.sort(key=lambda pair: pair[0])
    return [entry for _, entry in entries]


def choose_focus(
    q: Questionnaire,
    plan: Sequence[PlanEntry],
    results: Mapping[str, AreaResult],
    chosen: Sequence[str] | None = None,
) -> tuple[list[PlanEntry], list[str]]:
    """(focus steps in plan order, focus areas by priority).

    By default the first `focus.areas` areas by priority (priority > 0; an area without plan steps still
    takes its place); a person may choose their own areas instead (those still in the profile count).
    Each focus area brings its first `focus.steps` steps in plan order.
    """
    size = q.focus_size
    order = {area.id: index for index, area in enumerate(q.areas)}
    if chosen:
        wanted = [area_id for area_id in dict.fromkeys(chosen) if area_id in results]
        areas = sorted(wanted, key=lambda a: (-(results[a].priority or 0.0), order[a]))[: size.areas]
    else:
        ranked = sorted(
            (r for r in results.values() if (r.priority or 0.0) > TOLERANCE),
            key=lambda r: (-(r.priority or 0.0), order[r.area_id]),
        )
        areas = [r.area_id for r in ranked[: size.areas]]
    taken: dict[str, int] = dict.fromkeys(areas, 0)
    focus = []
    for entry in plan:
        if entry.area_id in taken and taken[entry.area_id] < size.steps:
            taken[entry.area_id] += 1
            focus.append(entry)
    return focus, areas
