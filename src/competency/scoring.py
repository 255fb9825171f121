"""Scoring: answers + questionnaire + target level -> profile, exactly as DESIGN.md defines it.

Pure code: no Flask, no database. The web, PDFs, CSV, API and CLI all call this, so the
numbers are the same everywhere. Full precision is kept; rounding is for display only.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from competency.questionnaire.schema import Area, Questionnaire, RoadmapStep

Answers = Mapping[str, int | None]

#: An area is scored only when at least this share of its item weight is answered.
MIN_ANSWERED_SHARE = 0.5
#: |manager - self| from which a difference is flagged as a blind spot.
BLIND_SPOT_DELTA = 1.0
TOP_N = 3


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire; `problems` names each bad item."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class AreaResult:
    area_id: str
    score: float | None
    target: float
    gap: float | None
    met: bool | None
    attainment: float | None
    priority: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "target": self.target,
            "gap": self.gap,
            "met": self.met,
            "attainment": self.attainment,
            "priority": self.priority,
        }


@dataclass(frozen=True)
class PlanEntry:
    area_id: str
    phase_id: str | None
    step: RoadmapStep
    gap: float
    priority: float
    #: The stretch of the area score the step builds (its band, or the whole scale).
    band: tuple[float, float]


@dataclass(frozen=True)
class Profile:
    level: str
    areas: dict[str, AreaResult]
    readiness: float | None
    plan: list[PlanEntry]
    strengths: list[str]
    top_gaps: list[str]

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape shared by `competency score --json` and the API."""
        return {
            "areas": {area_id: result.as_dict() for area_id, result in self.areas.items()},
            "readiness": self.readiness,
            "plan": [entry.step.id for entry in self.plan],
            "strengths": list(self.strengths),
            "top_gaps": list(self.top_gaps),
        }


def check_answers(q: Questionnaire, answers: Mapping[str, Any], level: str | None = None) -> None:
    """Refuse unknown items, items not in play at `level`, values off the scale and N/A on required items.

    Missing items are allowed: a partial assessment scores what it has (the 50 % rule).
    """
    items = q.items_by_id()
    allowed = set(q.scale_values)
    problems = []
    if level is not None and level not in q.level_ids:
        raise AnswerError([f"unknown level {level!r}; {q.id} has {', '.join(q.level_ids)}"])
    for item_id, value in answers.items():
        if item_id not in items:
            problems.append(f"{item_id}: unknown item (not in {q.id} v{q.version})")
            continue
        _, item = items[item_id]
        if level is not None and not q.item_in_play(item, level):
            # "another track" only when it is one: a staff item refused at senior (both ic), or at a
            # shared level below both tracks, is simply expected later.
            expected_track = q.level(item.level).track if item.level in q.level_ids else None
            own_track = q.level(level).track
            elsewhere = None not in (expected_track, own_track) and expected_track != own_track
            problems.append(
                f"{item_id}: not asked at level {level!r} (expected from level {item.level!r}"
                f"{' on another track' if elsewhere else ''})"
            )
            continue
        if value is None:
            if not item.optional:
                problems.append(f"{item_id}: is required and cannot be answered 'not applicable'")
        elif isinstance(value, bool) or not isinstance(value, int) or value not in allowed:
            scale = ", ".join(str(v) for v in q.scale_values)
            problems.append(f"{item_id}: {value!r} is not on the scale ({scale})")
    if problems:
        raise AnswerError(problems)


def item_value(q: Questionnaire, reverse: bool, answer: int) -> int:
    """The value an answer contributes: reverse items flip around the middle of the scale."""
    return q.lo + q.hi - answer if reverse else answer


#: Decimal places kept from float arithmetic: weights like 0.1 + 0.2 must not push a score past the
#: scale, a gap below a min_gap it equals, or an exactly-half-answered area under the 50 % rule.
PRECISION = 9


def area_score(q: Questionnaire, area: Area, answers: Answers, level: str | None = None) -> float | None:
    """Weighted mean of the answered items in play at `level` (every item when None)."""
    items = area.items if level is None else q.items_in_play(area, level)
    total = math.fsum(item.weight for item in items)
    answered_items = [item for item in items if answers.get(item.id) is not None]
    answered = math.fsum(item.weight for item in answered_items)
    if not answered_items or round(answered - MIN_ANSWERED_SHARE * total, PRECISION) < 0:
        return None
    weighted = math.fsum(
        item.weight * item_value(q, item.reverse, answers[item.id] or 0) for item in answered_items
    )
    return min(float(q.hi), max(float(q.lo), round(weighted / answered, PRECISION)))


def attainment(score: float, target: float, lo: float) -> float:
    if target <= lo:
        return 1.0
    return min(1.0, max(0.0, (score - lo) / (target - lo)))


def area_result(q: Questionnaire, area: Area, score: float | None, level: str) -> AreaResult:
    target = q.target_for(area, level)
    if target is None:  # the loader guarantees a target wherever the area is in play
        raise ValueError(f"{area.id} has no target at level {level!r}")
    if score is None:
        return AreaResult(area.id, None, target, None, None, None, None)
    gap = round(target - score, PRECISION)
    return AreaResult(
        area_id=area.id,
        score=score,
        target=target,
        gap=gap,
        met=gap <= 0,
        attainment=attainment(score, target, q.lo),
        priority=area.weight * max(0.0, gap),
    )


def score(q: Questionnaire, answers: Answers, level: str) -> Profile:
    """The full profile of one assessment. Call `check_answers` first on untrusted input."""
    if level not in q.level_ids:
        raise ValueError(f"unknown level {level!r}; {q.id} has {', '.join(q.level_ids)}")
    results = {
        area.id: area_result(q, area, area_score(q, area, answers, level), level)
        for area in q.areas_in_play(level)
    }
    return profile_from_results(q, level, results)


def profile_from_results(q: Questionnaire, level: str, results: Mapping[str, AreaResult]) -> Profile:
    """Readiness, plan, strengths and gaps from per-area results (also used on stored scores)."""
    weights = {area.id: area.weight for area in q.areas}
    scored = [r for r in results.values() if r.attainment is not None]
    readiness = None
    if scored:
        total = math.fsum(weights[r.area_id] for r in scored)
        attained = math.fsum(weights[r.area_id] * (r.attainment or 0.0) for r in scored)
        readiness = min(100.0, 100.0 * attained / total)
    order = {area.id: index for index, area in enumerate(q.areas)}
    below = [r for r in results.values() if r.gap is not None and r.gap > 0]
    strengths = sorted(
        (r for r in results.values() if r.met),
        key=lambda r: (-(r.score or 0.0) + r.target, order[r.area_id]),
    )
    return Profile(
        level=level,
        areas=dict(results),
        readiness=readiness,
        plan=development_plan(q, below),
        strengths=[r.area_id for r in strengths[:TOP_N]],
        top_gaps=top_gaps(q, results),
    )


def top_gaps(q: Questionnaire, results: Mapping[str, AreaResult]) -> list[str]:
    """The TOP_N areas below target by priority (desc), then area order: a profile's top gaps, without
    working out its plan (a team page lists the gaps of many people)."""
    order = {area.id: index for index, area in enumerate(q.areas)}
    below = [r for r in results.values() if r.gap is not None and r.gap > 0]
    ranked = sorted(below, key=lambda r: (-(r.priority or 0.0), order[r.area_id]))
    return [r.area_id for r in ranked[:TOP_N]]


def step_band(q: Questionnaire, step: RoadmapStep) -> tuple[float, float]:
    return step.band if step.band is not None else (float(q.lo), float(q.hi))


def step_fits(q: Questionnaire, step: RoadmapStep, result: AreaResult) -> bool:
    """A step is for where the person stands: its band reaches into the stretch from score to target."""
    if result.score is None or result.gap is None or result.gap <= 0:
        return False
    b0, b1 = step_band(q, step)
    return step.min_gap <= result.gap and b0 < result.target and b1 > result.score


def development_plan(q: Questionnaire, below_target: Iterable[AreaResult]) -> list[PlanEntry]:
    """Steps whose band reaches between score and target, in phase/band/priority/area/step order."""
    phase_order = {phase.id: index for index, phase in enumerate(q.phases)}
    area_order = {area.id: index for index, area in enumerate(q.areas)}
    entries = []
    for result in below_target:
        if result.gap is None or result.gap <= 0:
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


# -- teams and second opinions ----------------------------------------------------------


@dataclass(frozen=True)
class TeamAreaStats:
    area_id: str
    mean: float | None
    median: float | None
    min: float | None
    max: float | None
    n: int
    coverage: int
    experts: int

    @property
    def single_point_of_expertise(self) -> bool:
        return self.experts == 1

    @property
    def no_expertise(self) -> bool:
        return self.experts == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "mean": self.mean,
            "median": self.median,
            "min": self.min,
            "max": self.max,
            "n": self.n,
            "coverage": self.coverage,
            "experts": self.experts,
        }


def team_area_stats(
    area_id: str, scored: Sequence[tuple[float, float]], expert_level: float
) -> TeamAreaStats:
    """Aggregates over each member's (score, own target) for one area; unscored members left out."""
    scores = [s for s, _ in scored]
    if not scores:
        return TeamAreaStats(area_id, None, None, None, None, 0, 0, 0)
    return TeamAreaStats(
        area_id=area_id,
        mean=statistics.fmean(scores),
        median=float(statistics.median(scores)),
        min=min(scores),
        max=max(scores),
        n=len(scores),
        coverage=sum(1 for s, t in scored if s >= t),
        experts=sum(1 for s in scores if s >= expert_level),
    )


@dataclass(frozen=True)
class Comparison:
    area_id: str
    self_score: float | None
    manager_score: float | None

    @property
    def delta(self) -> float | None:
        if self.self_score is None or self.manager_score is None:
            return None
        return self.manager_score - self.self_score

    @property
    def blind_spot(self) -> bool:
        delta = self.delta
        return delta is not None and abs(delta) >= BLIND_SPOT_DELTA


def compare(
    q: Questionnaire,
    self_scores: Mapping[str, float | None],
    manager_scores: Mapping[str, float | None],
    level: str | None = None,
) -> list[Comparison]:
    """Self vs manager per area (in play at `level`, when given), side by side; never averaged."""
    areas = q.areas if level is None else q.areas_in_play(level)
    return [Comparison(a.id, self_scores.get(a.id), manager_scores.get(a.id)) for a in areas]
