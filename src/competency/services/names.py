"""Which text may be a name (of a person, a team or a cycle): names reach pages, PDFs and mail headers."""

from __future__ import annotations

import re
import unicodedata

#: Bidirectional controls (and the zero-width marks that hide them) turn "evil" into "live" on screen.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
#: Control characters and line or paragraph separators: a mail header ends at any of them.
_BREAKING = frozenset({"Cc", "Zl", "Zp"})
#: An RFC 2047 encoded word ("=?utf-8?q?...?="): mail software decodes it, CR LF included.
_ENCODED_WORD = re.compile(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=")


def has_breaking(text: str) -> bool:
    """True when `text` holds a control character or a line or paragraph separator (U+2028, U+2029)."""
    return any(unicodedata.category(ch) in _BREAKING for ch in text)


def name_problem(name: str) -> str | None:
    """Why `name` cannot be stored, or None; the text completes "The name ..." for the person who typed it."""
    if not name.strip():
        return "name must not be empty"
    if any(ch in BIDI_CONTROLS for ch in name):
        return "name contains text-direction control characters, which can make it display as another name"
    if has_breaking(name):
        return "name contains control characters or line breaks; type it on one line"
    if _ENCODED_WORD.search(name):
        return "name contains mail-encoded text (=?...?=); type the name as plain text"
    return None
