"""Plotly figures of the team dashboard as plain dicts: radar, members x areas heatmap, trend over cycles."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from competency.questionnaire import Questionnaire
from competency.services.cycles import TrendPoint
from competency.services.teams import TeamSummary
from competency.web import charts

BAND = "rgba(37, 99, 235, 0.14)"
BAND_LINE = "rgba(37, 99, 235, 0.45)"
#: Diverging scale for gap = target - score: blue above target, white on it, red below it.
#: The heatmap's four gap bands, far above target to far below it, with the colours the table version
#: uses (static/css/app.css .heat-*): chart and table always agree on a cell's colour.
GAP_BANDS = [
    ("heat-above2", "#1d4ed8", "above target by {step:g}+"),
    ("heat-above", "#bfdbfe", "target met"),
    ("heat-below", "#fecaca", "below by less than {step:g}"),
    ("heat-below2", "#b91c1c", "below by {step:g}+"),
]
#: Stepwise colour scale over the band numbers 0..3.
GAP_SCALE = [
    point
    for index, (_, colour, _) in enumerate(GAP_BANDS)
    for point in ([index / len(GAP_BANDS), colour], [(index + 1) / len(GAP_BANDS), colour])
]


def gap_band(gap: float, lo: float, hi: float) -> int:
    """0..3: far above target, met, a little below, far below (a step is a quarter of the scale)."""
    step = (hi - lo) / 4 or 1.0
    if gap <= -step:
        return 0
    if gap <= 0:
        return 1
    if gap < step:
        return 2
    return 3


#: Member traces cycle through these (the mean and the band use SELF's blue).
MEMBER_COLOURS = [c for c in charts.PALETTE if c != charts.SELF]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def team_radar(summary: TeamSummary, level: str, *, individuals: bool) -> dict[str, Any]:
    """Team mean, the min-max band, the target of `level`, and (individuals) one hidden trace per member."""
    q = summary.questionnaire
    area_ids = summary.current_area_ids
    stats = [summary.stats.get(a) for a in area_ids]
    level_name = next((lv.name for lv in q.levels if lv.id == level), level)
    traces: list[dict[str, Any]] = [
        {
            "name": f"Target ({level_name})",
            "values": [
                q.target_for(q.area(a), level) if q.area_in_play(q.area(a), level) else None for a in area_ids
            ],
            "colour": charts.TARGET,
            "dash": "dash",
        },
        {
            "name": "Team mean",
            "values": [s.mean if s else None for s in stats],
            "colour": charts.SELF,
            "fill": True,
        },
    ]
    if individuals:
        for index, member in enumerate(summary.submitted):
            traces.append(
                {
                    "name": charts.label(member.name),
                    "values": [member.score(a) for a in area_ids],
                    "colour": MEMBER_COLOURS[index % len(MEMBER_COLOURS)],
                    "dash": "dot",
                    "visible": "legendonly",
                }
            )
    figure = charts.radar(q, traces)
    figure["data"].insert(
        0, _band(q, [s.min if s else None for s in stats], [s.max if s else None for s in stats])
    )
    # The mean's fill is the band's colour, a little darker; the band shows through it.
    figure["data"][2]["fillcolor"] = "rgba(37, 99, 235, 0.22)"
    layout = figure["layout"]
    # The scale labels run between the first two areas, clear of the top area's title.
    layout["polar"]["radialaxis"]["angle"] = 90 - 180 / max(len(area_ids), 1)
    layout["legend"] = {
        "orientation": "v",
        "x": 1.05,
        "y": 1,
        "title": {"text": "Click to show or hide" if individuals else ""},
        "itemclick": "toggle",
        "itemdoubleclick": "toggleothers",
    }
    layout["margin"] = {"l": 80, "r": 40, "t": 40, "b": 40}
    layout["height"] = 560
    return figure


def _band(q: Questionnaire, lows: list[float | None], highs: list[float | None]) -> dict[str, Any]:
    """The min-max band as one polygon: the highest scores around, back along the lowest (a ring)."""
    labels = [charts._wrap(area.title) for area in q.areas]
    keep = [
        i for i, (lo, hi) in enumerate(zip(lows, highs, strict=True)) if lo is not None and hi is not None
    ]
    if not keep:
        theta: list[str] = []
        r: list[float | None] = []
    else:
        outer = [*keep, keep[0]]
        inner = list(reversed(outer))
        theta = [labels[i] for i in outer] + [labels[i] for i in inner]
        r = [_round(highs[i]) for i in outer] + [_round(lows[i]) for i in inner]
    return {
        "type": "scatterpolar",
        "name": "Lowest to highest",
        "r": r,
        "theta": theta,
        "mode": "lines",
        "fill": "toself",
        "fillcolor": BAND,
        "line": {"color": BAND_LINE, "width": 1},
        "hoverinfo": "skip",
    }


def heatmap(summary: TeamSummary) -> dict[str, Any]:
    """Members x areas: the cell text is the member's score, the colour its gap to their own target."""
    q = summary.questionnaire
    area_ids = summary.area_ids
    # Full titles on one line, slanted: wrapped ones collide when there are many areas.
    columns = [charts.label(summary.area_titles[a]) for a in area_ids]
    members = summary.members
    rows = [charts.label(m.name) if m.submitted else f"{charts.label(m.name)} (not submitted)" for m in members]
    z: list[list[float | None]] = []
    text: list[list[str]] = []
    hover: list[list[str]] = []
    for member in members:
        z_row: list[float | None] = []
        t_row: list[str] = []
        h_row: list[str] = []
        for area_id in area_ids:
            rating = member.areas.get(area_id)
            title = charts.label(summary.area_titles[area_id])
            name = charts.label(member.name)
            if member.submitted and not member.in_play(area_id):
                z_row.append(None)
                t_row.append("·")
                h_row.append(f"{name}<br>{title}<br>not in play at their level ({member.level})")
                continue
            if rating is None or rating.score is None:
                z_row.append(None)
                t_row.append("" if not member.submitted else "–")
                h_row.append(
                    f"{name}<br>{title}<br>{'not scored' if member.submitted else 'not submitted'}"
                )
                continue
            z_row.append(gap_band(rating.gap if rating.gap is not None else 0.0, q.lo, q.hi))
            t_row.append(f"{rating.score:.2f}")
            status = "below target" if (rating.gap or 0) > 0 else "target met"
            h_row.append(
                f"{name}<br>{title}<br>score {rating.score:.2f} · target {rating.target:.2f}"
                f"<br>gap {rating.gap:+.2f} ({status})"
            )
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    step = (q.hi - q.lo) / 4 or 1.0
    return {
        "data": [
            {
                "type": "heatmap",
                "z": z,
                "x": columns,
                "y": rows,
                "text": text,
                "texttemplate": "%{text}",
                "textfont": {"size": 12},
                "customdata": hover,
                "hovertemplate": "%{customdata}<extra></extra>",
                "colorscale": GAP_SCALE,
                "zmin": -0.5,
                "zmax": len(GAP_BANDS) - 0.5,
                "xgap": 2,
                "ygap": 2,
                "hoverongaps": False,
                "colorbar": {
                    "title": {"text": "Gap to target", "side": "top", "font": {"size": 12}},
                    "tickvals": list(range(len(GAP_BANDS))),
                    "ticktext": [label.format(step=step) for _, _, label in GAP_BANDS],
                    "tickfont": {"size": 11},
                    "thickness": 14,
                    "len": min(1.0, 260 / (34 * max(len(rows), 1))),
                    "lenmode": "fraction",
                    "y": 1,
                    "yanchor": "top",
                },
            }
        ],
        "layout": {
            "xaxis": {
                "side": "top",
                "tickfont": {"size": 11},
                "tickangle": -35,
                "fixedrange": True,
                "automargin": True,
            },
            "yaxis": {
                "autorange": "reversed",
                "tickfont": {"size": 12},
                "fixedrange": True,
                "automargin": True,
            },
            "height": 190 + 34 * max(len(rows), 1),
            "margin": {"l": 10, "r": 10, "t": 20, "b": 10},
            "plot_bgcolor": "#e5e7eb",
        },
    }


def trend(summary: TeamSummary, points: Sequence[TrendPoint]) -> dict[str, Any]:
    """Mean score per area across cycles (one line per area), plus mean readiness on a second axis."""
    q = summary.questionnaire
    labels = [charts.label(p.cycle.name) for p in points]
    data: list[dict[str, Any]] = []
    for index, area_id in enumerate(summary.current_area_ids):
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": charts.label(summary.area_titles[area_id]),
                "x": labels,
                "y": [_round(p.area_means.get(area_id)) for p in points],
                "line": {
                    "color": charts.PALETTE[index % len(charts.PALETTE)],
                    "width": 1.5,
                    "dash": ["solid", "dot", "dash"][index // len(charts.PALETTE) % 3],
                },
                "hovertemplate": "%{x}: %{y}<extra>" + charts.label(summary.area_titles[area_id]) + "</extra>",
                "connectgaps": True,
            }
        )
    data.append(
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Readiness (right axis)",
            "x": labels,
            "y": [None if p.readiness is None else round(p.readiness, 1) for p in points],
            "yaxis": "y2",
            "line": {"color": "#0f172a", "width": 3},
            "marker": {"size": 8},
            "customdata": [p.submitted for p in points],
            "hovertemplate": "%{x}: %{y} % (%{customdata} submitted)<extra>Readiness</extra>",
            "connectgaps": True,
        }
    )
    return {
        "data": data,
        "layout": {
            "xaxis": {"type": "category"},
            "yaxis": {
                "range": [q.lo, q.hi],
                "title": {"text": "mean score"},
                "tickvals": list(q.scale_values),
            },
            "yaxis2": {
                "range": [0, 100],
                "overlaying": "y",
                "side": "right",
                "title": {"text": "readiness %"},
                "showgrid": False,
            },
            "legend": {"orientation": "h", "y": -0.2},
            "height": 420,
            "margin": {"l": 60, "r": 60, "t": 20, "b": 40},
        },
    }
