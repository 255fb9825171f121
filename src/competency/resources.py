"""Where the top-level folders (templates, questionnaires, migrations) are, from a checkout or a wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_path(name: str) -> Path:
    """A wheel carries the folder inside the package; a checkout keeps it at the repository root."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent.parent / name):
        if candidate.exists():
            return candidate
    raise FileNotFoundError(f"{name!r} is neither inside the competency package nor at the project root")


def package_data(name: str) -> Path:
    """A file of `competency/data/` (shipped inside the package in a checkout and a wheel alike)."""
    return _PACKAGE / "data" / name
