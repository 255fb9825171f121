"""Display formatting for the PDF reports (the only rounding in them) and what person and team reports
share: colours, the framework and level blocks, the radar's axis labels."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from competency.questionnaire.schema import Questionnaire
from competency.reports.svg import MAX_TITLED_AXES

SELF_COLOUR = "#1f5fa8"
MANAGER_COLOUR = "#8e44ad"
TARGET_COLOUR = "#3d4852"
RANGE_COLOUR = "#6f9fd8"
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]

Context = dict[str, Any]


# -- display formatting (the only rounding in the reports) -----------------------------------


def fmt_score(value: float | None) -> str | None:
    """Two decimals, never "-0.00"."""
    if value is None:
        return None
    text = f"{value:.2f}"
    return "0.00" if text == "-0.00" else text


def fmt_signed(value: float | None) -> str | None:
    text = fmt_score(value)
    if text is None or text == "0.00" or text.startswith("-"):
        return text
    return "+" + text


def fmt_readiness(value: float | None) -> str | None:
    if value is None:
        return None
    text = f"{value:.1f}"
    return "0.0" if text == "-0.0" else text


def fmt_date(value: datetime | None) -> str | None:
    if value is None:
        return None
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def fmt_short_date(value: datetime) -> str:
    return f"{value:%Y-%m-%d}"


def questionnaire_info(q: Questionnaire) -> Context:
    return {
        "id": q.id,
        "title": q.title,
        "version": q.version,
        "lo": q.lo,
        "hi": q.hi,
        "scale": [{"value": p.value, "label": p.label, "description": p.description} for p in q.scale],
    }


def level_info(q: Questionnaire, level_id: str) -> Context:
    # A level without a label shows its id, capitalised as it starts phrases in the reports.
    found = next((lv for lv in q.levels if lv.id == level_id), None)
    label = found.label if found else None
    name = label or level_id[:1].upper() + level_id[1:]
    track = q.track_name(found.track) if found and found.track else None
    return {"id": level_id, "name": name, "description": found.description if found else None, "track": track}


def axis_labels(areas: Sequence[Any]) -> list[str]:
    """Area titles round the radar, or the numbers of the area table when there are too many."""
    if len(areas) > MAX_TITLED_AXES:
        return [str(i) for i in range(1, len(areas) + 1)]
    return [a.title for a in areas]
