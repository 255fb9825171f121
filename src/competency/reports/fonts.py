"""Which characters the PDF font can draw: a framework author learns before deploying that an emoji in a
title would print as an empty box (the reports embed DejaVu Sans, which has no emoji)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

#: The family reports.css sets on every PDF.
PDF_FONT = "DejaVu Sans"
#: Where Debian's fonts-dejavu-core puts it, when fontconfig cannot say.
FALLBACK = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


@cache
def pdf_font_characters() -> frozenset[int] | None:
    """Code points the PDF font has a glyph for; None when the font cannot be found (nothing to check)."""
    from fontTools.ttLib import TTFont  # WeasyPrint's own dependency

    path = _font_file()
    if path is None:
        return None
    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _font_file() -> Path | None:
    try:
        found = subprocess.run(
            ["fc-match", "--format=%{file}", PDF_FONT],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    for candidate in (Path(found) if found else None, FALLBACK):
        if candidate is not None and candidate.is_file() and "DejaVuSans" in candidate.name:
            return candidate
    return None


def missing_glyphs(text: str, characters: frozenset[int]) -> list[tuple[int, int, str]]:
    """(line, column, character) of each character of `text` the font cannot draw (whitespace aside)."""
    out = []
    for line_no, line in enumerate(text.splitlines(), 1):
        for col, char in enumerate(line, 1):
            if ord(char) not in characters and not char.isspace() and ord(char) >= 0x20:
                out.append((line_no, col, char))
    return out
