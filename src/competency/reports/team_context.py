"""The team PDF report's template context: radar, heatmap, coverage and members, from scored results.

Pure functions: no database, no Flask; rounding for display only (see reports.formatting).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime

from markupsafe import Markup

from competency.questionnaire.schema import Questionnaire
from competency.reports.formatting import (
    RANGE_COLOUR,
    SELF_COLOUR,
    TARGET_COLOUR,
    Context,
    axis_labels,
    fmt_date,
    fmt_readiness,
    fmt_score,
    level_info,
    questionnaire_info,
)
from competency.reports.svg import RadarSeries, gap_bins, gap_colour, radar_svg, text_colour
from competency.scoring import AreaResult, Profile, TeamAreaStats, profile_from_results

MemberResults = Mapping[str, AreaResult] | Profile | None


# -- team -----------------------------------------------------------------------------------


def team_context(
    questionnaire: Questionnaire,
    *,
    team_name: str,
    members: Sequence[tuple[str, str | None, MemberResults]],
    stats: Mapping[str, TeamAreaStats],
    generated_at: datetime,
    level: str | None = None,
    author: str = "competency",
    notes: Sequence[str | None] | None = None,
    reached: Mapping[str, Mapping[str | None, int]] | None = None,
) -> Context:
    """Everything templates/reports/team.html shows; the shape is documented at its top.

    `members` are (name, target level, results) with results None when nothing is submitted, and
    `notes` (same order) says why a member has none when it is not simply "not submitted" (e.g. "takes
    another framework"). The radar's target is `level`, by default the level most members were assessed
    against. `reached`: per area, members by the level reached there (the team's ladder).
    """
    q = questionnaire
    profiles = [(name, lv, _as_profile(q, lv, results)) for name, lv, results in members]
    if level is None:
        counts = Counter(lv for _, lv, p in profiles if p is not None and lv in q.level_ids)
        level = max(q.level_ids, key=lambda lv: (counts[lv], -q.level_ids.index(lv)))
    lvl = level_info(q, level)

    def stat(area_id: str, attr: str) -> float | None:
        s = stats.get(area_id)
        return None if s is None else getattr(s, attr)

    series = [
        RadarSeries("Team mean", [stat(a.id, "mean") for a in q.areas], SELF_COLOUR, fill=True),
        # Lowest and highest share a colour: in print they differ by pattern and weight.
        RadarSeries(
            "Lowest", [stat(a.id, "min") for a in q.areas], RANGE_COLOUR, dashed=True, dash="1.5 2.5"
        ),
        RadarSeries(
            "Highest", [stat(a.id, "max") for a in q.areas], RANGE_COLOUR, dashed=True, dash="8 3", width=2.4
        ),
        RadarSeries(
            f"Target ({lvl['name']})",
            [q.target_for(a, level) if q.area_in_play(a, level) else None for a in q.areas],
            TARGET_COLOUR,
            dashed=True,
        ),
    ]
    areas = [{"number": i + 1, "id": a.id, "title": a.title} for i, a in enumerate(q.areas)]
    legend = [{"label": text, "bg": bg, "fg": text_colour(bg)} for _, bg, text in gap_bins(q.lo, q.hi)]
    coverage = [_coverage_row(a, stats.get(a["id"])) for a in areas]
    legend.append(
        {"label": "No score", "bg": gap_colour(None, q.lo, q.hi), "fg": text_colour(gap_colour(None, 0, 1))}
    )
    return {
        "lang": "en",
        "title": f"Team report: {team_name} – {q.title}",
        "author": author,
        "header_left": team_name,
        "header_right": f"{q.title} (version {q.version})",
        "team": {"name": team_name},
        "questionnaire": questionnaire_info(q),
        "level": lvl,
        "generated_at": fmt_date(generated_at),
        "member_count": len(members),
        "submitted_count": sum(1 for _, _, p in profiles if p is not None),
        "radar_svg": Markup(radar_svg(axis_labels(q.areas), series, q.lo, q.hi, title="Team radar")),
        "areas": areas,
        "heatmap": [
            {**_heat_row(q, name, lv, p), "note": note}
            for (name, lv, p), note in zip(profiles, notes or [None] * len(profiles), strict=True)
        ],
        "heat_legend": legend,
        "coverage": coverage,
        "risks": {
            "none": sum(1 for row in coverage if row["flag"] == "none"),
            "single": sum(1 for row in coverage if row["flag"] == "single"),
        },
        "expert_threshold": f"{q.expert_level:g}",
        "members": [
            {**_member_row(q, name, lv, p), "note": note}
            for (name, lv, p), note in zip(profiles, notes or [None] * len(profiles), strict=True)
        ],
        **_reached(q, areas, reached or {}),
    }


def _reached(
    q: Questionnaire, areas: Sequence[Context], reached: Mapping[str, Mapping[str | None, int]]
) -> Context:
    """Members by level reached per area: the levels that occur, in ladder order, then "not the first"."""
    levels = [lv for lv in q.levels if any(lv.id in counts for counts in reached.values())]
    rows = [
        {
            **area,
            "counts": [reached[area["id"]].get(lv.id, 0) for lv in levels],
            "none": reached[area["id"]].get(None, 0),
        }
        for area in areas
        if area["id"] in reached
    ]
    return {"reached_levels": [lv.name for lv in levels], "reached": rows}


def _as_profile(q: Questionnaire, level: str | None, results: MemberResults) -> Profile | None:
    if results is None or isinstance(results, Profile):
        return results
    return profile_from_results(q, level or q.level_ids[0], results)


def _heat_row(q: Questionnaire, name: str, level: str | None, profile: Profile | None) -> Context:
    cells = []
    for area in q.areas:
        result = profile.areas.get(area.id) if profile else None
        bg = gap_colour(result.gap if result else None, q.lo, q.hi)
        text = fmt_score(result.score) if result else None
        if (
            profile is not None
            and level in q.level_ids
            and not q.area_in_play(area, level, profile.specialism)
        ):
            text = "n/p"  # not in play at this member's level (legend explains)
        cells.append({"text": text or "–", "bg": bg, "fg": text_colour(bg)})
    return {
        "name": name,
        "level": level_info(q, level)["name"] if level else None,
        "submitted": profile is not None,
        "cells": cells,
    }


def _coverage_row(area: Context, s: TeamAreaStats | None) -> Context:
    flag = None
    if s is not None and s.n:
        flag = "single" if s.single_point_of_expertise else "none" if s.no_expertise else None
    return {
        **area,
        "n": s.n if s else 0,
        "mean": fmt_score(s.mean) if s else None,
        "median": fmt_score(s.median) if s else None,
        "min": fmt_score(s.min) if s else None,
        "max": fmt_score(s.max) if s else None,
        "coverage": s.coverage if s else 0,
        "experts": s.experts if s else 0,
        "flag": flag,
    }


def _member_row(q: Questionnaire, name: str, level: str | None, profile: Profile | None) -> Context:
    if profile is None:
        return {
            "name": name,
            "level": None,
            "specialism": None,
            "readiness": None,
            "readiness_all": None,
            "readiness_new": None,
            "top_gaps": [],
            "submitted": False,
        }
    titles = {a.id: a.title for a in q.areas}
    return {
        "name": name,
        "level": level_info(q, profile.level)["name"],
        "readiness": fmt_readiness(profile.readiness),
        "readiness_all": fmt_readiness(profile.readiness_all),
        "readiness_new": fmt_readiness(profile.readiness_new),
        "specialism": q.specialism_name(profile.specialism),
        "top_gaps": [{"title": titles[a], "gap": fmt_score(profile.areas[a].gap)} for a in profile.top_gaps],
        "submitted": True,
    }
