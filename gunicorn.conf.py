"""gunicorn settings of the web process, read from the working directory (the image's /app, the bench's
checkout); command-line options still win."""

from __future__ import annotations

import gc
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Once the worker has built the app, move everything alive then (app, frameworks, SQLAlchemy's
    and Jinja's tables: ~130,000 objects) out of the garbage collector's sight: a full collection
    otherwise walks them all, ~100 ms every few requests of a large team dashboard, which is what
    its p95 measured. Frozen objects are still freed when their last reference goes; only a cycle
    among them would stay until the worker ends."""
    gc.collect()
    gc.freeze()
