"""Scoring: answers + questionnaire + target level (+ specialism) -> profile, exactly as DESIGN.md defines it.

Pure code: no Flask, no database. The web, PDFs, CSV, API and CLI all call this, so the numbers are the
same everywhere. Full precision is kept; rounding is for display only. `profile` scores one person,
`plan` turns their gaps into steps and a focus, `team` aggregates and compares.
"""

from competency.scoring.answers import AnswerError, Answers, check_answers, item_value
from competency.scoring.constants import BLIND_SPOT_DELTA, MIN_ANSWERED_SHARE, TOLERANCE, TOP_N
from competency.scoring.plan import PlanEntry, choose_focus, development_plan, step_band, step_fits
from competency.scoring.profile import (
    AreaResult,
    Profile,
    area_result,
    area_score,
    attainment,
    is_added,
    profile_from_results,
    readiness_parts,
    score,
    stored_results,
    top_gaps,
)
from competency.scoring.team import (
    Comparison,
    TeamAreaStats,
    compare,
    reached_counts,
    team_area_stats,
)
from competency.scoring.words import (
    below_target,
    every_scored_area_met,
    percent,
    readiness_explained,
    readiness_limited_by,
    shown_below,
)

__all__ = [
    "BLIND_SPOT_DELTA",
    "MIN_ANSWERED_SHARE",
    "TOLERANCE",
    "TOP_N",
    "AnswerError",
    "Answers",
    "AreaResult",
    "Comparison",
    "PlanEntry",
    "Profile",
    "TeamAreaStats",
    "area_result",
    "area_score",
    "attainment",
    "below_target",
    "check_answers",
    "choose_focus",
    "compare",
    "development_plan",
    "every_scored_area_met",
    "is_added",
    "item_value",
    "percent",
    "profile_from_results",
    "reached_counts",
    "readiness_explained",
    "readiness_limited_by",
    "readiness_parts",
    "score",
    "shown_below",
    "step_band",
    "step_fits",
    "stored_results",
    "team_area_stats",
    "top_gaps",
]
