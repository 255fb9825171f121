"""The person PDF report's template context, built from a scored profile.

Pure functions: no database, no Flask. The numbers come from `competency.scoring`; this module only
rounds them for display (scores 2 decimals, readiness 1 decimal) and draws the charts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from markupsafe import Markup

from competency.questionnaire.schema import Questionnaire
from competency.reports.formatting import (
    MANAGER_COLOUR,
    SELF_COLOUR,
    TARGET_COLOUR,
    Context,
    axis_labels,
    fmt_date,
    fmt_readiness,
    fmt_score,
    fmt_short_date,
    fmt_signed,
    level_info,
    questionnaire_info,
)
from competency.reports.ladder import ladder_grid
from competency.reports.svg import MAX_TITLED_AXES, RadarSeries, history_svg, radar_svg
from competency.scoring import (
    Comparison,
    PlanEntry,
    Profile,
    compare,
    every_scored_area_met,
    readiness_explained,
)

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
    shown = [q.area(area_id) for area_id in profile.areas]

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
    level = level_info(q, profile.level)
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
        "questionnaire": questionnaire_info(q),
        "level": level,
        "submitted_at": fmt_date(submitted_at),
        "generated_at": fmt_date(generated_at),
        "as_of": f"as of {as_of} (submitted {fmt_date(submitted_at)})" if as_of else None,
        "readiness": fmt_readiness(profile.readiness),
        "readiness_words": readiness_explained(q, profile),
        "specialism": q.specialism_name(profile.specialism),
        "all_met": every_scored_area_met(profile),
        "strengths": [area_row(a) for a in profile.strengths],
        "top_gaps": [area_row(a) for a in profile.top_gaps],
        "ladder": _ladder(q, profile, manager_profile),
        "radar_svg": Markup(radar_svg(axis_labels(shown), series, q.lo, q.hi, title="Skill radar")),
        "areas": [{**area_row(a.id), "number": i} for i, a in enumerate(shown, 1)],
        "numbered": len(shown) > MAX_TITLED_AXES,
        "source": q.source.model_dump() if q.source else None,
        "focus": _steps(q, profile.focus, step_status or {}),
        "focus_areas": [titles[a] for a in profile.focus_areas],
        "plan": _plan(q, [e for e in profile.plan if e not in profile.focus], step_status or {}),
        "plan_count": len(profile.plan),
        **_history(history),
        "comparison": _comparison(titles, comparison),
        "notes": _notes(q, notes or {}, manager_notes or {}),
    }


def _steps(
    q: Questionnaire, entries: Sequence[PlanEntry], step_status: Mapping[str, tuple[str, datetime | None]]
) -> list[Context]:
    """Plan entries as the report shows them, each with the person's progress on it (status, and the
    date it was done)."""
    out = []
    for entry in entries:
        step = entry.step
        status, done_at = step_status.get(step.id, ("not started", None))
        phase = next((p for p in q.phases if p.id == entry.phase_id), None)
        out.append(
            {
                "id": step.id,
                "title": step.title,
                "detail": step.detail,
                "area": q.area(entry.area_id).title,
                "phase": phase.name if phase else None,
                "gap": fmt_score(entry.gap),
                "resources": [{"title": r.title, "url": r.url, "kind": r.kind} for r in step.resources],
                "status": status,
                "done_at": fmt_date(done_at),
            }
        )
    return out


def _plan(
    q: Questionnaire, entries: Sequence[PlanEntry], step_status: Mapping[str, tuple[str, datetime | None]]
) -> list[Context]:
    """Plan entries grouped by phase, keeping the scoring order inside each phase."""
    phases: dict[str, Context] = {}
    for entry, step in zip(entries, _steps(q, entries, step_status), strict=True):
        key = entry.phase_id or ""
        if key not in phases:
            phases[key] = {"id": key, "name": step["phase"] or "Steps", "steps": []}
        phases[key]["steps"].append(step)
    order = {p.id: i for i, p in enumerate(q.phases)}
    return sorted(phases.values(), key=lambda p: order.get(p["id"], 0))


def _ladder(q: Questionnaire, profile: Profile, manager: Profile | None) -> Context:
    """The ladder grid as the report prints it (reports.ladder builds it for the page too)."""
    same_level = manager if manager is not None and manager.level == profile.level else None
    grid = ladder_grid(q, profile, same_level)
    return {
        "levels": [{"id": lv.id, "name": lv.name, "target": lv.id == grid.target} for lv in grid.levels],
        "with_manager": grid.with_manager,
        "rows": [
            {
                "title": row.title,
                "cells": [
                    {"self": c.self_met, "manager": c.manager_met, "target": c.level == grid.target}
                    for c in row.cells
                ],
                "reached": grid.reached_name(row.reached) if row.scored else None,
                "manager_reached": grid.reached_name(row.manager_reached) if grid.with_manager else None,
            }
            for row in grid.rows
        ],
    }


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
