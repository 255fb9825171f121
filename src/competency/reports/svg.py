"""Charts for the PDF reports drawn as plain SVG strings (radar, readiness history, heatmap colours).

Only SVG presentation attributes WeasyPrint understands are used (no CSS classes, no style
attributes), every piece of text is escaped, and nothing here imports WeasyPrint.
"""

from __future__ import annotations

import math
import textwrap
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

# The heatmap colours live in reports/heat.py (shared with the web dashboard); re-exported here.
from competency.reports.heat import NO_SCORE as NO_SCORE
from competency.reports.heat import gap_bands
from competency.reports.heat import gap_colour as gap_colour
from competency.reports.heat import text_colour as text_colour

#: Beyond this many axes the titles cannot sit round a radar without colliding: spokes are numbered (the
#: numbers of the area table beside it). The web radar, the PDF radar and the profile table share it.
MAX_TITLED_AXES = 12

FONT = "DejaVu Sans, sans-serif"
#: Advance widths of DejaVu Sans for ASCII 32..126, in thousandths of an em (the font's hmtx).
# fmt: off
_ASCII_WIDTHS = (
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337,
    636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531,
    1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787,
    603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,
    500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,
    635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838,
)
# fmt: on
LINE_HEIGHT = 1.25
LABEL_CHARS = 18
LABEL_LINES = 3
INK = "#1f2933"
GRID = "#c9d1d9"
MUTED = "#6b7785"


def text_width(text: str, font_size: float) -> float:
    """Printed width of `text` in DejaVu Sans, a little generous so that boxes never undershoot."""
    total = 0
    for char in text:
        code = ord(char)
        if not 32 <= code < 127:  # accented letters as their base letter; others wide
            base = ord(unicodedata.normalize("NFD", char)[0])
            if 32 <= base < 127:
                code = base
            else:
                total += 1000 if unicodedata.east_asian_width(char) in "WF" else 850
                continue
        total += _ASCII_WIDTHS[code - 32]
    return total * font_size / 1000 * 1.03


@dataclass(frozen=True)
class RadarSeries:
    """One polygon on the radar; a None value is an area without a score (see radar_svg)."""

    name: str
    values: Sequence[float | None]
    colour: str
    dashed: bool = False
    fill: bool = False
    #: The dash pattern when dashed; lines of one colour (a team's lowest and highest) differ by pattern and weight.
    dash: str = "5 3"
    width: float = 1.8


@dataclass
class Label:
    """An axis label: wrapped lines whose block starts at `top`, anchored horizontally at `x`."""

    lines: list[str]
    x: float
    top: float
    anchor: str  # start | middle | end
    font_size: float

    @property
    def width(self) -> float:
        return max((text_width(line, self.font_size) for line in self.lines), default=0.0)

    @property
    def height(self) -> float:
        return len(self.lines) * self.font_size * LINE_HEIGHT

    @property
    def box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the printed text."""
        offset = {"start": 0.0, "middle": self.width / 2, "end": self.width}[self.anchor]
        x0 = self.x - offset
        return (x0, self.top, x0 + self.width, self.top + self.height)

    def svg(self) -> str:
        step = self.font_size * LINE_HEIGHT
        baseline = self.top + self.font_size * 0.95
        return "".join(
            _text(self.x, baseline + i * step, line, size=self.font_size, anchor=self.anchor)
            for i, line in enumerate(self.lines)
        )


def wrap_label(text: str, width: int = LABEL_CHARS, max_lines: int = LABEL_LINES) -> list[str]:
    """Wrap into at most `max_lines` lines of about `width` characters, ending in "…" when cut."""
    lines = textwrap.wrap(" ".join(text.split()), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], (last[: width - 1].rstrip() or last[:1]) + "…"]
    return lines


def boxes_overlap(a: Sequence[float], b: Sequence[float], gap: float = 0.0) -> bool:
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


def box_hits_circle(box: Sequence[float], cx: float, cy: float, r: float) -> bool:
    nearest_x = min(max(cx, box[0]), box[2])
    nearest_y = min(max(cy, box[1]), box[3])
    return math.hypot(nearest_x - cx, nearest_y - cy) < r


def axis_angle(index: int, count: int) -> float:
    """The first axis points up; the others follow clockwise (SVG y grows downwards)."""
    return -math.pi / 2 + 2 * math.pi * index / max(count, 1)


def layout_labels(
    axes: Sequence[str], cx: float, cy: float, radius: float, *, font_size: float = 9.0, pad: float = 8.0
) -> list[Label]:
    """Place each axis title outside the rings so that no two labels and no label and chart overlap.

    Labels start just beyond their axis end, anchored by the axis direction (right side: start,
    left side: end, top and bottom: middle) and stacked away from the centre vertically. Labels
    that collide are pushed apart vertically; a label pushed into the chart moves outwards.
    """
    labels = []
    for index, title in enumerate(axes):
        angle = axis_angle(index, len(axes))
        cos, sin = math.cos(angle), math.sin(angle)
        anchor = "middle" if abs(cos) < 0.26 else ("start" if cos > 0 else "end")
        label = Label(wrap_label(title), cx + (radius + pad) * cos, 0.0, anchor, font_size)
        # Top labels sit above their anchor point, bottom ones below, side ones centred on it.
        label.top = cy + (radius + pad) * sin - label.height * (1 - sin) / 2
        labels.append(label)
    _separate(labels, cx, cy, radius + pad / 2, gap=font_size * 0.3)
    return labels


def _separate(labels: list[Label], cx: float, cy: float, keep_out: float, gap: float) -> None:
    for _ in range(500):
        moved = False
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                if boxes_overlap(a.box, b.box, gap):
                    upper, lower = (a, b) if a.top + a.height / 2 <= b.top + b.height / 2 else (b, a)
                    shift = (upper.box[3] + gap - lower.box[1]) / 2 + 0.05
                    upper.top -= shift
                    lower.top += shift
                    moved = True
        for label in labels:
            while box_hits_circle(label.box, cx, cy, keep_out):
                if label.anchor == "middle":
                    label.top += -1.0 if label.top + label.height / 2 < cy else 1.0
                else:
                    label.x += 1.0 if label.anchor == "start" else -1.0
                moved = True
        if not moved:
            return


def radar_svg(
    axes: Sequence[str],
    series: Sequence[RadarSeries],
    lo: float,
    hi: float,
    *,
    size: float = 300.0,
    font_size: float = 9.0,
    title: str = "Radar chart",
) -> str:
    """A radar (spider) chart: one axis per area, a ring per integer scale value, a legend.

    `size` is the diameter of the outer ring; the drawing grows around it to fit the labels.
    A None value (area without a score) leaves a gap: the polygon is broken into the runs of
    neighbouring scored points and is not filled, so a missing score never reads as `lo`.
    """
    count = len(axes)
    radius = size / 2
    cx = cy = 0.0
    span = (hi - lo) or 1.0

    def point(index: int, value: float) -> tuple[float, float]:
        r = radius * (min(max(value, lo), hi) - lo) / span
        angle = axis_angle(index, count)
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    parts: list[str] = []
    rings = [v for v in range(math.ceil(lo), math.floor(hi) + 1)]
    for value in rings:
        r = radius * (value - lo) / span
        if r <= 0:
            continue
        if count >= 3:
            ring = [point(i, value) for i in range(count)]
            parts.append(
                f'<polygon points="{_points(ring)}" fill="none" stroke="{GRID}" stroke-width="0.8"/>'
            )
        else:
            parts.append(
                f'<circle cx="{cx}" cy="{cy}" r="{r:.2f}" fill="none" stroke="{GRID}" stroke-width="0.8"/>'
            )
    for index in range(count):
        x, y = point(index, hi)
        parts.append(
            f'<line x1="{cx}" y1="{cy}" x2="{x:.2f}" y2="{y:.2f}" stroke="{GRID}" stroke-width="0.8"/>'
        )
    for value in rings[1:] if rings and rings[0] == lo else rings:
        _, y = point(0, value)  # beside the first axis, just inside its ring
        # As large as the labels: at least 7 pt where the report prints the radar 150 mm wide (reports.css).
        parts.append(_text(cx + 3, y + font_size * 0.9, f"{value:g}", size=font_size, fill=MUTED))
    for entry in series:
        parts.extend(
            _series(entry, [point(i, v) if v is not None else None for i, v in enumerate(entry.values)])
        )

    labels = layout_labels(axes, cx, cy, radius, font_size=font_size)
    parts.extend(label.svg() for label in labels)
    boxes = [label.box for label in labels] + [(cx - radius, cy - radius, cx + radius, cy + radius)]
    x0 = min(b[0] for b in boxes)
    x1 = max(b[2] for b in boxes)
    y0 = min(b[1] for b in boxes)
    legend, legend_height = _legend(
        series, x0, max(b[3] for b in boxes) + font_size * 1.6, x1 - x0, font_size
    )
    parts.append(legend)
    return _svg(parts, x0, y0, x1, max(b[3] for b in boxes) + font_size * 1.6 + legend_height, title)


def _series(entry: RadarSeries, points: list[tuple[float, float] | None]) -> list[str]:
    stroke = f'stroke={quoteattr(entry.colour)} stroke-width="{entry.width:g}" stroke-linejoin="round"'
    if entry.dashed:
        stroke += f" stroke-dasharray={quoteattr(entry.dash)}"
    out = []
    present = [p for p in points if p is not None]
    if len(present) == len(points) and len(points) >= 3:
        fill = f'fill={quoteattr(entry.colour)} fill-opacity="0.14"' if entry.fill else 'fill="none"'
        out.append(f'<polygon points="{_points(present)}" {fill} {stroke}/>')
    else:
        for run in _runs(points):
            if len(run) >= 2:
                out.append(f'<polyline points="{_points(run)}" fill="none" {stroke}/>')
    if not entry.dashed:
        for x, y in present:
            out.append(f'<circle cx="{x:.2f}" cy="{y:.2f}" r="2.2" fill={quoteattr(entry.colour)}/>')
    return out


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Maximal runs of consecutive present points, joined across the end of the axis list."""
    if all(p is not None for p in points):
        return [[p for p in points if p is not None]]
    start = next(i for i, p in enumerate(points) if p is None)
    rotated = points[start:] + points[:start]
    runs: list[list[tuple[float, float]]] = [[]]
    for p in rotated:
        if p is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(p)
    return [run for run in runs if run]


def _legend(
    series: Sequence[RadarSeries], left: float, top: float, width: float, font_size: float
) -> tuple[str, float]:
    """Legend entries in rows under the chart; returns the markup and its height."""
    parts = []
    row_height = font_size * 1.6
    x, y, rows = left, top, 1
    for entry in series:
        entry_width = 26 + text_width(entry.name, font_size) + 16
        if x > left and x + entry_width > left + width:
            x, y, rows = left, y + row_height, rows + 1
        dash = f" stroke-dasharray={quoteattr(entry.dash)}" if entry.dashed else ""
        parts.append(
            f'<line x1="{x:.2f}" y1="{y:.2f}" x2="{x + 20:.2f}" y2="{y:.2f}" '
            f'stroke={quoteattr(entry.colour)} stroke-width="{entry.width + 0.4:g}"{dash}/>'
        )
        parts.append(_text(x + 26, y + font_size * 0.35, entry.name, size=font_size))
        x += entry_width
    return "".join(parts), rows * row_height if series else 0.0


def history_svg(
    points: Sequence[tuple[str, float | None]], *, width: float = 290.0, height: float = 130.0
) -> str:
    """Readiness (0-100) over time, one point per assessment, evenly spaced left to right.

    Drawn in units close to points at the size reports.css prints it (95 mm wide), so 8-unit text is >= 7 pt.
    """
    left, right, top, bottom = 30.0, 16.0, 12.0, 24.0
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = []
    for value in (0, 25, 50, 75, 100):
        y = top + plot_h * (1 - value / 100)
        parts.append(
            f'<line x1="{left}" y1="{y:.2f}" x2="{width - right}" y2="{y:.2f}" stroke="{GRID}" stroke-width="0.6"/>'
        )
        parts.append(_text(left - 5, y + 3, str(value), size=8, anchor="end", fill=MUTED))
    count = len(points)
    inset = 16.0  # keeps the first value label clear of the axis numbers
    step = (plot_w - 2 * inset) / (count - 1) if count > 1 else 0.0
    xs = [left + inset + step * i if count > 1 else left + plot_w / 2 for i in range(count)]
    # Show every k-th date so that the labels (about 10 characters) never run into each other.
    widest = max((text_width(label, 8) for label, _ in points), default=0.0)
    every = max(1, math.ceil((widest + 6) / step)) if step else 1
    coords: list[tuple[float, float] | None] = []
    for i, (label, value) in enumerate(points):
        if i % every == 0 or (i == count - 1 and (count - 1) % every == 0):
            parts.append(_text(xs[i], height - 8, label, size=8, anchor="middle", fill=MUTED))
        if value is None:
            coords.append(None)
            continue
        y = top + plot_h * (1 - min(max(value, 0.0), 100.0) / 100)
        coords.append((xs[i], y))
    for run in _runs(coords) if coords else []:
        if len(run) >= 2:
            parts.append(
                f'<polyline points="{_points(run)}" fill="none" stroke="#1f5fa8" stroke-width="1.8"/>'
            )
    for i, c in enumerate(coords):
        if c is None:
            continue
        parts.append(f'<circle cx="{c[0]:.2f}" cy="{c[1]:.2f}" r="2.6" fill="#1f5fa8"/>')
        if count <= 8:
            parts.append(_text(c[0], c[1] - 5, f"{points[i][1]:.1f}", size=8, anchor="middle"))
    return _svg(parts, 0, 0, width, height, "Readiness over time")


# -- heatmap colours (one scale for web and PDF: reports/heat.py) ------------------------------


def gap_bins(lo: float, hi: float) -> list[tuple[float, str, str]]:
    """(upper bound of gap, background, legend text), from far above target to far below it."""
    return [(band.upper, band.colour, band.label) for band in gap_bands(lo, hi)]


# -- helpers -------------------------------------------------------------------------------


def _points(points: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{x:.2f},{y:.2f}" for x, y in points)


def _text(x: float, y: float, text: str, *, size: float, anchor: str = "start", fill: str = INK) -> str:
    return (
        f'<text x="{x:.2f}" y="{y:.2f}" font-family={quoteattr(FONT)} font-size="{size:g}" '
        f"text-anchor={quoteattr(anchor)} fill={quoteattr(fill)}>{escape(text)}</text>"
    )


def _svg(parts: list[str], x0: float, y0: float, x1: float, y1: float, title: str) -> str:
    margin = 4.0
    w, h = x1 - x0 + 2 * margin, y1 - y0 + 2 * margin
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={quoteattr(title)} '
        f'width="{w:.0f}" height="{h:.0f}" viewBox="{x0 - margin:.2f} {y0 - margin:.2f} {w:.2f} {h:.2f}">'
        + "".join(parts)
        + "</svg>"
    )
