"""Template contexts for the person and team PDF reports, built from scored domain objects.

Pure functions: no database, no Flask. The numbers come from `competency.scoring`; this module
only rounds them for display (scores 2 decimals, readiness 1 decimal) and draws the charts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from markupsafe import Markup

from competency.questionnaire.schema import Questionnaire
from competency.reports.svg import (
    MAX_TITLED_AXES,
    RadarSeries,
    gap_bins,
    gap_colour,
    history_svg,
    radar_svg,
    text_colour,
)
from competency.scoring import AreaResult, Comparison, Profile, TeamAreaStats, compare, profile_from_results

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
MemberResults = Mapping[str, AreaResult] | Profile | None


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


def _questionnaire(q: Questionnaire) -> Context:
    return {
        "id": q.id,
        "title": q.title,
        "version": q.version,
        "lo": q.lo,
        "hi": q.hi,
        "scale": [{"value": p.value, "label": p.label, "description": p.description} for p in q.scale],
    }


def _level(q: Questionnaire, level_id: str) -> Context:
    # A level without a label shows its id, capitalised as it starts phrases in the reports.
    found = next((lv for lv in q.levels if lv.id == level_id), None)
    label = found.label if found else None
    name = label or level_id[:1].upper() + level_id[1:]
    track = q.track_name(found.track) if found and found.track else None
    return {"id": level_id, "name": name, "description": found.description if found else None, "track": track}


# -- person ---------------------------------------------------------------------------------


def person_context(
    questionnaire: Questionnaire,
    profile: Profile,
    *,
    person_name: str,
    person_email: str,
    submitted_at: datetime | None,
    manager_profile: Profile | None = None,
    comparison: Sequence[Comparison] | None = None,
    history: Sequence[tuple[datetime, float | None]] = (),
    notes: Mapping[str, str] | None = None,
    manager_notes: Mapping[str, str] | None = None,
    generated_at: datetime,
    author: str = "competency",
    step_status: Mapping[str, tuple[str, datetime | None]] | None = None,
    as_of: str | None = None,
) -> Context:
    """Everything templates/reports/person.html shows; the shape is documented at its top.

    `as_of` names what an earlier-dated report shows (a cycle): its header and title block say so."""
    q = questionnaire
    titles = {area.id: area.title for area in q.areas}
    shown = q.areas_in_play(profile.level)

    def area_row(area_id: str) -> Context:
        result = profile.areas[area_id]
        area = q.area(area_id)
        below = result.gap is not None and fmt_score(result.gap) != "0.00" and result.gap > 0
        return {
            "id": area_id,
            "title": area.title,
            "weight": f"{area.weight:g}",
            "score": fmt_score(result.score),
            "target": fmt_score(result.target),
            "gap": fmt_score(result.gap),
            "met": result.met,
            "attainment": None if result.attainment is None else f"{100 * result.attainment:.0f}",
            "group": q.group_name(area.group) if area.group else None,
            # What the target level looks like here, for an area below target.
            "expectation": q.expectation(area, profile.level) if below else None,
        }

    series = [
        RadarSeries("Self-assessment", [profile.areas[a.id].score for a in shown], SELF_COLOUR, fill=True)
    ]
    if manager_profile is not None:
        manager_scores = [
            manager_profile.areas[a.id].score if a.id in manager_profile.areas else None for a in shown
        ]
        series.append(RadarSeries("Manager assessment", manager_scores, MANAGER_COLOUR))
    level = _level(q, profile.level)
    series.append(
        RadarSeries(
            f"Target ({level['name']})",
            [profile.areas[a.id].target for a in shown],
            TARGET_COLOUR,
            dashed=True,
        )
    )
    if comparison is None and manager_profile is not None:
        comparison = compare(
            q,
            {a: r.score for a, r in profile.areas.items()},
            {a: r.score for a, r in manager_profile.areas.items()},
            profile.level,
        )
    title = f"Development report: {person_name} – {q.title}"
    return {
        "lang": "en",
        "title": title,
        "author": author,
        "header_left": person_name,
        "header_right": f"{q.title} (version {q.version})",
        "person": {"name": person_name, "email": person_email},
        "questionnaire": _questionnaire(q),
        "level": level,
        "submitted_at": fmt_date(submitted_at),
        "generated_at": fmt_date(generated_at),
        "as_of": f"as of {as_of} (submitted {fmt_date(submitted_at)})" if as_of else None,
        "readiness": fmt_readiness(profile.readiness),
        "strengths": [area_row(a) for a in profile.strengths],
        "top_gaps": [area_row(a) for a in profile.top_gaps],
        "radar_svg": Markup(radar_svg(_axis_labels(shown), series, q.lo, q.hi, title="Skill radar")),
        "areas": [{**area_row(a.id), "number": i} for i, a in enumerate(shown, 1)],
        "numbered": len(shown) > MAX_TITLED_AXES,
        "source": q.source.model_dump() if q.source else None,
        "plan": _plan(q, profile, step_status or {}),
        "plan_count": len(profile.plan),
        **_history(history),
        "comparison": _comparison(titles, comparison),
        "notes": _notes(q, notes or {}, manager_notes or {}),
    }


def _axis_labels(areas: Sequence[Any]) -> list[str]:
    """Area titles round the radar, or the numbers of the area table when there are too many."""
    if len(areas) > MAX_TITLED_AXES:
        return [str(i) for i in range(1, len(areas) + 1)]
    return [a.title for a in areas]


def _plan(
    q: Questionnaire, profile: Profile, step_status: Mapping[str, tuple[str, datetime | None]]
) -> list[Context]:
    """Plan entries grouped by phase, keeping the scoring order inside each phase, each with the
    person's progress on it (status, and the date it was done)."""
    phases: dict[str, Context] = {}
    for entry in profile.plan:
        key = entry.phase_id or ""
        if key not in phases:
            phase = next((p for p in q.phases if p.id == entry.phase_id), None)
            phases[key] = {"id": key, "name": phase.name if phase else "Steps", "steps": []}
        step = entry.step
        status, done_at = step_status.get(step.id, ("not started", None))
        phases[key]["steps"].append(
            {
                "id": step.id,
                "title": step.title,
                "detail": step.detail,
                "area": q.area(entry.area_id).title,
                "gap": fmt_score(entry.gap),
                "resources": [{"title": r.title, "url": r.url, "kind": r.kind} for r in step.resources],
                "status": status,
                "done_at": fmt_date(done_at),
            }
        )
    order = {p.id: i for i, p in enumerate(q.phases)}
    return sorted(phases.values(), key=lambda p: order.get(p["id"], 0))


def _history(history: Sequence[tuple[datetime, float | None]]) -> Context:
    rows = []
    previous: float | None = None
    for at, readiness in sorted(history, key=lambda pair: pair[0]):
        change = None
        if readiness is not None and previous is not None:
            change = fmt_readiness(readiness - previous)
            if change is not None and not change.startswith("-") and change != "0.0":
                change = "+" + change
        rows.append({"date": fmt_date(at), "readiness": fmt_readiness(readiness), "change": change})
        previous = readiness if readiness is not None else previous
    chart = None
    if len(history) >= 2:
        points = [(fmt_short_date(at), r) for at, r in sorted(history, key=lambda pair: pair[0])]
        chart = Markup(history_svg(points))
    return {"history": rows, "history_svg": chart}


def _comparison(titles: Mapping[str, str], comparison: Sequence[Comparison] | None) -> Context | None:
    if comparison is None:
        return None
    rows = [
        {
            "area": titles.get(c.area_id, c.area_id),
            "self": fmt_score(c.self_score),
            "manager": fmt_score(c.manager_score),
            "delta": fmt_signed(c.delta),
            "blind_spot": c.blind_spot,
        }
        for c in comparison
    ]
    return {"rows": rows, "blind_spots": sum(1 for c in comparison if c.blind_spot)}


def _notes(q: Questionnaire, notes: Mapping[str, str], manager_notes: Mapping[str, str]) -> list[Context]:
    known = [a.id for a in q.areas]
    ids = known + [a for a in [*notes, *manager_notes] if a not in known]
    out = []
    for area_id in dict.fromkeys(ids):
        own, manager = (notes.get(area_id) or "").strip(), (manager_notes.get(area_id) or "").strip()
        if own or manager:
            title = q.area(area_id).title if area_id in known else area_id
            out.append({"area": title, "self": own or None, "manager": manager or None})
    return out


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
) -> Context:
    """Everything templates/reports/team.html shows; the shape is documented at its top.

    `members` are (name, target level, results) with results None when nothing is submitted.
    The radar's target is `level`, by default the level most members were assessed against.
    """
    q = questionnaire
    profiles = [(name, lv, _as_profile(q, lv, results)) for name, lv, results in members]
    if level is None:
        counts = Counter(lv for _, lv, p in profiles if p is not None and lv in q.level_ids)
        level = max(q.level_ids, key=lambda lv: (counts[lv], -q.level_ids.index(lv)))
    lvl = _level(q, level)

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
        "questionnaire": _questionnaire(q),
        "level": lvl,
        "generated_at": fmt_date(generated_at),
        "member_count": len(members),
        "submitted_count": sum(1 for _, _, p in profiles if p is not None),
        "radar_svg": Markup(radar_svg(_axis_labels(q.areas), series, q.lo, q.hi, title="Team radar")),
        "areas": areas,
        "heatmap": [_heat_row(q, name, lv, p) for name, lv, p in profiles],
        "heat_legend": legend,
        "coverage": coverage,
        "risks": {
            "none": sum(1 for row in coverage if row["flag"] == "none"),
            "single": sum(1 for row in coverage if row["flag"] == "single"),
        },
        "expert_threshold": f"{q.expert_level:g}",
        "members": [_member_row(q, name, lv, p) for name, lv, p in profiles],
    }


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
        if profile is not None and level in q.level_ids and not q.area_in_play(area, level):
            text = "n/p"  # not in play at this member's level (legend explains)
        cells.append({"text": text or "–", "bg": bg, "fg": text_colour(bg)})
    return {
        "name": name,
        "level": _level(q, level)["name"] if level else None,
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
        return {"name": name, "level": None, "readiness": None, "top_gaps": [], "submitted": False}
    titles = {a.id: a.title for a in q.areas}
    return {
        "name": name,
        "level": _level(q, profile.level)["name"],
        "readiness": fmt_readiness(profile.readiness),
        "top_gaps": [{"title": titles[a], "gap": fmt_score(profile.areas[a].gap)} for a in profile.top_gaps],
        "submitted": True,
    }
