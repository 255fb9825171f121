"""Team aggregates per area, and a person's self-rating beside their manager's."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from competency.questionnaire.schema import Questionnaire
from competency.scoring.constants import BLIND_SPOT_DELTA, TOLERANCE


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
        coverage=sum(1 for s, t in scored if s >= t - TOLERANCE),
        experts=sum(1 for s in scores if s >= expert_level - TOLERANCE),
    )


def reached_counts(q: Questionnaire, reached: Iterable[str | None]) -> dict[str | None, int]:
    """Members per level reached in one area, in level order, then those who reached none (None)."""
    counts = Counter(reached)
    out: dict[str | None, int] = {level: counts[level] for level in q.level_ids if counts[level]}
    if counts[None]:
        out[None] = counts[None]
    return out


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
        return delta is not None and abs(delta) >= BLIND_SPOT_DELTA - TOLERANCE


def compare(
    q: Questionnaire,
    self_scores: Mapping[str, float | None],
    manager_scores: Mapping[str, float | None],
    level: str | None = None,
    specialism: str | None = None,
) -> list[Comparison]:
    """Self vs manager per area (in play at `level`, when given), side by side; never averaged."""
    areas = q.areas if level is None else q.areas_in_play(level, specialism)
    return [Comparison(a.id, self_scores.get(a.id), manager_scores.get(a.id)) for a in areas]
