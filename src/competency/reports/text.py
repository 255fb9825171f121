"""Authors' text as readers see it: a line break in a summary, description or help is a new paragraph
(a converted ladder's level description is several), on pages and in PDFs alike."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_BREAKS = re.compile(r"\s*\n\s*")


def paragraphs(text: str | None, css_class: str | None = None) -> Markup:
    """Escaped <p> elements, one per non-empty line of `text` (blank lines between them or not)."""
    if not text:
        return Markup("")
    attr = Markup(' class="{}"').format(css_class) if css_class else Markup("")
    parts = [part for part in _BREAKS.split(text.strip()) if part]
    return Markup("").join(Markup("<p{}>{}</p>").format(attr, escape(part)) for part in parts)
