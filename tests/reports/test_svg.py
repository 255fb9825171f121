"""The SVG charts of the PDF reports: label layout, escaping, gaps in data, heatmap colours."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from competency.reports.svg import (
    NO_SCORE,
    RadarSeries,
    box_hits_circle,
    boxes_overlap,
    gap_bins,
    gap_colour,
    history_svg,
    layout_labels,
    radar_svg,
    text_colour,
    text_width,
    wrap_label,
)

SVG = "{http://www.w3.org/2000/svg}"
LONG_TITLES = [
    "Mathematics, statistics and probability for machine learning practitioners",
    "Programming in Python with NumPy, pandas and clean software engineering",
    "Data engineering, SQL databases and data quality at scale",
    "Classic machine learning algorithms",
    "Model training, validation and evaluation with the right metrics",
    "Deep learning frameworks",
    "MLOps: deployment, monitoring and maintenance of production models",
    "Experiment tracking and reproducibility",
    "Cloud ML platforms (SageMaker, Vertex AI, Azure ML) and big data tools",
    "Visualisation and communication of results to stakeholders",
    "Problem framing and business value",
    "Internationalisation-and-localisation-of-everything-without-spaces",
]


def assert_no_collisions(labels, radius: float) -> None:
    for a, b in itertools.combinations(labels, 2):
        assert not boxes_overlap(a.box, b.box), (a.lines, b.lines)
    for label in labels:
        assert not box_hits_circle(label.box, 0, 0, radius), label.lines


def test_labels_of_twelve_long_titles_never_overlap_each_other_or_the_chart() -> None:
    labels = layout_labels(LONG_TITLES, 0, 0, 150)
    assert len(labels) == 12
    assert_no_collisions(labels, 150)


@pytest.mark.parametrize("count", range(1, 17))
@pytest.mark.parametrize("radius", [60, 150])
def test_labels_never_overlap_whatever_the_number_of_axes(count: int, radius: float) -> None:
    titles = [LONG_TITLES[i % len(LONG_TITLES)] if i % 2 else f"Area {i}" for i in range(count)]
    assert_no_collisions(layout_labels(titles, 0, 0, radius), radius)


def test_labels_are_anchored_away_from_the_chart() -> None:
    labels = layout_labels(["Top", "Right", "Bottom", "Left"], 0, 0, 100)
    assert [label.anchor for label in labels] == ["middle", "start", "middle", "end"]


def test_long_titles_wrap_into_three_lines_with_an_ellipsis() -> None:
    lines = wrap_label(LONG_TITLES[0])
    assert len(lines) == 3
    assert all(len(line) <= 18 for line in lines)
    assert lines[-1].endswith("…")
    assert wrap_label("Deep learning") == ["Deep learning"]


def test_unbroken_long_words_are_split_to_fit() -> None:
    assert all(len(line) <= 18 for line in wrap_label(LONG_TITLES[-1]))


def test_radar_escapes_every_text_and_is_well_formed_xml() -> None:
    svg = radar_svg(
        ['Data & <SQL> "quoted"', "Two", "Three"],
        [RadarSeries("Me & <you>", [1, 2, 3], "#123456")],
        0,
        4,
        title='A "title" <b>',
    )
    root = ET.fromstring(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert any(t and "Data & <SQL>" in t for t in texts)
    assert "Me & <you>" in texts
    assert "<SQL>" not in svg and "<you>" not in svg


def test_radar_uses_presentation_attributes_only() -> None:
    svg = radar_svg(LONG_TITLES, [RadarSeries("Self", [2.0] * 12, "#1f5fa8", fill=True)], 0, 4)
    assert "class=" not in svg and "style=" not in svg


def test_radar_draws_a_ring_per_scale_value_and_a_legend_entry_per_series() -> None:
    series = [
        RadarSeries("Self", [1, 2, 3], "#111111"),
        RadarSeries("Target", [2, 2, 2], "#222222", dashed=True),
    ]
    root = ET.fromstring(radar_svg(["A", "B", "C"], series, 0, 4))
    rings = [
        p for p in root.iter(f"{SVG}polygon") if p.get("stroke") != "#111111" and p.get("fill") == "none"
    ]
    assert len([p for p in rings if p.get("stroke-width") == "0.8"]) == 4  # values 1..4; 0 is the centre
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Self" in texts and "Target" in texts
    assert any(p.get("stroke-dasharray") for p in root.iter(f"{SVG}polygon"))


def test_an_unscored_area_breaks_the_polygon_instead_of_dropping_to_the_centre() -> None:
    root = ET.fromstring(radar_svg(list("ABCDE"), [RadarSeries("Self", [1, 2, None, 3, 4], "#abcdef")], 0, 4))
    own = [e for e in root.iter() if e.get("stroke") == "#abcdef"]
    assert not [e for e in own if e.tag == f"{SVG}polygon"]
    lines = [e for e in own if e.tag == f"{SVG}polyline"]
    assert len(lines) == 1  # D, E, A, B joined across the end of the axis list
    assert len(lines[0].get("points").split()) == 4
    dots = [e for e in root.iter(f"{SVG}circle") if e.get("fill") == "#abcdef"]
    assert len(dots) == 4


def test_gap_colours_diverge_around_the_target() -> None:
    assert gap_colour(None, 0, 4) == NO_SCORE
    above, met, below_little, below_some, below_far = (bg for _, bg, _ in gap_bins(0, 4))
    assert gap_colour(-2, 0, 4) == above
    assert gap_colour(-1, 0, 4) == above
    assert gap_colour(-0.3, 0, 4) == met
    assert gap_colour(0, 0, 4) == met
    assert gap_colour(0.2, 0, 4) == below_little
    assert gap_colour(0.5, 0, 4) == below_some
    assert gap_colour(1.0, 0, 4) == below_far
    assert gap_colour(3.5, 0, 4) == below_far
    assert len({above, met, below_little, below_some, below_far, NO_SCORE}) == 6


def test_text_on_dark_cells_is_white_and_on_light_cells_dark() -> None:
    assert text_colour("#1f5fa8") == "#ffffff"
    assert text_colour("#c8412d") == "#ffffff"
    assert text_colour("#fde0b6") != "#ffffff"
    assert text_colour(NO_SCORE) != "#ffffff"


def test_history_chart_skips_missing_readiness_and_handles_one_point() -> None:
    root = ET.fromstring(history_svg([("2024-01-01", 40.0), ("2024-06-01", None), ("2025-01-01", 62.5)]))
    assert len([c for c in root.iter(f"{SVG}circle")]) == 2
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "62.5" in texts and "100" in texts and "2025-01-01" in texts
    ET.fromstring(history_svg([("2024-01-01", 50.0)]))
    ET.fromstring(history_svg([]))


def test_estimated_text_width_never_undershoots_the_font() -> None:
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if not font.exists():
        pytest.skip("DejaVu Sans (fonts-dejavu-core) is not installed")
    from fontTools.ttLib import TTFont

    ttf = TTFont(font)
    cmap, hmtx, upm = ttf.getBestCmap(), ttf["hmtx"], ttf["head"].unitsPerEm
    for text in [*LONG_TITLES, "WWWWWWWWWW", "Ünïcödé ärëä", "iiiiii"]:
        actual = sum(hmtx[cmap[ord(c)]][0] for c in text if ord(c) in cmap) / upm * 9
        assert actual <= text_width(text, 9) <= actual * 1.1


def _printed_sizes(svg: str, printed_mm: float) -> list[float]:
    """Font sizes in points of every text of `svg` when it is printed `printed_mm` wide."""
    root = ET.fromstring(svg)
    units = float(root.get("viewBox", "0 0 1 1").split()[2])
    scale = printed_mm / 25.4 * 72 / units
    return [float(t.get("font-size", "0")) * scale for t in root.iter("{http://www.w3.org/2000/svg}text")]


def _css_width(selector: str) -> float:
    """The width reports.css gives a chart's svg, in mm."""
    import re

    css = (Path(__file__).resolve().parents[2] / "src/competency/static/reports.css").read_text()
    match = re.search(re.escape(selector) + r"\s*\{[^}]*width:\s*([\d.]+)mm", css)
    assert match, selector
    return float(match.group(1))


def test_chart_text_prints_at_7_points_or_more() -> None:
    axes = [f"Area number {i} with a title" for i in range(11)]
    radar = radar_svg(axes, [RadarSeries("Team mean", [2.0] * 11, "#1f5fa8")], 0, 4)
    history = history_svg([(f"2026-{m:02d}-01", 10.0 * m) for m in range(1, 9)])
    for svg, selector in ((radar, ".radar svg"), (history, ".history-chart svg")):
        sizes = _printed_sizes(svg, _css_width(selector))
        assert sizes and min(sizes) >= 7.0, (selector, min(sizes))


def test_lines_of_one_colour_differ_by_pattern_and_weight() -> None:
    lowest = RadarSeries("Lowest", [1.0] * 5, "#7aa7d6", dashed=True, dash="1.5 2.5")
    highest = RadarSeries("Highest", [3.0] * 5, "#7aa7d6", dashed=True, dash="8 3", width=2.4)
    svg = radar_svg(list("abcde"), [lowest, highest], 0, 4)
    root = ET.fromstring(svg)
    shapes = [e for e in root.iter() if e.tag.endswith("polygon") and e.get("stroke") == "#7aa7d6"]
    assert {(e.get("stroke-dasharray"), e.get("stroke-width")) for e in shapes} == {
        ("1.5 2.5", "1.8"),
        ("8 3", "2.4"),
    }
