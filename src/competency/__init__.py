"""competency: team competency assessment against role frameworks kept as YAML.

`flask --app competency run` finds `create_app` here; it is imported lazily so that the
`competency` command line stays fast.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from competency.app import create_app

        return create_app
    raise AttributeError(name)
