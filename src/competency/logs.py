"""Log lines as text (default) or one JSON object a line (COMPETENCY_LOG_FORMAT=json), each carrying the id
of the request that wrote it, so a line in the log and a request a person reports can be matched.

The id comes from the proxy's X-Request-ID when it is a plain token, else is made here; it is sent back
in the response's X-Request-ID. Outside a request (workers, the CLI) it is "-".
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from datetime import UTC, datetime
from typing import IO, Any

REQUEST_ID_HEADER = "X-Request-ID"
_TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(processName)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


def _request_id() -> str:
    from flask import g, has_request_context

    return str(g.get("request_id", "-")) if has_request_context() else "-"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "process": record.processName,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(fmt: str | None = None, stream: IO[str] | None = None, level: int = logging.INFO) -> None:
    """One handler on the root logger, in the chosen format (COMPETENCY_LOG_FORMAT: text or json)."""
    fmt = (fmt or os.environ.get("COMPETENCY_LOG_FORMAT") or "text").strip().lower()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def init_app(app: Any) -> None:
    """Give each request its id (and the response its header); log in the configured format when one is set."""
    from flask import g, request

    if os.environ.get("COMPETENCY_LOG_FORMAT"):
        configure()

    @app.before_request
    def _take_request_id() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _TOKEN.fullmatch(given) else secrets.token_hex(8)

    @app.after_request
    def _send_request_id(response: Any) -> Any:
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "-")
        return response
