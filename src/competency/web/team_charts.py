"""Plotly figures of the team dashboard as plain dicts: radar, members x areas heatmap, trend over cycles.

The heatmap's colours are reports/heat.py's, the same as the team PDF's and the table version's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from competency.reports.heat import band_index, gap_bands
from competency.services.cycles import TrendPoint
from competency.services.teams import MemberSummary, TeamSummary
from competency.web import charts

BAND = "rgba(37, 99, 235, 0.14)"
BAND_LINE = "rgba(37, 99, 235, 0.45)"


#: Member traces cycle through these (the mean and the band use SELF's blue).
MEMBER_COLOURS = [c for c in charts.PALETTE if c != charts.SELF]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def team_radar(summary: TeamSummary, level: str, *, band: bool = True) -> dict[str, Any]:
    """Team mean, the min-max band (for those who see individuals: plain members get no order statistics)
    and the target of `level`: always drawn, never hidden by a click.

    Members are added on demand by the picker beside the chart (static/js/team.js, data from
    `member_series`), so a team of a thousand does not send a thousand hidden traces.
    """
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
    figure = charts.radar(q, traces)
    mean = figure["data"][1]
    if band:
        # The band's corners sit on the same spokes as the other traces (numbered when there are many areas).
        spokes = figure["data"][0]["theta"][:-1]
        figure["data"].insert(
            0, _band(spokes, [s.min if s else None for s in stats], [s.max if s else None for s in stats])
        )
    # The mean's fill is the band's colour, a little darker; the band shows through it.
    mean["fillcolor"] = "rgba(37, 99, 235, 0.22)"
    layout = figure["layout"]
    # The scale labels run between the first two areas, clear of the top area's title.
    layout["polar"]["radialaxis"]["angle"] = 90 - 180 / max(len(area_ids), 1)
    # The legend is a key, not a control: the picker chooses members, and nothing hides the team's lines.
    layout["legend"] = {"orientation": "h", "y": -0.08, "itemclick": False, "itemdoubleclick": False}
    layout["margin"] = {"l": 80, "r": 80, "t": 40, "b": 40}
    layout["height"] = 560
    return figure


def member_series(summary: TeamSummary) -> list[dict[str, Any]]:
    """Each submitted member's scores in the radar's area order, with the colour their trace takes
    (the summary's roster: read for the dashboard, one row per member)."""
    return [
        {
            "id": entry.user_id,
            "name": charts.label(entry.name),
            "r": charts._closed([None if score is None else round(score, 2) for score in entry.scores]),
            "colour": MEMBER_COLOURS[index % len(MEMBER_COLOURS)],
        }
        for index, entry in enumerate(summary.roster or [])
    ]


def _band(labels: Sequence[str], lows: list[float | None], highs: list[float | None]) -> dict[str, Any]:
    """The min-max band as one polygon on the radar's spokes `labels`: the highest scores around, back
    along the lowest (a ring)."""
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


def heatmap(summary: TeamSummary, members: Sequence[MemberSummary]) -> dict[str, Any]:
    """Members x areas: the cell text is the member's score, the colour its gap to their own target."""
    q = summary.questionnaire
    area_ids = summary.area_ids
    bands = gap_bands(q.lo, q.hi)
    # Full titles on one line, slanted: wrapped ones collide when there are many areas.
    columns = [charts.label(summary.area_titles[a]) for a in area_ids]
    rows = [
        charts.label(m.name) if m.submitted else f"{charts.label(m.name)} (not submitted)" for m in members
    ]
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
                h_row.append(f"{name}<br>{title}<br>{'not scored' if member.submitted else 'not submitted'}")
                continue
            z_row.append(band_index(rating.gap if rating.gap is not None else 0.0, q.lo, q.hi))
            t_row.append(f"{rating.score:.2f}")
            status = "below target" if (rating.gap or 0) > 0 else "target met"
            h_row.append(
                f"{name}<br>{title}<br>score {rating.score:.2f} · target {rating.target:.2f}"
                f"<br>gap {rating.gap:+.2f} ({status})"
            )
        z.append(z_row)
        text.append(t_row)
        hover.append(h_row)
    # A stepwise scale over the band numbers 0..4: each band one flat colour, as in the PDF.
    scale = [
        point
        for index, band in enumerate(bands)
        for point in ([index / len(bands), band.colour], [(index + 1) / len(bands), band.colour])
    ]
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
                "colorscale": scale,
                "zmin": -0.5,
                "zmax": len(bands) - 0.5,
                "xgap": 2,
                "ygap": 2,
                "hoverongaps": False,
                # The legend under the chart (the same as the PDF's) says what each colour means.
                "showscale": False,
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
    """Mean readiness per cycle, and one line per area's mean score: one shown at a time (a select above
    the chart switches, static/js/team.js), so each reads on its own axis instead of twelve lines on two."""
    labels = [charts.label(p.cycle.name) for p in points]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": "Mean readiness",
            "x": labels,
            "y": [None if p.readiness is None else round(p.readiness, 1) for p in points],
            "line": {"color": "#0f172a", "width": 3},
            "marker": {"size": 8},
            "customdata": [p.submitted for p in points],
            "hovertemplate": "%{x}: %{y} % (%{customdata} submitted)<extra></extra>",
            "connectgaps": True,
        }
    ]
    for area_id in summary.current_area_ids:
        data.append(
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": charts.label(summary.area_titles[area_id]),
                "x": labels,
                "y": [_round(p.area_means.get(area_id)) for p in points],
                "line": {"color": charts.SELF, "width": 3},
                "marker": {"size": 8},
                "hovertemplate": "%{x}: %{y}<extra></extra>",
                "connectgaps": True,
                "visible": False,
            }
        )
    return {
        "data": data,
        "layout": {
            "xaxis": {"type": "category"},
            "yaxis": {"range": [0, 100], "title": {"text": "mean readiness %"}},
            "showlegend": False,
            "height": 320,
            "margin": {"l": 60, "r": 20, "t": 20, "b": 40},
        },
    }


def trend_choices(summary: TeamSummary) -> list[tuple[int, str, str]]:
    """(trace index, label, y axis "lo,hi") for the trend's select, in the order of the traces."""
    q = summary.questionnaire
    scale = f"{q.lo:g},{q.hi:g}"
    return [(0, "Mean readiness", "0,100")] + [
        (index, f"{summary.area_titles[a]}: mean score", scale)
        for index, a in enumerate(summary.current_area_ids, start=1)
    ]
