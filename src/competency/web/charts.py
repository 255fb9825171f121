"""Plotly figures as plain dicts (no plotly import on the server); drawn by static/js/charts.js."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from competency.questionnaire import Questionnaire
from competency.reports.svg import MAX_TITLED_AXES

SELF = "#2563eb"
MANAGER = "#d97706"
TARGET = "#475569"
PALETTE = ["#2563eb", "#16a34a", "#db2777", "#7c3aed", "#0891b2", "#ca8a04", "#dc2626", "#4b5563"]


_TAG = re.compile(r"<[^>]*>?")
#: plotly reads `%{...}` in labels as template fields.
_TEMPLATE = re.compile(r"%\{")


def label(text: str) -> str:
    """User text as a plotly label: plotly renders a subset of HTML in trace names, axis and hover labels
    (`<a href>` becomes a link, `<br>` a line break), so every tag is dropped and `&` `<` `>` escaped."""
    plain = _TEMPLATE.sub("% {", _TAG.sub("", text))
    return plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _closed(values: Sequence[Any]) -> list[Any]:
    return [*values, values[0]] if values else []


def _wrap(title: str, width: int = 16) -> str:
    words, lines, line = label(title).split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "<br>".join(lines[:3])


def radar(
    questionnaire: Questionnaire,
    traces: Sequence[dict[str, Any]],
    *,
    title: str = "",
    areas: Sequence[Any] | None = None,
) -> dict[str, Any]:
    """Traces: {"name", "values" (order of `areas`, None = not scored), "colour", "dash", "fill", "visible"}.

    `areas` defaults to every area of the questionnaire; a profile passes those in play at its level.
    """
    shown = list(areas) if areas is not None else list(questionnaire.areas)
    numbered = len(shown) > MAX_TITLED_AXES
    labels = _closed([f"{i}" if numbered else _wrap(area.title) for i, area in enumerate(shown, 1)])
    titles = _closed([f"{i}. {area.title}" if numbered else area.title for i, area in enumerate(shown, 1)])
    text = [label(t) for t in titles]
    data = []
    for trace in traces:
        values = trace["values"]
        name = label(trace["name"])
        data.append(
            {
                "type": "scatterpolar",
                "name": name,
                "r": _closed([None if v is None else round(v, 2) for v in values]),
                "theta": labels,
                "mode": "lines+markers",
                "connectgaps": False,
                "line": {"color": trace.get("colour", SELF), "dash": trace.get("dash", "solid"), "width": 2},
                "marker": {"size": 5},
                "fill": "toself" if trace.get("fill") else "none",
                "opacity": trace.get("opacity", 1),
                "visible": trace.get("visible", True),
                "text": text,
                "hovertemplate": "%{text}: %{r}<extra>" + name + "</extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "title": {"text": title} if title else None,
            "polar": {
                "radialaxis": {
                    "range": [questionnaire.lo, questionnaire.hi],
                    "tickvals": list(questionnaire.scale_values),
                    "tickfont": {"size": 10, "color": "#6b7280"},
                    # Between the first two spokes, so the scale's numbers never sit on an area title.
                    "angle": 90 - 180 / max(1, len(shown)),
                    "tickangle": 0,
                },
                # Categories, so that numbered spokes ("1", "2", ...) are not read as degrees.
                "angularaxis": {
                    "type": "category",
                    # The spokes' order is fixed here, not taken from whichever trace comes first (a
                    # trace that leaves out hidden areas would reorder every spoke after it).
                    "categoryorder": "array",
                    "categoryarray": labels[:-1],
                    "tickfont": {"size": 12},
                    "direction": "clockwise",
                    "rotation": 90,
                },
            },
            "legend": {"orientation": "h", "y": -0.12},
            "margin": {"l": 110, "r": 110, "t": 50, "b": 50},
            "height": 600,
            "showlegend": True,
        },
    }


def history(
    points: Sequence[tuple[str, float | None]], *, title: str = "Readiness over time"
) -> dict[str, Any]:
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Readiness",
                "x": [label(text) for text, _ in points],
                "y": [None if value is None else round(value, 1) for _, value in points],
                "line": {"color": SELF},
                "hovertemplate": "%{x}: %{y} %<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": title},
            "yaxis": {"range": [0, 100], "title": {"text": "readiness %"}},
            "xaxis": {"type": "category"},
            "height": 280,
            "margin": {"l": 60, "r": 20, "t": 40, "b": 40},
        },
    }


def preview(figure: dict[str, Any], title: str = "Radar chart") -> Markup:
    """A radar figure drawn as plain SVG on the server (the PDF's drawing), shown inside the chart's box
    until plotly.js has loaded and replaces it: the chart is there with the page's first paint."""
    from competency.reports.svg import RadarSeries, radar_svg

    traces = [
        t for t in figure["data"] if t.get("type") == "scatterpolar" and t.get("name") != "Lowest to highest"
    ]
    if not traces:
        return Markup("")
    axes = [re.sub(r"<[^>]*>", " ", str(label)) for label in traces[0]["theta"][:-1]]
    lo, hi = figure["layout"]["polar"]["radialaxis"]["range"]
    series = [
        RadarSeries(
            str(t["name"]),
            list(t["r"][: len(axes)]),
            t["line"]["color"],
            dashed=t["line"].get("dash", "solid") != "solid",
            fill=t.get("fill") == "toself",
        )
        for t in traces
        if t.get("visible", True) is True
    ]
    svg = radar_svg(axes, series, lo, hi, title=title)
    return Markup(f'<div class="chart-preview">{svg}</div>')


def embed(data: Any, element_id: str, kind: str = "figure-data") -> Markup:
    """`data` as a JSON block for static/js; `kind` "figure-data" is drawn as a plotly figure.

    `<`, `>` and `&` are written as JSON escapes: a name holding `<!--<script>` or `</script>` can then
    neither close the element nor switch the HTML parser into another state.
    """
    payload = (
        json.dumps(data, separators=(",", ":"))
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
    )
    return Markup(
        f'<script type="application/json" id="{element_id}-data" class="{kind}" data-target="{element_id}">'
        f"{payload}</script>"
    )
