"""The heatmap's colour scale, one definition for the web dashboard (chart and table) and the team PDF.

A cell's colour is the gap to the member's own target (target - score; > 0 is below target), in steps of a
quarter of the scale's span: blue above and on target, orange to red below. A diverging scheme that stays
readable for red-green blindness; the ink on each colour is picked for contrast.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

#: Background of a cell without a score.
NO_SCORE = "#e4e7eb"
INK = "#1f2933"


@dataclass(frozen=True)
class GapBand:
    """One colour of the scale: gaps up to `upper` (inclusive when <= 0, exclusive above) take it."""

    upper: float
    colour: str
    label: str

    @property
    def ink(self) -> str:
        return text_colour(self.colour)


def gap_bands(lo: float, hi: float) -> list[GapBand]:
    """The five bands, from far above target to far below it."""
    return list(_bands(lo, hi))


@lru_cache(maxsize=32)
def _bands(lo: float, hi: float) -> tuple[GapBand, ...]:
    # Worked out once per scale: a heatmap asks for every cell.
    step = (hi - lo) / 4 or 1.0
    return (
        GapBand(-step, "#1f5fa8", f"Above target by {step:g} or more"),
        GapBand(0.0, "#b9d3ee", "Target met"),
        GapBand(step / 2, "#fde0b6", f"Below target by less than {step / 2:g}"),
        GapBand(step, "#f4a259", f"Below target by {step / 2:g} to less than {step:g}"),
        GapBand(math.inf, "#c8412d", f"Below target by {step:g} or more"),
    )


def band_index(gap: float, lo: float, hi: float) -> int:
    """Which of `gap_bands` a gap falls in (0 = far above target)."""
    bands = _bands(lo, hi)
    for index, band in enumerate(bands):
        if (gap <= band.upper) if band.upper <= 0 else (gap < band.upper):
            return index
    return len(bands) - 1


def gap_colour(gap: float | None, lo: float, hi: float) -> str:
    """Cell background for a gap; grey for no score."""
    if gap is None:
        return NO_SCORE
    return _bands(lo, hi)[band_index(gap, lo, hi)].colour


def text_colour(background: str) -> str:
    """Black or white, whichever contrasts more with the background (WCAG luminance)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    hex_ = background.lstrip("#")
    r, g, b = (int(hex_[i : i + 2], 16) for i in (0, 2, 4))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return "#ffffff" if (1.05 / (luminance + 0.05)) > ((luminance + 0.05) / 0.05) else INK
